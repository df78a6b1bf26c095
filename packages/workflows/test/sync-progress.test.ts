import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Environment } from '@drctl/domain';
import { SyncProgressWatch } from '../src/engine/sync-progress.js';
import type { EngineEvent } from '../src/index.js';
import { createHarness, smallEnvironment, stepStatuses } from './harness.js';

const statusOf = (steps: Array<[string, string]>, id: string) => steps.find(([s]) => s === id)?.[1];

/** No Live Volume (no +90 s), a 100 s command timeout, and transfers of `syncSeconds` each. */
function slowLink(syncSeconds: number): Environment {
  const env = smallEnvironment({ liveVolumes: 0 });
  return {
    ...env,
    volumes: env.volumes.map((v) => ({ ...v, syncSeconds })),
    settings: { ...env.settings, 'storage.commandTimeout': 100 },
  };
}

describe('synchronisation is a started command whose progress is polled', () => {
  it('a 120 s transfer under storage.commandTimeout=100 completes: the sync is long, not stuck', async () => {
    const env = slowLink(120);
    const plan = env.plans[0]!;
    const h = createHarness(env);
    const progress: Array<Extract<EngineEvent, { type: 'sync-progress' }>> = [];
    h.engine.subscribe((e) => {
      if (e.type === 'sync-progress') progress.push(e);
    });
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });

    expect(report.settings.appliedCommandTimeoutSeconds).toBe(100);
    expect(report.result).toBe('success');
    const steps = stepStatuses(report);
    expect(statusOf(steps, 'pre-sync-storage')).toBe('success');
    expect(statusOf(steps, 'sync-storage')).toBe('success');
    const pre = report.steps.find((s) => s.id === 'pre-sync-storage')!;
    const seconds = Number(/synchronized in (\d+) s/.exec(pre.messages.join(' '))?.[1]);
    expect(seconds).toBeGreaterThan(100);
    // Every storage command stayed within its own bound; none timed out.
    expect(report.storageCommands.filter((c) => c.status === 'timeout')).toEqual([]);
    const syncs = report.storageCommands.filter((c) => c.command === 'syncOnce');
    for (const c of syncs) expect(Date.parse(c.finishedAt!) - Date.parse(c.startedAt)).toBeLessThan(100_000);
    // Progress was announced poll by poll, rising to complete.
    const preSync = progress.filter((p) => p.step === 'pre-sync-storage');
    expect(preSync.length).toBeGreaterThan(5);
    const first = preSync[0]!.devices[0]!;
    const last = preSync[preSync.length - 1]!.devices.find((d) => d.device === first.device)!;
    expect(first.status).toBe('in-progress');
    expect(last).toEqual({ device: first.device, status: 'complete', percent: 100 });
  });

  it('a sync that stops making progress fails after commandTimeout without progress; planned migration rolls back', async () => {
    const env = slowLink(60);
    const plan = env.plans[0]!;
    const stuck = env.volumes[1]!.id;
    const h = createHarness(env, { faults: [{ kind: 'sync-stalls', device: stuck }] });
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(report.result).toBe('errors');
    const steps = stepStatuses(report);
    expect(statusOf(steps, 'pre-sync-storage')).toBe('error');
    expect(statusOf(steps, 'rollback-protected-site')).toBe('success');
    const line = report.steps.find((s) => s.id === 'pre-sync-storage')!.results.find((r) => r.device === stuck)!;
    expect(line).toMatchObject({ status: 'error', code: 'SYNC_STALLED' });
    expect(line.description).toMatch(
      new RegExp(
        `Synchronization of ${stuck} made no progress for \\d+ s \\(at 50 %\\); .*storage.commandTimeout 100 s`,
      ),
    );
    // The others synchronised; only the stuck one failed.
    const others = report.steps.find((s) => s.id === 'pre-sync-storage')!.results.filter((r) => r.device !== stuck);
    expect(others.every((r) => r.status !== 'error')).toBe(true);
  });
});

describe('SyncProgressWatch', () => {
  it('never reports a device that keeps moving, however long the sync', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 600 }),
        (gaps, stall) => {
          const watch = new SyncProgressWatch(stall, 0, ['d']);
          let now = 0;
          let remaining = 1e12;
          for (const gap of gaps) {
            now += Math.min(gap, stall * 1000 - 1);
            remaining -= 1;
            const stalled = watch.update([{ device: 'd', status: 'in-progress', percent: 0, remaining }], now);
            if (stalled.length > 0) return false;
          }
          return true;
        },
      ),
    );
  });

  it('reports a device still for the stall time, and not one that completed', () => {
    const watch = new SyncProgressWatch(100, 0, ['a', 'b']);
    expect(
      watch.update(
        [
          { device: 'a', status: 'in-progress', percent: 10 },
          { device: 'b', status: 'in-progress', percent: 10 },
        ],
        50_000,
      ),
    ).toEqual([]);
    const stalled = watch.update(
      [
        { device: 'a', status: 'in-progress', percent: 10 },
        { device: 'b', status: 'complete', percent: 100 },
      ],
      150_000,
    );
    expect(stalled).toEqual([{ device: 'a', percent: 10, stalledSeconds: 100 }]);
    expect(
      new SyncProgressWatch(0, 0, ['a']).update([{ device: 'a', status: 'in-progress', percent: 0 }], 1e9),
    ).toEqual([]);
  });
});
