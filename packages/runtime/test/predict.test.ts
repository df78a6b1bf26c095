import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEnvironment } from '@drctl/simulator';
import { compareSettings, openWorkspace, predict, readEnvironment, renderGanttSvg } from '../src/index.js';

const techsol = resolve(import.meta.dirname, '../../../examples/techsol/environment.yaml');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'drctl-predict-'));
  dirs.push(d);
  return d;
};

const within = (predicted: number, actual: number, fraction: number) =>
  Math.abs(predicted - actual) <= fraction * Math.max(actual, 1);

describe('drctl predict against a simulated run of the same plan and seed', () => {
  it('predicts the whole run and each step within a few percent', async () => {
    // A generated plan without callouts: a real run's command callouts take real time, which the
    // virtual clock only partly holds still for on a busy machine; a dry run gives them their
    // learned or declared time.
    const dir = tempDir();
    const environmentPath = join(dir, 'env.json');
    const generated = generateEnvironment({
      vms: 300,
      hosts: 24,
      clusters: 4,
      datastores: 12,
      dependencies: 0.2,
      hostLimit: 2,
      clusterLimit: 8,
      seed: 5,
    });
    writeFileSync(environmentPath, JSON.stringify(generated));
    const plan = generated.plans![0]!.name;
    const seed = 7;
    const stateDir = join(dir, 'state');
    const prediction = await predict({ environmentPath, stateDir, plan, workflow: 'disaster-recovery', seed });

    // The real thing: a --simulate run with the same plan and seed, files in its own state folder.
    const ws = await openWorkspace({ environmentPath, stateDir, seed, autoAnswer: { answer: 'ok', by: 'test' } });
    const handle = await ws.drive(ws.engine.start({ plan, workflow: 'disaster-recovery' }));
    const actual = await ws.drive(handle.done);
    await ws.close();

    const actualTotal = Date.parse(actual.finishedAt!) - Date.parse(actual.startedAt);
    expect(prediction.result).toBe(actual.result);
    expect(prediction.totalMs).toBeGreaterThan(60_000);
    expect(within(prediction.totalMs, actualTotal, 0.03)).toBe(true);
    for (const step of prediction.steps) {
      const real = actual.steps.find((s) => s.target === undefined && s.id === step.id)!;
      const realMs = Date.parse(real.finishedAt!) - Date.parse(real.startedAt!);
      // A few percent, or a second for the short steps.
      expect(Math.abs(step.durationMs - realMs)).toBeLessThanOrEqual(Math.max(1000, 0.05 * realMs));
    }
    // Every group that powers VMs on has its lower bound at or below the prediction.
    const busy = prediction.groups.filter((g) => g.vms > 0);
    expect(busy.length).toBeGreaterThan(1);
    for (const g of busy) {
      expect(g.lowerBoundMs).toBeGreaterThan(0);
      expect(g.lowerBoundMs).toBeLessThanOrEqual(g.predictedMs + 1);
      expect(['host-limit', 'cluster-limit', 'dependency-chain', 'slow-vm']).toContain(g.binding.kind);
      expect(g.binding.subject).not.toBe('');
    }
    // Nothing in the state folder yet when predicting: every VM's timing came from the file.
    expect(prediction.timings.fromHistory).toBe(0);
    expect(prediction.timings.withoutHistory.length).toBe(prediction.vms.length);

    // Now the run above is history: its measured heartbeats feed the next prediction.
    const learned = await predict({ environmentPath, stateDir, plan, workflow: 'disaster-recovery', seed });
    const poweredOn = actual.vms.filter((v) => v.toolsReadyAt).length;
    expect(learned.timings.reports).toBe(1);
    expect(learned.timings.fromHistory).toBe(poweredOn);
    expect(learned.timings.withoutHistory).toEqual(actual.vms.filter((v) => !v.toolsReadyAt).map((v) => v.name));
    expect(within(learned.totalMs, actualTotal, 0.05)).toBe(true);
  }, 120_000);

  it('predicts techsol, timing the callouts it does not run by their timeouts', async () => {
    const plan = readEnvironment(techsol).plans[0]!.name;
    const prediction = await predict({
      environmentPath: techsol,
      stateDir: tempDir(),
      plan,
      workflow: 'disaster-recovery',
    });
    expect(prediction.result).toBe('success');
    expect(prediction.timings.calloutsFromHistory).toBe(0);
    expect(prediction.timings.calloutsWithoutHistory).toContain('Revert to frozen snapshot (sql01)');
    expect(prediction.vms.filter((v) => v.toolsReadyMs !== undefined).length).toBeGreaterThan(10);
    expect(prediction.groups.filter((g) => g.vms > 0).map((g) => g.binding.kind)).toContain('dependency-chain');
  }, 60_000);

  it('gives callouts their learned durations, else their timeouts, where a run spends them', async () => {
    const dir = tempDir();
    const environmentPath = join(dir, 'env.json');
    const generated = generateEnvironment({ vms: 40, hosts: 4, clusters: 1, datastores: 2, dependencies: 0, seed: 3 });
    const bare = join(dir, 'bare.json');
    writeFileSync(bare, JSON.stringify(generated));
    const planInput = generated.plans![0]!;
    const plan = planInput.name;
    const first = planInput.vms!.find((v) => v.priority === 1) ?? planInput.vms![0]!;
    const quick = (name: string, timeoutSeconds: number) => ({
      type: 'command' as const,
      name,
      command: process.execPath,
      args: ['-e', '0'],
      timeoutSeconds,
    });
    planInput.callouts = [{ before: 'sync-storage', ...quick('snapshot the source', 600) }];
    first.prePowerOn = [quick('revert', 300)];
    first.postPowerOn = [
      { type: 'webhook', name: 'tell the CMDB', url: 'https://cmdb.invalid/hook', timeoutSeconds: 60 },
    ];
    writeFileSync(environmentPath, JSON.stringify(generated));
    const stateDir = join(dir, 'state');
    const seed = 11;

    // No history: each callout takes its declared timeout, and the output says which.
    const [without, none] = await Promise.all([
      predict({ environmentPath, stateDir, plan, workflow: 'disaster-recovery', seed }),
      predict({ environmentPath: bare, stateDir, plan, workflow: 'disaster-recovery', seed }),
    ]);
    expect(without.timings.calloutsWithoutHistory).toEqual([
      'snapshot the source',
      `revert (${first.vm})`,
      `tell the CMDB (${first.vm})`,
    ]);
    const sync = without.steps.find((s) => s.id === 'sync-storage')!;
    expect(sync.callouts).toEqual([
      { name: 'snapshot the source', phase: 'plan', durationMs: 600_000, source: 'timeout' },
    ]);
    const group = without.steps.find((s) => s.id === `power-on-priority-${first.priority ?? 3}`)!;
    expect(group.callouts).toEqual([
      { name: 'revert', phase: 'pre-power-on', vm: first.vm, durationMs: 300_000, source: 'timeout' },
      { name: 'tell the CMDB', phase: 'post-power-on', vm: first.vm, durationMs: 60_000, source: 'timeout' },
    ]);
    // The plan-level callout runs alone before its step: the run is at least that much longer.
    expect(without.totalMs - none.totalMs).toBeGreaterThanOrEqual(600_000);
    expect(without.totalMs - none.totalMs).toBeLessThanOrEqual(600_000 + 300_000 + 60_000 + 1000);

    // An earlier run; its report then says the snapshot took 90 s and the revert 30 s (as on a
    // real site: a simulated run holds virtual time still while a callout's process runs).
    const ws = await openWorkspace({ environmentPath, stateDir, seed, autoAnswer: { answer: 'ok', by: 'test' } });
    const handle = await ws.drive(ws.engine.start({ plan, workflow: 'disaster-recovery' }));
    const earlier = await ws.drive(handle.done);
    const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
    const snapshot = earlier.steps.find((s) => s.target === 'callout:snapshot the source')!;
    snapshot.finishedAt = later(snapshot.startedAt!, 90_000);
    const revert = earlier.vms.find((v) => v.name === first.vm)!.callouts.find((c) => c.name === 'revert')!;
    revert.finishedAt = later(revert.startedAt!, 30_000);
    await ws.store.write(`runs/${earlier.runId}/report`, earlier);
    await ws.close();

    const learned = await predict({ environmentPath, stateDir, plan, workflow: 'disaster-recovery', seed });
    // Every callout ran in that run (the webhook failed at once: a failure is history too).
    expect(learned.timings.calloutsFromHistory).toBe(3);
    expect(learned.timings.calloutsWithoutHistory).toEqual([]);
    expect(learned.steps.find((s) => s.id === 'sync-storage')!.callouts).toEqual([
      { name: 'snapshot the source', phase: 'plan', durationMs: 90_000, source: 'history' },
    ]);
    expect(learned.steps.find((s) => s.id === group.id)!.callouts!.find((c) => c.name === 'revert')!.durationMs).toBe(
      30_000,
    );
    expect(learned.totalMs).toBeLessThan(without.totalMs - 400_000);
  }, 120_000);

  it('runs the prerequisites of a workflow first and times only the workflow', async () => {
    const plan = readEnvironment(techsol).plans[0]!.name;
    const prediction = await predict({ environmentPath: techsol, stateDir: tempDir(), plan, workflow: 'cleanup' });
    expect(prediction.workflow).toBe('cleanup');
    expect(prediction.steps.map((s) => s.id)).not.toContain('power-on-priority-1');
    expect(prediction.totalMs).toBeGreaterThan(0);
  }, 60_000);

  it('compares values of a setting side by side: one boot per host is never faster than four', async () => {
    const plan = readEnvironment(techsol).plans[0]!.name;
    const comparison = await compareSettings(
      { environmentPath: techsol, stateDir: tempDir(), plan, workflow: 'test' },
      'defaultMaxBootAndShutdownOpsPerHost=1,4',
    );
    expect(comparison.variants.map((v) => v.value)).toEqual(['1', '4']);
    const [one, four] = comparison.variants.map((v) => v.prediction);
    expect(one!.settings.defaultMaxBootAndShutdownOpsPerHost).toBe(1);
    expect(four!.settings.defaultMaxBootAndShutdownOpsPerHost).toBe(4);
    expect(one!.totalMs).toBeGreaterThanOrEqual(four!.totalMs);
    expect(one!.groups.some((g) => g.binding.kind === 'host-limit')).toBe(true);
  }, 120_000);

  it('refuses a comparison of an unknown setting, naming --compare', async () => {
    await expect(
      compareSettings({ environmentPath: techsol, plan: 'x', workflow: 'test' }, 'bogus=1,2'),
    ).rejects.toMatchObject({ code: 'DR_INPUT_INVALID', issues: [expect.objectContaining({ path: '--compare' })] });
  });

  it('predicts a generated 2,000-VM plan and draws its Gantt per host', async () => {
    const dir = tempDir();
    const file = join(dir, 'env.json');
    const env = generateEnvironment({
      vms: 2000,
      hosts: 80,
      clusters: 8,
      datastores: 40,
      seed: 3,
      hostLimit: 4,
      clusterLimit: 32,
    });
    writeFileSync(file, JSON.stringify(env));
    const prediction = await predict({ environmentPath: file, plan: env.plans![0]!.name, workflow: 'test' });
    expect(prediction.vms).toHaveLength(2000);
    expect(prediction.vms.filter((v) => v.toolsReadyMs !== undefined).length).toBeGreaterThan(1500);
    const svg = renderGanttSvg(prediction);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<g class="vm"/g)?.length).toBe(
      prediction.vms.filter((v) => v.powerOnStartMs !== undefined).length,
    );
  }, 120_000);
});
