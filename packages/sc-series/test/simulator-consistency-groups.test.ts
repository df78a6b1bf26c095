import { afterEach, describe, expect, it } from '@jest/globals';
import type { CommandContext } from '@drctl/domain';
import { PROTECTED, RECOVERY, RECOVERY_HOSTS, command, startLab, syncToCompletion, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** ds-app and ds-active hold one application: consistency group cg-app (§5.7). */
const GROUP = ['ds-app', 'ds-active'];
const groups = { 'ds-app': 'cg-app', 'ds-active': 'cg-app' };

function withGroup() {
  return startLab({
    edit: (env) => {
      for (const volume of env.volumes) if (GROUP.includes(volume.id)) volume.consistencyGroup = 'cg-app';
      // The Data Collector's setting (§5.8), seeded into the DSM simulator.
      env.arrayManagers[0]!.selectableSnapshot = 'always-last-frozen';
    },
  });
}

/** A disaster recovery with the protected site down, honouring "always last frozen" (Table 1). */
const recovery: Partial<CommandContext> = {
  workflow: 'disaster-recovery',
  protectedSiteUp: false,
  snapshotMode: 'always-last-frozen',
  hosts: RECOVERY_HOSTS,
  consistencyGroups: groups,
};

const frozenAt = (detail: string | undefined) => /frozen (\S+)\)/.exec(detail ?? '')?.[1];

describe('consistency groups over the DSM REST API (issue 10 §2)', () => {
  it('reports supportsConsistencyGroups', async () => {
    lab = await startLab();
    const capabilities = await lab.adapter.queryCapabilities({ signal: new AbortController().signal });
    expect(capabilities.supportsConsistencyGroups).toBe(true);
  });

  it('snapshots the devices of a group together: one consistent snapshot of its replay profile', async () => {
    lab = await withGroup();
    const sync = await lab.run(
      lab.adapter.syncOnce(command(PROTECTED, GROUP, { workflow: 'test', consistencyGroups: groups })),
    );
    expect(sync.devices.map((d) => d.status)).toEqual(['success', 'success']);
    expect(lab.sim.counters.count({ resource: 'ScReplayProfile', action: 'CreateReplay' })).toBe(1);
    expect(lab.sim.counters.count({ resource: 'ScVolume', action: 'CreateReplay' })).toBe(0);
    const [app, active] = sync.devices.map((d) => d.details?.['syncSnapshot']);
    expect(frozenAt(app)).toBeDefined();
    expect(frozenAt(app)).toBe(frozenAt(active));
  });

  it('without a consistent snapshot common to the group, the recovery fails for the group with the reason', async () => {
    lab = await withGroup();
    await lab.run(
      lab.adapter.prepareFailover(command(PROTECTED, [...GROUP, 'ds-sync'], { consistencyGroups: groups })),
    );
    // Only independent per-volume snapshots have replicated (the seed's daily and hourly ones).
    const result = await lab.run(lab.adapter.failover(command(RECOVERY, [...GROUP, 'ds-sync'], recovery)));
    const byDevice = Object.fromEntries(result.devices.map((d) => [d.device, d]));
    for (const device of GROUP) {
      expect(byDevice[device]).toMatchObject({ status: 'error', error: { code: 'SC_NO_COMMON_POINT' } });
      expect(byDevice[device]!.error!.description).toMatch(/cg-app .* no consistent snapshot .* \(§5\.7\)/);
    }
    // A device outside the group recovers as before.
    expect(byDevice['ds-sync']!.status).toBe('success');
    // Nothing of the group was promoted: no view of any other point was presented.
    const views = [...lab.sim.model.state.volumes.values()].filter((v) => v.viewOfReplayId !== undefined);
    expect(views.map((v) => v.name)).toEqual(['ds-sync']);
  });

  it('recovers every device of the group from the same consistent snapshot', async () => {
    lab = await withGroup();
    // The group's consistent snapshot is taken, then replicated to the recovery site: syncOnce
    // starts the sync and querySyncStatus is polled until it is complete, as the engine does.
    const sync = await syncToCompletion(
      lab,
      command(PROTECTED, GROUP, { workflow: 'test', consistencyGroups: groups }),
    );
    expect(sync.start.devices.map((d) => d.status)).toEqual(['success', 'success']);
    expect(sync.status.devices.map((d) => d.status)).toEqual(['success', 'success']);
    expect(sync.status.progress.map((p) => [p.device, p.status])).toEqual([
      ['ds-app', 'complete'],
      ['ds-active', 'complete'],
    ]);
    const result = await lab.run(lab.adapter.failover(command(RECOVERY, GROUP, recovery)));
    expect(result.devices.map((d) => d.status)).toEqual(['success', 'success']);
    const [app, active] = result.devices.map((d) => d.details ?? {});
    expect(app!['snapshotSource']).toBe('last frozen snapshot');
    expect(frozenAt(app!['snapshot'])).toBe(frozenAt(active!['snapshot']));
    expect(app!['consistencyGroup']).toMatch(/common to consistency group cg-app \(ds-app, ds-active\)/);
    // Each recovered device is a view of a consistent replay.
    const state = lab.sim.model.state;
    for (const device of GROUP) {
      const view = [...state.volumes.values()].find((v) => v.name === device && v.viewOfReplayId);
      expect(state.replays.get(view!.viewOfReplayId!)?.consistencyGroupId).toBeDefined();
    }
  });
});
