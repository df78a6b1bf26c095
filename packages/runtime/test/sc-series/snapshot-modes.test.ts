import { afterEach, describe, expect, it } from '@jest/globals';
import { DrError, type Environment, type SnapshotMode } from '@drctl/domain';
import { Lab, PLAN_1, PLAN_2, deviceLines, run, withoutCommandCallouts, withRemoteDataCollectorAt } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

/**
 * SRM selectable snapshot (source §5.8, Table 1) on plan 2: srmds3 replicates its active snapshot,
 * srmds4 only frozen snapshots. Both destinations hold the seeded `daily` and `hourly` replays;
 * `hourly` is the last frozen snapshot that finished replicating.
 */
function plan2With(
  mode: SnapshotMode,
  restorePoints: Record<string, string> = {},
  edit: (env: Environment) => void = () => undefined,
) {
  return lab.techsolVariant((env: Environment) => {
    withoutCommandCallouts(env);
    edit(env);
    // One DSM-wide setting (§5.8): both array managers use the example's one Data Collector.
    for (const manager of env.arrayManagers) manager.selectableSnapshot = mode;
    env.plans.find((p) => p.name === PLAN_2)!.restorePoints = restorePoints;
  });
}

type Expected = { source: string; snapshot: RegExp; reason: RegExp };
const ACTIVE_TEST_COPY = /^drctl test copy \(/; // active snapshot: a replay of the destination taken now (§5.5)
const LAST_FROZEN = /^hourly \(/;
const HONOURED_IN_TEST = /honoured in a test with "replicate recent changes" off \(Table 1\)/;

const HONOURED: Array<{
  mode: SnapshotMode;
  restorePoints?: Record<string, string>;
  srmds3: Expected;
  srmds4: Expected;
}> = [
  {
    mode: 'always-active',
    srmds3: { source: 'active snapshot', snapshot: ACTIVE_TEST_COPY, reason: /mode always-active/ },
    srmds4: { source: 'active snapshot', snapshot: ACTIVE_TEST_COPY, reason: /mode always-active/ },
  },
  {
    mode: 'active-if-replicating-active',
    srmds3: {
      source: 'active snapshot',
      snapshot: ACTIVE_TEST_COPY,
      reason: /replication replicates the active snapshot/,
    },
    srmds4: { source: 'last frozen snapshot', snapshot: LAST_FROZEN, reason: /does not replicate the active snapshot/ },
  },
  {
    mode: 'always-last-frozen',
    srmds3: { source: 'last frozen snapshot', snapshot: LAST_FROZEN, reason: /mode always-last-frozen/ },
    srmds4: { source: 'last frozen snapshot', snapshot: LAST_FROZEN, reason: /mode always-last-frozen/ },
  },
  {
    mode: 'per-restore-point',
    restorePoints: { srmds3: 'daily', srmds4: 'active' },
    srmds3: {
      source: 'restore-point snapshot',
      snapshot: /^daily \(/,
      reason: /snapshot "daily" chosen for this restore point/,
    },
    srmds4: { source: 'active snapshot', snapshot: ACTIVE_TEST_COPY, reason: /restore point uses the active snapshot/ },
  },
];

describe('SRM selectable snapshot against Table 1, through the engine and the DSM simulator', () => {
  it.each(HONOURED)(
    'a test with "replicate recent changes" off honours $mode',
    async ({ mode, restorePoints, srmds3, srmds4 }) => {
      const ws = await lab.workspace({ environmentPath: plan2With(mode, restorePoints), stateDir: lab.tempDir() });
      const report = await run(ws, { plan: PLAN_2, workflow: 'test', syncData: false });
      expect(report.result).toBe('success');
      const lines = deviceLines(report, 'create-test-snapshots');
      for (const [device, expected] of Object.entries({ srmds3, srmds4 })) {
        const details = lines[device]!.details!;
        expect({ device, source: details['snapshotSource'] }).toEqual({ device, source: expected.source });
        expect(details['snapshot']).toMatch(expected.snapshot);
        expect(details['snapshotReason']).toMatch(expected.reason);
        expect(details['snapshotReason']).toMatch(HONOURED_IN_TEST);
        // The array agrees: the test view volume was made from the replay the report names.
        const state = ws.dsm!.model.state;
        const view = [...state.volumes.values()].find((v) => v.name === `drctl-test ${device}`)!;
        expect(details['snapshot']!.startsWith(`${state.replays.get(view.viewOfReplayId!)!.description} (`)).toBe(true);
      }
    },
  );

  it('a test that replicates recent changes, a planned migration and a disaster recovery with the protected site up present the active snapshot', async () => {
    const env = plan2With('always-last-frozen');
    const cases = [
      {
        start: { plan: PLAN_2, workflow: 'test' as const },
        step: 'create-test-snapshots',
        reason: /not honoured in a test that replicates recent changes/,
      },
      {
        start: { plan: PLAN_2, workflow: 'planned-migration' as const },
        step: 'promote-recovery-storage',
        reason: /not honoured in a planned migration/,
      },
      {
        start: { plan: PLAN_2, workflow: 'disaster-recovery' as const },
        step: 'promote-recovery-storage',
        reason: /not honoured in disaster recovery while the protected site is up/,
      },
    ];
    for (const c of cases) {
      const ws = await lab.workspace({ environmentPath: env, stateDir: lab.tempDir() });
      const report = await run(ws, c.start);
      expect({ workflow: c.start.workflow, result: report.result }).toEqual({
        workflow: c.start.workflow,
        result: 'success',
      });
      for (const device of ['srmds3', 'srmds4']) {
        const details = deviceLines(report, c.step)[device]!.details!;
        expect({ workflow: c.start.workflow, device, source: details['snapshotSource'] }).toEqual({
          workflow: c.start.workflow,
          device,
          source: 'active snapshot',
        });
        expect(details['snapshotReason']).toMatch(c.reason);
      }
      await lab.close(ws);
    }
  });

  it('a disaster recovery with the protected site down honours the mode: the last frozen snapshot becomes the device', async () => {
    const ws = await lab.workspace({
      // vcsite2's loss takes the example's Data Collector with it: vcsite1's manager uses a Remote one (§4.1).
      environmentPath: plan2With('always-last-frozen', {}, withRemoteDataCollectorAt('vcsite1')),
      stateDir: lab.tempDir(),
      inject: ['site-down:vcsite2'],
    });
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    expect(report.result).toBe('warnings');
    const lines = deviceLines(report, 'promote-recovery-storage');
    const state = ws.dsm!.model.state;
    for (const device of ['srmds3', 'srmds4']) {
      const details = lines[device]!.details!;
      expect({ device, source: details['snapshotSource'] }).toEqual({ device, source: 'last frozen snapshot' });
      expect(details['snapshot']).toMatch(LAST_FROZEN);
      expect(details['snapshotReason']).toMatch(
        /honoured in disaster recovery with the protected site down \(Table 1\)/,
      );
      // The promoted volume is a view of that snapshot, named like the device and presented at vcsite1.
      const promoted = state.volumes.get(details['promotedVolume']!)!;
      expect(promoted.name).toBe(device);
      expect(state.replays.get(promoted.viewOfReplayId!)!.description).toBe('hourly');
      expect(state.hostMappingsOfVolume(promoted.id).length).toBeGreaterThan(0);
    }
  });
});

describe('one selectable-snapshot setting per Data Collector (§5.8), through the engine and the DSM simulator', () => {
  /** A file from before the setting moved: the mode on the plans, nothing on the array managers. */
  const oldFile = (modes: Partial<Record<string, SnapshotMode>>) =>
    lab.techsolVariant((env: Environment) => {
      withoutCommandCallouts(env);
      for (const manager of env.arrayManagers) delete manager.selectableSnapshot;
      for (const plan of env.plans) {
        const mode = modes[plan.name];
        if (mode === undefined) delete plan.snapshotMode;
        else plan.snapshotMode = mode;
      }
    });

  it('an old per-plan snapshotMode becomes the Data Collector’s setting: the other plan on it follows', async () => {
    const ws = await lab.workspace({
      environmentPath: oldFile({ [PLAN_2]: 'always-last-frozen' }),
      stateDir: lab.tempDir(),
    });
    // The DSM simulator holds the one setting, as a real Data Collector does.
    expect(ws.dsm!.model.state.dataCollectorSettings.srmSelectableSnapshot).toBe('AlwaysUseLastFrozenSnapshot');
    // Plan 1 never named a mode, but its storage is on the same Data Collector: same choice.
    const report = await run(ws, { plan: PLAN_1, workflow: 'test', syncData: false });
    const lines = deviceLines(report, 'create-test-snapshots');
    expect(lines['srmlv1']!.details!['snapshotSource']).toBe('last frozen snapshot');
    expect(lines['srmlv1']!.details!['snapshotReason']).toMatch(/mode always-last-frozen/);
    // Last frozen for cg-erp too, whose seeded replays reached SC 13 at different times: the group
    // has no common point and fails with the reason (§5.7) instead of mixing points in time.
    for (const device of ['srmds1', 'srmds2'])
      expect({ device, code: lines[device]!.code }).toEqual({ device, code: 'SC_NO_COMMON_POINT' });
  });

  it('two plans on the same Data Collector that disagree are refused, naming the field to change', async () => {
    const error = await lab
      .workspace({
        environmentPath: oldFile({ [PLAN_1]: 'always-active', [PLAN_2]: 'active-if-replicating-active' }),
        stateDir: lab.tempDir(),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrError);
    expect((error as DrError).issues).toEqual([
      {
        path: 'plans[1].snapshotMode',
        message: expect.stringMatching(/Data Collector is set to always-active.*§5\.8/),
      },
    ]);
  });

  it('the Data Collector’s own setting decides; a file that says otherwise is named in a warning', async () => {
    const ws = await lab.workspace({ environmentPath: plan2With('always-active'), stateDir: lab.tempDir() });
    // An administrator changed the setting in DSM after the file was written.
    ws.dsm!.model.state.dataCollectorSettings.srmSelectableSnapshot = 'AlwaysUseLastFrozenSnapshot';
    const report = await run(ws, { plan: PLAN_2, workflow: 'test', syncData: false });
    expect(report.result).toBe('warnings');
    const lines = deviceLines(report, 'create-test-snapshots');
    for (const device of ['srmds3', 'srmds4']) {
      expect({ device, source: lines[device]!.details!['snapshotSource'] }).toEqual({
        device,
        source: 'last frozen snapshot',
      });
      expect(lines[device]!.status).toBe('warning');
      expect(lines[device]!.description).toMatch(
        /SRM selectable snapshot is always-last-frozen, but the environment file says always-active/,
      );
    }
  });
});
