import { describe, it, expect, afterEach } from '@jest/globals';
import type { DeviceCommandResult } from '@drctl/domain';
import { PROTECTED, PROTECTED_HOSTS, RECOVERY, RECOVERY_HOSTS, command, startLab, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const PROTECTED_SERIAL = 64702;
const statuses = (r: DeviceCommandResult) =>
  Object.fromEntries(r.devices.map((d) => [d.device, d.error ? `${d.status}:${d.error.code}` : d.status]));
const disaster = { workflow: 'disaster-recovery', protectedSiteUp: false } as const;

describe('disaster recovery with the protected array down (DSM: Storage Center disconnected)', () => {
  it('promotes plain replications and activates a Live Volume secondary; syncs fail at once instead of waiting', async () => {
    lab = await startLab();
    const devices = ['ds-app', 'ds-stretched'];
    lab.sim.faults.storageCenterDown(PROTECTED_SERIAL);

    // DSM reports the replication Down while it is still attached: a sync cannot move, and says so now.
    const started = lab.clock.now();
    const sync = await lab.run(lab.adapter.syncOnce(command(PROTECTED, ['ds-app'], disaster)));
    expect(statuses(sync)).toEqual({ 'ds-app': 'error:SC_REPLICATION_DOWN' });
    expect(lab.clock.now() - started).toBeLessThan(60_000);

    const promoted = await lab.run(
      lab.adapter.failover(command(RECOVERY, devices, { ...disaster, hosts: RECOVERY_HOSTS })),
    );
    expect(statuses(promoted)).toEqual({ 'ds-app': 'success', 'ds-stretched': 'success' });
    // The destination was detached from the (unreachable) source and presented to every recovery host.
    const state = lab.sim.model.state;
    const presented = (name: string) =>
      [...state.volumes.values()]
        .filter((v) => v.name === name && v.ssn !== PROTECTED_SERIAL)
        .flatMap((v) => state.hostMappingsOfVolume(v.id))
        .map((m) => state.servers.get(m.serverId)?.name);
    expect(presented('ds-app').sort()).toEqual([...RECOVERY_HOSTS].sort());
    // The Live Volume secondary is activated in place and presented through the Live Volume.
    const stretched = promoted.devices.find((d) => d.device === 'ds-stretched')!;
    expect(stretched.details).toMatchObject({ role: 'activated secondary' });
    expect(stretched.warnings.join(' ')).toMatch(/activated here/);
    expect(lab.sim.counters.count({ resource: 'ScLiveVolume', action: 'MapSecondaryVolume' })).toBe(
      RECOVERY_HOSTS.length,
    );
    expect(presented('Repl of ds-stretched').concat(presented('ds-stretched')).sort()).toEqual(
      [...RECOVERY_HOSTS].sort(),
    );

    // Run again (the recovery re-run): nothing is sent twice.
    const before = lab.sim.counters.count();
    const again = await lab.run(
      lab.adapter.failover(command(RECOVERY, devices, { ...disaster, hosts: RECOVERY_HOSTS })),
    );
    expect(statuses(again)).toEqual({ 'ds-app': 'success', 'ds-stretched': 'success' });
    expect(lab.sim.counters.count()).toBe(before);
  });

  it('once the array is back, prepare finishes the protected side and reprotect completes the Live Volume role swap', async () => {
    lab = await startLab();
    const devices = ['ds-app', 'ds-stretched'];
    lab.sim.faults.storageCenterDown(PROTECTED_SERIAL);
    await lab.run(lab.adapter.failover(command(RECOVERY, devices, { ...disaster, hosts: RECOVERY_HOSTS })));
    // Reversing while the old primary is still away cannot swap roles yet.
    const early = await lab.run(
      lab.adapter.reverseReplication(command(RECOVERY, ['ds-stretched'], { workflow: 'reprotect' })),
    );
    expect(statuses(early)).toEqual({ 'ds-stretched': 'error:SC_LV_SWAP_PENDING' });

    lab.sim.faults.storageCenterUp(PROTECTED_SERIAL);
    const prepared = await lab.run(
      lab.adapter.prepareFailover(
        command(PROTECTED, ['ds-app'], { workflow: 'disaster-recovery', hosts: PROTECTED_HOSTS }),
      ),
    );
    expect(statuses(prepared)).toEqual({ 'ds-app': 'success' });
    const preparedReverse = await lab.run(
      lab.adapter.prepareReverseReplication(command(PROTECTED, devices, { workflow: 'reprotect' })),
    );
    expect(statuses(preparedReverse)).toEqual({ 'ds-app': 'success', 'ds-stretched': 'success' });
    const reversed = await lab.run(
      lab.adapter.reverseReplication(command(RECOVERY, devices, { workflow: 'reprotect' })),
    );
    expect(statuses(reversed)).toEqual({ 'ds-app': 'success', 'ds-stretched': 'success' });
    const home = await lab.run(
      lab.adapter.discoverDevices({ arrayId: RECOVERY, peerArrayId: PROTECTED, signal: new AbortController().signal }),
    );
    expect(devices.map((d) => [d, home.find((x) => x.id === d)?.role])).toEqual([
      ['ds-app', 'source'],
      ['ds-stretched', 'source'],
    ]);
    const lv = lab.sim.model.liveVolumes().find((l) => String(l['instanceName']).includes('ds-stretched'))!;
    expect(lv).toMatchObject({ secondaryRole: 'Secondary', primaryScSerialNumber: 65495 });
    // Activation and the completed swap: two SwapRoles calls, each taking effect once.
    expect(lab.sim.counters.count({ resource: 'ScLiveVolume', action: 'SwapRoles' })).toBe(2);
  });
});
