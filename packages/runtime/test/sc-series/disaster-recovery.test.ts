import { afterEach, describe, expect, it } from '@jest/globals';
import type { Environment } from '@drctl/domain';
import {
  Lab,
  PLAN_1,
  PLAN_2,
  POWER_ON,
  SC_13,
  callsBetween,
  deviceLines,
  run,
  stepStatuses,
  withoutCommandCallouts,
  withRemoteDataCollectorAt,
} from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

const PROTECTED_SITE_STEPS = [
  'pre-sync-storage',
  'shutdown-protected-vms',
  'resume-protected-vms',
  'prepare-protected-storage',
  'sync-storage',
];

describe('disaster recovery over HTTPS against the DSM simulator', () => {
  it('with the protected site down: its errors become warnings, the Live Volume secondary is activated; run again later to finish, then reprotect', async () => {
    const environmentPath = lab.techsolVariant(withoutCommandCallouts);
    const stateDir = lab.tempDir();

    // vcsite1 is lost: its vCenter does not answer and SC 12 is disconnected from the Data Collector.
    let ws = await lab.workspace({ environmentPath, stateDir, inject: ['site-down:vcsite1'] });
    const disaster = await run(ws, { plan: PLAN_1, workflow: 'disaster-recovery' });
    await lab.close(ws);
    expect(disaster.result).toBe('warnings');
    expect(stepStatuses(disaster)).toEqual([
      ['pre-sync-storage', 'warning'],
      ['shutdown-protected-vms', 'warning'],
      // Plan 1 suspends no VM at vcsite1: nothing to resume there, nothing asked of the lost site.
      ['resume-protected-vms', 'skipped'],
      ['prepare-protected-storage', 'warning'],
      ['sync-storage', 'warning'],
      ['suspend-recovery-vms', 'success'],
      ['promote-recovery-storage', 'warning'],
      ['rescan-hosts', 'success'],
      ['match-stretched-devices', 'success'],
      ['mount-datastores', 'success'],
      ...POWER_ON.map((id) => [id, 'success']),
    ]);
    const prepared = deviceLines(disaster, 'prepare-protected-storage');
    expect(Object.values(prepared).map((l) => [l.status, l.description])).toEqual(
      Array(3).fill(['error', expect.stringMatching(/Storage Center SC 12 \(697\) is not connected/)]),
    );
    const promoted = deviceLines(disaster, 'promote-recovery-storage');
    expect(promoted['srmds1']).toMatchObject({ status: 'success' });
    expect(promoted['srmlv1']).toMatchObject({ status: 'warning', details: { role: 'activated secondary' } });
    expect(disaster.notes.join(' ')).toMatch(/run disaster-recovery again when it is reachable/);
    expect(disaster.vms.every((v) => v.status === 'recovered' || v.status === 'skipped')).toBe(true);

    // The site is back: the same recovery runs again and only finishes the protected side.
    ws = await lab.workspace({ environmentPath, stateDir });
    const before = ws.dsm!.counters.list();
    const again = await run(ws, { plan: PLAN_1, workflow: 'disaster-recovery' });
    const rerunCalls = callsBetween(before, ws.dsm!.counters.list());
    expect(again.result).toBe('success');
    expect(Object.fromEntries(stepStatuses(again))).toMatchObject({
      'shutdown-protected-vms': 'success',
      'prepare-protected-storage': 'success',
      'promote-recovery-storage': 'already-done',
      'mount-datastores': 'already-done',
    });
    // Nothing on the recovery side was sent again: no promotion, no mapping, no role swap.
    expect([...rerunCalls.keys()].filter((k) => /SwapRoles|MapToServer|MapSecondaryVolume/.test(k))).toEqual([]);

    const reprotect = await run(ws, { plan: PLAN_1, workflow: 'reprotect' });
    expect(reprotect.result).toBe('success');
    expect(deviceLines(reprotect, 'reverse-replication')['srmlv1']!.details).toMatchObject({
      note: 'roles swapped now that both arrays are up',
    });
    const lv = ws.dsm!.model.liveVolumes()[0]!;
    expect(lv).toMatchObject({ primaryScSerialNumber: SC_13, secondaryRole: 'Secondary' });
    // Activated in the disaster, swapped at reprotect: one SwapRoles each.
    expect(ws.dsm!.counters.count({ resource: 'ScLiveVolume', action: 'SwapRoles' })).toBe(2);
  });

  it('forced recovery skips the protected site entirely and sends nothing to its array', async () => {
    const ws = await lab.workspace({
      // vcsite2's loss takes the example's Data Collector with it: vcsite1's manager uses a Remote one (§4.1).
      environmentPath: lab.techsolVariant((env) => {
        withoutCommandCallouts(env);
        withRemoteDataCollectorAt('vcsite1')(env);
        env.settings['recovery.forceRecovery'] = true;
      }),
      stateDir: lab.tempDir(),
      inject: ['site-down:vcsite2'],
    });
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery', forcedRecovery: true });
    expect(report.mode).toBe('forced');
    expect(report.result).toBe('success');
    expect(stepStatuses(report).slice(0, PROTECTED_SITE_STEPS.length)).toEqual(
      PROTECTED_SITE_STEPS.map((id) => [id, 'skipped']),
    );
    expect(Object.fromEntries(stepStatuses(report))).toMatchObject({
      'promote-recovery-storage': 'success',
      'mount-datastores': 'success',
    });
    expect(report.storageCommands.map((c) => [c.command, c.arrayId])).toEqual([['failover', 'SC 12']]);
    // Every state-changing call went to SC 12 (serial 697): the lost SC 13 saw none.
    const calls = ws.dsm!.counters.list();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.object.includes(`${SC_13}.`))).toEqual([]);
  });
});

describe('a site-down rehearsal takes the Data Collector at that site down with it (§4.1)', () => {
  const lostRecovery = (edit: (env: Environment) => void = () => undefined) =>
    lab.techsolVariant((env) => {
      withoutCommandCallouts(env);
      edit(env);
    });

  it('with the single Data Collector at the lost site, no storage command reaches an array: the recovery stops incomplete', async () => {
    // The example's one Data Collector runs at vcsite2; plan 2 protects vcsite2 and recovers at vcsite1.
    const ws = await lab.workspace({
      environmentPath: lostRecovery(),
      stateDir: lab.tempDir(),
      inject: ['site-down:vcsite2'],
    });
    const before = ws.dsm!.counters.list();
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    expect(report.result).toBe('incomplete');
    expect(Object.fromEntries(stepStatuses(report))).toMatchObject({ 'promote-recovery-storage': 'error' });
    const promoted = deviceLines(report, 'promote-recovery-storage');
    expect(Object.keys(promoted).sort()).toEqual(['srmds3', 'srmds4']);
    for (const line of Object.values(promoted)) {
      expect(line.status).toBe('error');
      expect(line.description).toMatch(/Connection to DSM failed/);
    }
    expect(report.vms.some((v) => v.status === 'recovered')).toBe(false);
    // Nothing reached the arrays: SC 12 at the surviving site was not promoted either.
    expect(callsBetween(before, ws.dsm!.counters.list()).size).toBe(0);
  });

  it("with a Remote Data Collector at the surviving site (the guide's advice), the same loss recovers", async () => {
    const ws = await lab.workspace({
      environmentPath: lostRecovery(withRemoteDataCollectorAt('vcsite1')),
      stateDir: lab.tempDir(),
      inject: ['site-down:vcsite2'],
    });
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    expect(report.result).toBe('warnings');
    expect(Object.fromEntries(stepStatuses(report))).toMatchObject({
      'promote-recovery-storage': 'success',
      'mount-datastores': 'success',
    });
    expect(report.vms.filter((v) => v.status === 'recovered').length).toBeGreaterThan(0);
  });
});
