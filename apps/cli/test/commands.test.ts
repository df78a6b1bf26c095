import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { load as parse } from 'js-yaml';
import { runCli } from '../src/index.js';
import { REPO_ROOT, tempDir, TECHSOL } from './support/cli-process.js';
import { memoryIo } from './support/memory-io.js';

const dir = tempDir('commands');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drctl validate', () => {
  it('accepts examples/techsol, the README main job', async () => {
    const io = memoryIo({ cwd: REPO_ROOT });
    expect(await runCli(['validate', 'examples/techsol/environment.yaml', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({
      valid: true,
      name: 'techsol',
      counts: { sites: 2, vms: 40, liveVolumes: 1, plans: 2 },
      plans: [
        { name: 'Protect vcsite1', protectedSite: 'vcsite1', recoverySite: 'vcsite2' },
        { name: 'Protect vcsite2' },
      ],
    });
    expect(io.err()).toBe('');
  });
});

describe('drctl settings', () => {
  it('shows each effective value with where it came from, and the commandTimeout each plan applies', async () => {
    const io = memoryIo();
    expect(
      await runCli(['settings', '--env', TECHSOL, '--set', 'storage.maxConcurrentCommandCnt=2', '--json'], io),
    ).toBe(0);
    const doc = JSON.parse(io.out()) as {
      settings: Array<{ name: string; value: number | null; origin: string }>;
      appliedCommandTimeouts: unknown[];
    };
    const byName = Object.fromEntries(doc.settings.map((s) => [s.name, s]));
    expect(byName['storage.maxConcurrentCommandCnt']).toMatchObject({ value: 2, origin: 'override' });
    expect(byName['storageProvider.hostRescanRepeatCnt']).toMatchObject({ value: 2, origin: 'environment' });
    expect(byName['defaultMaxBootAndShutdownOpsPerHost']).toMatchObject({ value: 4, origin: 'environment' });
    expect(doc.appliedCommandTimeouts).toEqual([
      { plan: 'Protect vcsite1', liveVolumes: 1, seconds: 390 },
      { plan: 'Protect vcsite2', liveVolumes: 0, seconds: 300 },
    ]);
  });

  it('without an environment shows SRM defaults, and names a bad --set', async () => {
    const io = memoryIo();
    expect(await runCli(['settings'], io)).toBe(0);
    expect(io.out()).toMatch(/storage\.commandTimeout\s+300\s+default/);
    const bad = memoryIo();
    expect(await runCli(['settings', '--set', 'storage.comandTimeout=5'], bad)).toBe(2);
    expect(bad.err()).toContain(
      '--set.storage.comandTimeout: unknown setting storage.comandTimeout (did you mean storage.commandTimeout?)',
    );
  });
});

describe('drctl generate', () => {
  it('writes an environment that validates, the same for the same seed', async () => {
    const args = [
      'generate',
      '--vms',
      '120',
      '--hosts',
      '12',
      '--clusters',
      '4',
      '--datastores',
      '6',
      '--live-volumes',
      '1',
      '--seed',
      '5',
      '--dependencies',
      '0.3',
      '--host-limit',
      '2',
      '--cluster-limit',
      '6',
    ];
    const first = join(dir, 'first.yaml');
    const second = join(dir, 'second.yaml');
    expect(await runCli([...args, '-o', first], memoryIo())).toBe(0);
    expect(await runCli([...args, '-o', second], memoryIo())).toBe(0);
    expect(readFileSync(first, 'utf8')).toBe(readFileSync(second, 'utf8'));
    const env = parse(readFileSync(first, 'utf8')) as {
      vms: unknown[];
      settings: Record<string, number>;
      plans: Array<{ vms: Array<{ dependsOn?: string[] }> }>;
    };
    expect(env.vms).toHaveLength(120);
    expect(env.settings).toEqual({ defaultMaxBootAndShutdownOpsPerHost: 2, defaultMaxBootAndShutdownOpsPerCluster: 6 });
    expect(env.plans[0]!.vms.some((v) => v.dependsOn)).toBe(true);
    const validate = memoryIo();
    expect(await runCli(['validate', first, '--json'], validate)).toBe(0);
    expect(JSON.parse(validate.out())).toMatchObject({ counts: { vms: 120, hosts: 12, liveVolumes: 1 } });
  });

  it('names the flag of a bad number', async () => {
    const io = memoryIo();
    expect(
      await runCli(['generate', '--vms', 'ten', '--hosts', '2', '--clusters', '2', '--datastores', '1', '--json'], io),
    ).toBe(2);
    expect(JSON.parse(io.out())).toMatchObject({ error: { code: 'DR_INPUT_INVALID', issues: [{ path: '--vms' }] } });
  });
});

describe('help', () => {
  it('every command has --help with the exit codes', async () => {
    for (const command of [
      'validate',
      'run',
      'resume',
      'cancel',
      'status',
      'history',
      'settings',
      'generate',
      'discover',
      'export',
      'serve',
    ]) {
      const io = memoryIo();
      expect(await runCli([command, '--help'], io)).toBe(0);
      expect(io.out()).toContain(`Usage: drctl ${command}`);
      expect(io.out()).toContain('--json');
      expect(io.out()).toContain('3  internal failure');
    }
  });
});

describe('drctl export', () => {
  it("prints a workflow as a Mermaid state diagram, its states the brief's step ids in SRM order", async () => {
    const io = memoryIo();
    expect(await runCli(['export', '--machine', 'cleanup'], io)).toBe(0);
    const states = [...io.out().matchAll(/state "([a-z0-9-]+)"/g)].map((m) => m[1]);
    expect(io.out().startsWith('stateDiagram-v2')).toBe(true);
    expect(states.slice(0, 4)).toEqual([
      'power-off-test-vms',
      'resume-recovery-vms',
      'discard-test-storage',
      'rescan-hosts',
    ]);
  });

  it('prints the JSON graph with --json, and refuses an unknown machine with exit 2', async () => {
    const io = memoryIo();
    expect(await runCli(['export', '--machine', 'plan-lifecycle', '--format', 'json', '--json'], io)).toBe(0);
    const graph = JSON.parse(io.out()) as { nodes: Array<{ key: string }> };
    expect(graph.nodes.map((n) => n.key)).toEqual(
      expect.arrayContaining(['ready', 'test-complete', 'recovery-complete']),
    );
    const bad = memoryIo();
    expect(await runCli(['export', '--machine', 'restore', '--json'], bad)).toBe(2);
    expect(JSON.parse(bad.out())).toMatchObject({ error: { code: 'DR_USAGE' } });
  });
});
