import { afterEach, describe, expect, it } from '@jest/globals';
import type { Environment } from '@drctl/domain';
import { Lab, PLAN_1, deviceLines, run, withoutCommandCallouts } from '../sc-series/support.js';

const lab = new Lab();
afterEach(() => lab.release());

/**
 * Issue 10 §2 in the in-process simulator (`--storage simulated`), the same cases as
 * `../sc-series/consistency-groups.test.ts` over the DSM simulator: srmds1 and srmds2 form cg-erp
 * (§5.7); a disaster recovery with vcsite1 lost honours the Data Collector's "always last frozen"
 * (§5.8, Table 1), so both come back from one point in time, or the group fails with the reason.
 */
function lastFrozen(edit: (env: Environment) => void = () => undefined) {
  return lab.techsolVariant((env) => {
    withoutCommandCallouts(env);
    for (const manager of env.arrayManagers) manager.selectableSnapshot = 'always-last-frozen';
    edit(env);
  });
}

describe('in-process simulator: a consistency group recovers from one point in time', () => {
  it('with no common point the promote step fails for the group, with the reason', async () => {
    const environmentPath = lastFrozen((env) => {
      env.volumes.find((v) => v.id === 'srmds2')!.lastReplicatedAt = '2025-12-31T22:00:00Z';
    });
    const ws = await lab.workspace({
      environmentPath,
      stateDir: lab.tempDir(),
      storage: 'simulated',
      inject: ['site-down:vcsite1'],
    });
    const report = await run(ws, { plan: PLAN_1, workflow: 'disaster-recovery' });
    const promoted = deviceLines(report, 'promote-recovery-storage');
    for (const device of ['srmds1', 'srmds2']) {
      expect(promoted[device]).toMatchObject({ status: 'error', code: 'SIM_NO_COMMON_POINT' });
      expect(promoted[device]!.description).toMatch(/cg-erp \(srmds1, srmds2\).*§5\.7/);
    }
  });

  it('after a synchronisation (one snapshot of the group taken together) both devices recover from it', async () => {
    const environmentPath = lastFrozen((env) => {
      env.volumes.find((v) => v.id === 'srmds2')!.lastReplicatedAt = '2025-12-31T22:00:00Z';
    });
    const stateDir = lab.tempDir();
    let ws = await lab.workspace({ environmentPath, stateDir, storage: 'simulated' });
    expect((await run(ws, { plan: PLAN_1, workflow: 'test' })).result).not.toBe('errors');
    expect((await run(ws, { plan: PLAN_1, workflow: 'cleanup' })).result).not.toBe('errors');
    await lab.close(ws);

    ws = await lab.workspace({ environmentPath, stateDir, storage: 'simulated', inject: ['site-down:vcsite1'] });
    const report = await run(ws, { plan: PLAN_1, workflow: 'disaster-recovery' });
    const promoted = deviceLines(report, 'promote-recovery-storage');
    const database = promoted['srmds1']!;
    const logs = promoted['srmds2']!;
    expect([database.status, logs.status]).not.toContain('error');
    expect(database.details!['snapshotSource']).toBe('last frozen snapshot');
    expect(database.details!['frozenAt']).toBeDefined();
    expect(database.details!['frozenAt']).toBe(logs.details!['frozenAt']);
    expect(database.details!['snapshotReason']).toMatch(/common to consistency group cg-erp/);
  });
});
