import { describe, it, expect, afterEach } from '@jest/globals';
import type { CommandContext, SnapshotMode } from '@drctl/domain';
import { RECOVERY, RECOVERY_HOSTS, command, startLab, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const MODES: SnapshotMode[] = [
  'always-active',
  'active-if-replicating-active',
  'always-last-frozen',
  'per-restore-point',
];

/** What Table 1 and the mode say a device gets: "active" or the frozen replay's description. */
function expected(mode: SnapshotMode, honoured: boolean, replicatesActive: boolean): 'active' | 'frozen' {
  if (!honoured) return 'active';
  if (mode === 'always-active') return 'active';
  if (mode === 'active-if-replicating-active') return replicatesActive ? 'active' : 'frozen';
  return 'frozen'; // always-last-frozen; per-restore-point with DSM's default (box cleared)
}

describe('SRM selectable snapshot against Table 1, over the simulator', () => {
  const cases: Array<{ name: string; context: Partial<CommandContext>; honoured: boolean }> = [
    { name: 'test replicating recent changes', context: { workflow: 'test', syncData: true }, honoured: false },
    { name: 'test without replicating recent changes', context: { workflow: 'test', syncData: false }, honoured: true },
  ];
  for (const c of cases) {
    it(`testFailoverStart, ${c.name}: each mode picks as Table 1 says`, async () => {
      lab = await startLab();
      for (const mode of MODES) {
        lab.setSelectableSnapshot(mode);
        const result = await lab.run(
          lab.adapter.testFailoverStart(
            command(RECOVERY, ['ds-app', 'ds-active'], { ...c.context, snapshotMode: mode, hosts: RECOVERY_HOSTS }),
          ),
        );
        for (const device of result.devices) {
          const want = expected(mode, c.honoured, device.device === 'ds-active');
          expect({
            mode,
            device: device.device,
            status: device.status,
            source: device.details?.snapshotSource,
          }).toEqual({
            mode,
            device: device.device,
            status: 'success',
            source: want === 'active' ? 'active snapshot' : 'last frozen snapshot',
          });
          // The seed's last replicated frozen replay is "hourly"; the active snapshot is frozen for the test.
          expect(device.details?.snapshot).toMatch(want === 'active' ? /^drctl test copy/ : /^hourly/);
          expect(device.details?.snapshotReason).toMatch(/Table 1/);
        }
        await lab.run(
          lab.adapter.testFailoverStop(command(RECOVERY, ['ds-app', 'ds-active'], { workflow: 'cleanup' })),
        );
      }
    });
  }

  it('a restore point may name a snapshot; an unknown one is a device error with a fix', async () => {
    lab = await startLab();
    lab.setSelectableSnapshot('per-restore-point');
    const result = await lab.run(
      lab.adapter.testFailoverStart(
        command(RECOVERY, ['ds-app', 'ds-active'], {
          workflow: 'test',
          syncData: false,
          snapshotMode: 'per-restore-point',
          restorePoints: { 'ds-app': 'daily', 'ds-active': 'weekly' },
          hosts: RECOVERY_HOSTS,
        }),
      ),
    );
    expect(result.devices[0]!.details).toMatchObject({
      snapshotSource: 'restore-point snapshot',
      snapshot: expect.stringMatching(/^daily/),
    });
    expect(result.devices[1]!.error).toMatchObject({ code: 'SC_SNAPSHOT_NOT_FOUND', fixHint: expect.any(String) });
  });

  it('planned migration ignores the setting; disaster recovery honours it only with the protected site down', async () => {
    lab = await startLab();
    lab.setSelectableSnapshot('always-last-frozen');
    const planned = await lab.run(
      lab.adapter.failover(
        command(RECOVERY, ['ds-app'], {
          workflow: 'planned-migration',
          snapshotMode: 'always-last-frozen',
          hosts: RECOVERY_HOSTS,
        }),
      ),
    );
    expect(planned.devices[0]!.details).toMatchObject({
      snapshotSource: 'active snapshot',
      snapshotReason: expect.stringMatching(/not honoured in a planned migration/),
    });

    const drUp = await lab.run(
      lab.adapter.failover(
        command(RECOVERY, ['ds-sync'], {
          workflow: 'disaster-recovery',
          protectedSiteUp: true,
          snapshotMode: 'always-last-frozen',
          hosts: RECOVERY_HOSTS,
        }),
      ),
    );
    expect(drUp.devices[0]!.details).toMatchObject({
      snapshotSource: 'active snapshot',
      snapshotReason: expect.stringMatching(/protected site is up/),
    });

    lab.sim.faults.storageCenterDown(64702);
    const drDown = await lab.run(
      lab.adapter.failover(
        command(RECOVERY, ['ds-active'], {
          workflow: 'disaster-recovery',
          protectedSiteUp: false,
          snapshotMode: 'always-last-frozen',
          hosts: RECOVERY_HOSTS,
        }),
      ),
    );
    const device = drDown.devices[0]!;
    expect(device.status).toBe('success');
    expect(device.details).toMatchObject({
      snapshotSource: 'last frozen snapshot',
      snapshot: expect.stringMatching(/^hourly/),
      snapshotReason: expect.stringMatching(/protected site down/),
    });
    // The recovered volume is a view of that snapshot, named like the device and presented to the recovery hosts.
    const state = lab.sim.model.state;
    const promoted = state.volumes.get(device.details!.promotedVolume!)!;
    expect(promoted.name).toBe('ds-active');
    expect(promoted.viewOfReplayId).toBeDefined();
    expect(state.mappingsOfVolume(promoted.id)).toHaveLength(RECOVERY_HOSTS.length);
    const before = lab.sim.counters.count();
    const again = await lab.run(
      lab.adapter.failover(
        command(RECOVERY, ['ds-active'], {
          workflow: 'disaster-recovery',
          protectedSiteUp: false,
          snapshotMode: 'always-last-frozen',
          hosts: RECOVERY_HOSTS,
        }),
      ),
    );
    expect(again.devices[0]!.warnings.join(' ')).toMatch(/already failed over/);
    expect(lab.sim.counters.count()).toBe(before);
  });
});

describe('the selectable-snapshot setting is read from the Data Collector over REST (§5.8)', () => {
  const honouredTest = { workflow: 'test', syncData: false, hosts: RECOVERY_HOSTS } as const;

  it('the Data Collector seeded from the environment serves the file’s setting: the command agrees, no warning', async () => {
    lab = await startLab({
      edit: (env) => {
        env.arrayManagers[0]!.selectableSnapshot = 'always-last-frozen';
      },
    });
    const result = await lab.run(
      lab.adapter.testFailoverStart(
        command(RECOVERY, ['ds-active'], { ...honouredTest, snapshotMode: 'always-last-frozen' }),
      ),
    );
    const device = result.devices[0]!;
    expect(device.status).toBe('success');
    expect(device.details?.snapshotSource).toBe('last frozen snapshot');
    expect(device.warnings).toEqual([]);
  });

  it('DSM applies its own setting: a file that says otherwise gets DSM’s choice and a warning naming both', async () => {
    lab = await startLab();
    // An administrator changed the Data Collector's setting; the environment file still says "always active".
    lab.setSelectableSnapshot('always-last-frozen');
    const result = await lab.run(
      lab.adapter.testFailoverStart(
        command(RECOVERY, ['ds-app', 'ds-active'], { ...honouredTest, snapshotMode: 'always-active' }),
      ),
    );
    for (const device of result.devices) {
      expect({ device: device.device, source: device.details?.snapshotSource }).toEqual({
        device: device.device,
        source: 'last frozen snapshot',
      });
      expect(device.details?.snapshot).toMatch(/^hourly/);
      expect(device.warnings.join(' ')).toMatch(
        /Data Collector's SRM selectable snapshot is always-last-frozen, but the environment file says always-active .*§5\.8/,
      );
    }
  });

  it('where Table 1 does not honour the setting, DSM’s setting changes nothing and warns of nothing', async () => {
    lab = await startLab();
    lab.setSelectableSnapshot('always-last-frozen');
    const result = await lab.run(
      lab.adapter.failover(
        command(RECOVERY, ['ds-app'], {
          workflow: 'planned-migration',
          snapshotMode: 'always-active',
          hosts: RECOVERY_HOSTS,
        }),
      ),
    );
    expect(result.devices[0]!.details?.snapshotSource).toBe('active snapshot');
    expect(result.devices[0]!.warnings.join(' ')).not.toMatch(/selectable snapshot/);
  });

  it('a Data Collector that cannot say its setting fails the command with the reason, rather than guess', async () => {
    lab = await startLab();
    lab.sim.faults.add({ kind: 'server-error', method: 'GET', path: 'DataCollector/SrmSelectableSnapshotSettings' });
    const result = await lab.run(
      lab.adapter.testFailoverStart(command(RECOVERY, ['ds-app'], { ...honouredTest, snapshotMode: 'always-active' })),
    );
    expect(result.devices[0]!.status).toBe('error');
    expect(lab.sim.model.state.volumes.size).toBeGreaterThan(0);
    expect([...lab.sim.model.state.volumes.values()].some((v) => v.name === 'drctl-test ds-app')).toBe(false);
  });
});
