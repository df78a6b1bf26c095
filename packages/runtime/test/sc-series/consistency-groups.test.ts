import { afterEach, describe, expect, it } from '@jest/globals';
import type { Environment } from '@drctl/domain';
import { Lab, PLAN_1, deviceLines, run, withoutCommandCallouts } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

/**
 * Issue 10 §2 through the engine: srmds1 (the ERP database) and srmds2 (its logs) form
 * consistency group cg-erp (§5.7). A disaster recovery with vcsite1 lost honours "always last
 * frozen" (Table 1): both must come back from one point in time, or not at all.
 */
function plan1LastFrozen(edit: (env: Environment) => void = () => undefined) {
  return lab.techsolVariant((env) => {
    withoutCommandCallouts(env);
    // The Data Collector's setting (§5.8), the same for every manager of the example's DSM.
    for (const manager of env.arrayManagers) manager.selectableSnapshot = 'always-last-frozen';
    edit(env);
  });
}

const frozenAt = (detail: string | undefined) => /frozen (\S+)\)/.exec(detail ?? '')?.[1];

describe('a consistency group recovers from one point in time (engine, SC Series adapter, DSM simulator)', () => {
  it('with no common point the promote step fails for the group, with the reason, not from two points', async () => {
    // The logs' last snapshot replicated an hour before the database's.
    const environmentPath = plan1LastFrozen((env) => {
      env.volumes.find((v) => v.id === 'srmds2')!.lastReplicatedAt = '2026-01-01T14:00:00Z';
    });
    const ws = await lab.workspace({ environmentPath, stateDir: lab.tempDir(), inject: ['site-down:vcsite1'] });
    const report = await run(ws, { plan: PLAN_1, workflow: 'disaster-recovery' });
    const promoted = deviceLines(report, 'promote-recovery-storage');
    for (const device of ['srmds1', 'srmds2']) {
      expect(promoted[device]).toMatchObject({ status: 'error', code: 'SC_NO_COMMON_POINT' });
      expect(promoted[device]!.description).toMatch(/cg-erp \(srmds1, srmds2\)/);
    }
  });

  it('after a synchronisation (one consistent snapshot of the group) both devices recover from it', async () => {
    const environmentPath = plan1LastFrozen();
    const stateDir = lab.tempDir();
    // The test runs with the plan's usual mode (the in-process vCenter follows its active snapshot).
    let ws = await lab.workspace({ environmentPath: lab.techsolVariant(withoutCommandCallouts), stateDir });
    const test = await run(ws, { plan: PLAN_1, workflow: 'test' });
    expect(test.result).toBe('success');
    // The test's sync took one snapshot of the group through its Consistent replay profile.
    expect(ws.dsm!.counters.count({ resource: 'ScReplayProfile', action: 'CreateReplay' })).toBe(1);
    expect((await run(ws, { plan: PLAN_1, workflow: 'cleanup' })).result).toBe('success');
    await lab.close(ws);

    ws = await lab.workspace({ environmentPath, stateDir, inject: ['site-down:vcsite1'] });
    const report = await run(ws, { plan: PLAN_1, workflow: 'disaster-recovery' });
    const promoted = deviceLines(report, 'promote-recovery-storage');
    expect(promoted['srmds1']!.status).not.toBe('error');
    expect(promoted['srmds2']!.status).not.toBe('error');
    const database = promoted['srmds1']!.details!;
    const logs = promoted['srmds2']!.details!;
    expect(database['snapshotSource']).toBe('last frozen snapshot');
    expect(frozenAt(database['snapshot'])).toBeDefined();
    expect(frozenAt(database['snapshot'])).toBe(frozenAt(logs['snapshot']));
    expect(database['consistencyGroup']).toMatch(/common to consistency group cg-erp/);
  });
});
