import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drctl, ensureBuilt, finalLine, tempDir, TECHSOL } from './support/cli-process.js';

const dir = tempDir('check-predict');
const PLAN = 'Protect vcsite1';

/** techsol's storage file with one Live Volume set to fail over by itself. */
function techsolWithAutoFailover(): string {
  const from = join(TECHSOL, '..');
  const to = join(dir, 'lv');
  for (const f of ['environment.yaml', 'plans.yaml', 'vms.yaml', 'storage.yaml']) {
    const text = readFileSync(join(from, f), 'utf8');
    writeFileSync(
      join(dir, `lv-${f}`),
      f === 'storage.yaml' ? text.replace(/autoFailover: false/, 'autoFailover: true') : text,
    );
  }
  const env = readFileSync(join(dir, 'lv-environment.yaml'), 'utf8').replace(/- (\w+)\.yaml/g, '- lv-$1.yaml');
  writeFileSync(`${to}.yaml`, env);
  return `${to}.yaml`;
}

beforeAll(() => ensureBuilt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drctl check', () => {
  it('lists techsol’s findings with severity, path, § and fix, exits 1 for warnings, and validate counts them', async () => {
    const [human, json, validate] = await Promise.all([
      drctl(['check', '--env', TECHSOL]),
      drctl(['check', '--env', TECHSOL, '--json']),
      drctl(['validate', TECHSOL, '--json']),
    ]);
    const report = JSON.parse(json.stdout) as {
      counts: { error: number; warning: number; info: number; total: number };
      findings: Array<{ severity: string; code: string; path: string; source: string; fix: string; message: string }>;
    };
    expect(json.code).toBe(report.counts.error > 0 ? 2 : report.counts.warning > 0 ? 1 : 0);
    expect(human.code).toBe(json.code);
    expect(report.findings.length).toBe(report.counts.total);
    for (const f of report.findings) {
      expect(f.source).not.toBe('');
      expect(f.fix).not.toBe('');
      expect(human.stdout).toContain(`${f.code}  ${f.path}  (${f.source}`);
    }
    expect(human.stdout).toMatch(/^techsol: \d+ errors?, \d+ warnings?, \d+ advice/);
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, findings: report.counts });
  });

  it('exits 2 on an error finding, and with --live reports what the arrays answered and what is not live', async () => {
    const file = techsolWithAutoFailover();
    const [human, live] = await Promise.all([
      drctl(['check', '--env', file]),
      drctl(['check', '--env', file, '--live', '--json']),
    ]);
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(
      /ERROR\s+LV_AUTO_FAILOVER {2}volumes\[\d+\]\.liveVolume\.autoFailover {2}\(§3\.3, §5\.4\)/,
    );
    expect(human.stdout).toContain('Fix: Turn Live Volume automatic failover off.');
    expect(live.code).toBe(2);
    const doc = JSON.parse(live.stdout) as {
      findings: Array<{ code: string; scope: string; path: string }>;
      live: { requested: boolean; sources: Array<{ status: string }>; coverage: { notLive: string[] } };
    };
    expect(doc.live.requested).toBe(true);
    expect(doc.live.sources.every((s) => s.status === 'ok')).toBe(true);
    expect(doc.live.coverage.notLive.join(' ')).toMatch(/no real vCenter/);
    // The simulated arrays serve the file's volumes, so the live rules see the same Live Volume.
    expect(doc.findings).toContainEqual(
      expect.objectContaining({
        code: 'LV_AUTO_FAILOVER',
        scope: 'live',
        path: expect.stringMatching(/^live\.arrays\[/),
      }),
    );
  });

  it('turns an environment that does not load into error findings (exit 2), and a missing file into a usage error', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nname: broken\nsites: []\n');
    const [broken, missing] = await Promise.all([
      drctl(['check', '--env', bad, '--json']),
      drctl(['check', '--env', join(dir, 'nope.yaml')]),
    ]);
    expect(broken.code).toBe(2);
    expect(JSON.parse(broken.stdout)).toMatchObject({
      loaded: false,
      findings: [expect.objectContaining({ code: 'ENVIRONMENT_INVALID', severity: 'error', path: 'sites' })],
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Environment file .*nope\.yaml does not exist/);
  });
});

describe('drctl predict', () => {
  it('predicts a disaster recovery within a few percent of the simulated run of the same plan and seed', async () => {
    // A generated plan without callouts (a real run's callouts take real time; a dry run none).
    const env = join(dir, 'generated.yaml');
    const generated = await drctl([
      'generate',
      '--vms',
      '200',
      '--hosts',
      '16',
      '--clusters',
      '4',
      '--datastores',
      '8',
      '--dependencies',
      '0.2',
      '--host-limit',
      '2',
      '--cluster-limit',
      '6',
      '--seed',
      '3',
      '-o',
      env,
    ]);
    expect(generated.code).toBe(0);
    const state = join(dir, 'predict-state');
    const svg = join(dir, 'gantt.svg');
    const predicted = await drctl([
      'predict',
      'disaster-recovery',
      '--env',
      env,
      '--plan',
      'generated',
      '--seed',
      '5',
      '--state-dir',
      state,
      '--json',
      '--gantt',
      svg,
    ]);
    expect(predicted.code).toBe(0);
    const prediction = JSON.parse(predicted.stdout) as {
      totalMs: number;
      result: string;
      groups: Array<{ vms: number; binding: { kind: string } }>;
    };
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]*role="img"/);

    const run = await drctl(
      [
        'run',
        'disaster-recovery',
        '--env',
        env,
        '--plan',
        'generated',
        '--simulate',
        '--seed',
        '5',
        '--answer',
        'ok',
        '--state-dir',
        state,
        '--json',
      ],
      { timeoutMs: 90_000 },
    );
    const report = JSON.parse(readFileSync(finalLine(run.stdout).reportPath, 'utf8')) as {
      startedAt: string;
      finishedAt: string;
      result: string;
    };
    const actualMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    expect(prediction.result).toBe(report.result);
    expect(Math.abs(prediction.totalMs - actualMs) / actualMs).toBeLessThan(0.03);
    expect(prediction.groups.filter((g) => g.vms > 0).every((g) => g.binding.kind !== 'none')).toBe(true);

    // The run is now history: the text output says where each VM's timing came from.
    const again = await drctl([
      'predict',
      'disaster-recovery',
      '--env',
      env,
      '--plan',
      'generated',
      '--seed',
      '5',
      '--state-dir',
      state,
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Predicted disaster-recovery of plan "generated": /);
    expect(again.stdout).toMatch(/Timings: \d+ VM\(s\) from 1 earlier run report\(s\)/);
    expect(again.stdout).toMatch(/P1 +\d+ +.+(host limit|cluster limit|dependency chain|one slow VM)/);
    expect(again.stdout).toContain('Power-on per host:');
  }, 120_000);

  it('predicts techsol per step and priority group, with a text Gantt and an HTML Gantt file', async () => {
    const html = join(dir, 'techsol.html');
    const result = await drctl([
      'predict',
      'test',
      '--env',
      TECHSOL,
      '--plan',
      PLAN,
      '--state-dir',
      join(dir, 'none'),
      '--gantt',
      html,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Predicted test of plan "Protect vcsite1": \d+ min \d+ s \(success; seed 12;/);
    expect(result.stdout).toMatch(/\n {2}power-on-priority-1 +\d/);
    expect(result.stdout).toMatch(/esx\d+\.techsol\.local \|[ 1-5#]+\|/);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>[\s\S]*<svg/);
  }, 60_000);

  it('prints a what-if table for --compare, and refuses an unknown setting with exit 2', async () => {
    const [table, bad] = await Promise.all([
      drctl([
        'predict',
        'test',
        '--env',
        TECHSOL,
        '--plan',
        PLAN,
        '--state-dir',
        join(dir, 'none'),
        '--compare',
        'defaultMaxBootAndShutdownOpsPerHost=1,4',
      ]),
      drctl(['predict', 'test', '--env', TECHSOL, '--plan', PLAN, '--compare', 'nope=1', '--json']),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^What-if: test of plan "Protect vcsite1" by defaultMaxBootAndShutdownOpsPerHost/);
    expect(table.stdout).toMatch(/\n {2}total +\S+/);
    expect(table.stdout).toMatch(/P1 binding +host limit on/);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      error: { code: 'DR_INPUT_INVALID', issues: [expect.objectContaining({ path: '--compare' })] },
    });
  }, 60_000);
});
