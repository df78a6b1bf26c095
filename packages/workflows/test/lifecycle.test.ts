import { describe, expect, it } from '@jest/globals';
import { DrError, STATE_CHANGING_COMMANDS } from '@drctl/domain';
import { createHarness, smallEnvironment, stepStatuses } from './harness.js';

describe('a plan through its whole lifecycle on the simulated environment', () => {
  it('runs test → cleanup → planned migration → reprotect → failback in SRM step order', async () => {
    const h = createHarness(smallEnvironment());
    const plan = h.env.plans[0]!.name;

    const test = await h.run({ plan, workflow: 'test' });
    expect(test.result).toBe('success');
    expect(stepStatuses(test).map(([id]) => id)).toEqual([
      'sync-storage',
      'suspend-recovery-vms',
      'create-test-snapshots',
      'rescan-hosts',
      'match-stretched-devices',
      'mount-datastores',
      'configure-test-networks',
      'power-on-priority-1',
      'power-on-priority-2',
      'power-on-priority-3',
      'power-on-priority-4',
      'power-on-priority-5',
    ]);
    expect(test.vms.every((v) => v.status === 'recovered')).toBe(true);
    expect((await h.engine.planStatus(plan)).state).toBe('test-complete');

    await expect(h.run({ plan, workflow: 'planned-migration' })).rejects.toThrow(/run cleanup first/);

    const cleanup = await h.run({ plan, workflow: 'cleanup' });
    expect(cleanup.result).toBe('success');
    expect(stepStatuses(cleanup).map(([id]) => id)).toEqual([
      'power-off-test-vms',
      'resume-recovery-vms',
      'discard-test-storage',
      'rescan-hosts',
    ]);
    expect((await h.engine.planStatus(plan)).state).toBe('ready');

    const migration = await h.run({ plan, workflow: 'planned-migration' });
    expect(migration.result).toBe('success');
    expect(migration.mode).toBe('planned');
    expect((await h.engine.planStatus(plan)).state).toBe('recovery-complete');
    expect(h.world.effectCount('failover')).toBeGreaterThan(0);

    const reprotect = await h.run({ plan, workflow: 'reprotect' });
    expect(stepStatuses(reprotect).map(([id]) => id)).toEqual([
      'reverse-replication',
      'create-placeholders',
      'cleanup-storage',
      'sync-storage',
    ]);
    expect(['success', 'warnings']).toContain(reprotect.result);
    const afterReprotect = await h.engine.planStatus(plan);
    expect(afterReprotect).toMatchObject({ state: 'ready', reversed: true });
    expect(afterReprotect.protectedSite).toBe(h.env.plans[0]!.recoverySite);

    const failback = await h.run({ plan, workflow: 'failback' });
    expect(['success', 'warnings']).toContain(failback.result);
    expect(failback.steps.filter((s) => s.target === undefined).map((s) => s.title)).toContain(
      'Reverse replication (reprotect)',
    );
    const back = await h.engine.planStatus(plan);
    expect(back).toMatchObject({ state: 'ready', reversed: false, protectedSite: h.env.plans[0]!.protectedSite });
    // Each device was promoted exactly twice (there and back): never a second promotion, and no
    // state-changing command was sent again after it took effect (Live Volumes swap roles at
    // failover, so their reverse replication is already in place and reported as such).
    for (const volume of h.env.volumes) {
      expect(h.world.effectCount('failover', volume.id)).toBe(2);
      if (volume.liveVolume) continue;
      for (const command of STATE_CHANGING_COMMANDS) expect(h.world.noOpCount(command, volume.id)).toBe(0);
    }
  });

  it('refuses reprotect on a ready plan with the reason', async () => {
    const h = createHarness(smallEnvironment());
    const error = await h.engine.start({ plan: h.env.plans[0]!.name, workflow: 'reprotect' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrError);
    expect((error as DrError).code).toBe('DR_OPERATION_REFUSED');
    expect((error as DrError).message).toMatch(/is ready, so reprotect cannot start/);
  });
});
