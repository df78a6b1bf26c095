import { afterEach, describe, expect, it } from '@jest/globals';
import type { RunReport } from '@drctl/domain';
import type { Workspace } from '../../src/index.js';
import { Lab, PLAN_1, POWER_ON, SC_12, SC_13, callsBetween, deviceLines, run, stepStatuses } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

const RECOVERY_HOSTS_VCSITE2 = 6;
const ok = (ids: readonly string[]) => ids.map((id) => [id, 'success']);

/** Runs one workflow in a fresh workspace over the state folder, as one `drctl run` process would. */
async function inNewProcess(
  stateDir: string,
  workflow: 'test' | 'cleanup' | 'planned-migration' | 'reprotect' | 'failback',
  check: (ws: Workspace) => void = () => undefined,
) {
  const ws = await lab.workspace({ stateDir });
  check(ws);
  const before = ws.dsm!.counters.list();
  const report = await run(ws, { plan: PLAN_1, workflow });
  const calls = callsBetween(before, ws.dsm!.counters.list());
  const model = ws.dsm!.model;
  await lab.close(ws);
  return { report, calls, model };
}

function commandsOf(report: RunReport) {
  return report.storageCommands.map((c) => [c.command, c.arrayId, c.status]);
}

describe('techsol plan 1 over HTTPS against the DSM simulator, one process per workflow', () => {
  it('runs test, cleanup, planned migration, reprotect and failback with the Live Volume, each step as SRM orders it', async () => {
    const stateDir = lab.tempDir();

    const test = await inNewProcess(stateDir, 'test', (ws) => {
      expect(ws.dsm).toBeDefined();
      expect(ws.dsm!.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/rest\/$/);
    });
    expect(test.report.result).toBe('success');
    expect(stepStatuses(test.report)).toEqual(
      ok([
        'sync-storage',
        'suspend-recovery-vms',
        'create-test-snapshots',
        'rescan-hosts',
        'match-stretched-devices',
        'mount-datastores',
        'configure-test-networks',
        ...POWER_ON,
      ]),
    );
    // commandTimeout 300 s + 90 s for the one Live Volume.
    expect(test.report.settings.appliedCommandTimeoutSeconds).toBe(390);
    expect(test.report.storageCommands.every((c) => c.timeoutSeconds === 390)).toBe(true);
    expect(commandsOf(test.report)).toEqual(
      expect.arrayContaining([
        ['syncOnce', 'SC 12', 'success'],
        ['testFailoverStart', 'SC 13', 'success'],
      ]),
    );
    // The test copies are view volumes on SC 13, presented to every vcsite2 host.
    const views = [...test.model.state.volumes.values()].filter((v) => v.name.startsWith('drctl-test '));
    expect(views.map((v) => [v.name, v.ssn]).sort()).toEqual([
      ['drctl-test srmds1', SC_13],
      ['drctl-test srmds2', SC_13],
      ['drctl-test srmlv1', SC_13],
    ]);
    for (const view of views)
      expect(test.model.state.hostMappingsOfVolume(view.id)).toHaveLength(RECOVERY_HOSTS_VCSITE2);
    const testSnapshots = deviceLines(test.report, 'create-test-snapshots');
    expect(testSnapshots['srmds1']!.details).toMatchObject({
      snapshotSource: 'active snapshot',
      snapshotReason: expect.stringContaining('not honoured in a test that replicates recent changes'),
    });

    const cleanup = await inNewProcess(stateDir, 'cleanup');
    expect(cleanup.report.result).toBe('success');
    expect(stepStatuses(cleanup.report)).toEqual(
      ok(['power-off-test-vms', 'resume-recovery-vms', 'discard-test-storage', 'rescan-hosts']),
    );
    expect(
      [...cleanup.model.state.volumes.values()].filter((v) => v.name.startsWith('drctl-test ') && !v.inRecycleBin),
    ).toEqual([]);

    const migration = await inNewProcess(stateDir, 'planned-migration');
    expect(migration.report.result).toBe('success');
    expect(stepStatuses(migration.report)).toEqual([
      ...ok(['pre-sync-storage', 'shutdown-protected-vms']),
      // Nothing was suspended at vcsite1 by an earlier recovery.
      ['resume-protected-vms', 'skipped'],
      ...ok([
        'prepare-protected-storage',
        'sync-storage',
        'suspend-recovery-vms',
        'promote-recovery-storage',
        'rescan-hosts',
        'match-stretched-devices',
        'mount-datastores',
        ...POWER_ON,
      ]),
    ]);
    const promoted = deviceLines(migration.report, 'promote-recovery-storage');
    expect(promoted['srmlv1']!.details).toMatchObject({ role: 'primary', liveVolume: expect.any(String) });
    expect(promoted['srmds1']!.details).toMatchObject({
      snapshotSource: 'active snapshot',
      snapshotReason: expect.stringContaining('not honoured in a planned migration'),
    });
    // The Live Volume swapped roles once; the plain replications were broken (kept Down for reprotect).
    expect([...migration.calls].filter(([k]) => k.includes('SwapRoles')).map(([, n]) => n)).toEqual([1]);
    const lv = migration.model.liveVolumes()[0]!;
    expect(lv['primaryScSerialNumber']).toBe(SC_13);
    expect(
      migration.model
        .replications()
        .filter((r) => !r['managedByLiveVolume'])
        .map((r) => [r['scSerialNumber'], r['state']]),
    ).toEqual(expect.arrayContaining([[SC_12, 'Down']]));

    const reprotect = await inNewProcess(stateDir, 'reprotect');
    expect(reprotect.report.result).toBe('success');
    expect(stepStatuses(reprotect.report)).toEqual(
      ok(['reverse-replication', 'create-placeholders', 'cleanup-storage', 'sync-storage']),
    );
    // srmds1 and srmds2 now replicate SC 13 → SC 12, running.
    const reversed = reprotect.model
      .replications()
      .filter((r) => ['srmds1', 'srmds2'].includes((r['sourceVolume'] as { instanceName: string }).instanceName));
    expect(reversed.map((r) => [r['scSerialNumber'], r['destinationScSerialNumber'], r['state']])).toEqual([
      [SC_13, SC_12, 'Up'],
      [SC_13, SC_12, 'Up'],
    ]);

    const failback = await inNewProcess(stateDir, 'failback');
    expect(failback.report.result).toBe('success');
    expect(stepStatuses(failback.report).every(([, status]) => status === 'success' || status === 'skipped')).toBe(
      true,
    );
    expect(stepStatuses(failback.report).map(([id]) => id)).toEqual(
      expect.arrayContaining(['promote-recovery-storage', 'reverse-replication', 'cleanup-storage']),
    );
    // Back home: SC 12 is the source of every plan-1 device again, the Live Volume primary there.
    expect(failback.model.liveVolumes()[0]!['primaryScSerialNumber']).toBe(SC_12);
    const home = failback.model
      .replications()
      .filter((r) => ['srmds1', 'srmds2'].includes((r['sourceVolume'] as { instanceName: string }).instanceName));
    expect(home.map((r) => [r['scSerialNumber'], r['state']])).toEqual([
      [SC_12, 'Up'],
      [SC_12, 'Up'],
    ]);

    // Within every workflow each state-changing DSM call took effect once.
    for (const { report, calls } of [test, cleanup, migration, reprotect, failback]) {
      expect({ workflow: report.workflow, repeated: [...calls].filter(([, n]) => n > 1) }).toEqual({
        workflow: report.workflow,
        repeated: [],
      });
    }
    // Virtual time ran on across the five processes.
    const reports = [test, cleanup, migration, reprotect, failback].map((r) => r.report);
    for (let i = 1; i < reports.length; i++)
      expect(Date.parse(reports[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(reports[i - 1]!.finishedAt!));
  });
});
