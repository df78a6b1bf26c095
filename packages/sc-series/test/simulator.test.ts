import { describe, it, expect, afterEach } from '@jest/globals';
import type { DeviceCommandResult } from '@drctl/domain';
import { PROTECTED, RECOVERY, PROTECTED_HOSTS, RECOVERY_HOSTS, command, startLab, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const statuses = (r: DeviceCommandResult) =>
  Object.fromEntries(
    r.devices.map((d) => [
      d.device,
      d.error ? `${d.status}:${d.error.code}${process.env.DEBUG_SC ? ' ' + d.error.description : ''}` : d.status,
    ]),
  );
const signal = () => new AbortController().signal;

describe('SC Series adapter against the DSM simulator (HTTPS, verified TLS)', () => {
  it('discovers Storage Centers, replications and Live Volumes with direction, type, active snapshot and QoS', async () => {
    lab = await startLab();
    const arrays = await lab.run(lab.adapter.discoverArrays({ signal: signal() }));
    expect(arrays.map((a) => [a.id, a.serial, a.peers])).toEqual([
      [PROTECTED, 64702, [RECOVERY]],
      [RECOVERY, 65495, [PROTECTED]],
    ]);
    const source = await lab.run(
      lab.adapter.discoverDevices({ arrayId: PROTECTED, peerArrayId: RECOVERY, signal: signal() }),
    );
    const byId = Object.fromEntries(source.map((d) => [d.id, d]));
    expect(Object.keys(byId).sort()).toEqual(['ds-active', 'ds-app', 'ds-stretched', 'ds-stretched-afo', 'ds-sync']);
    expect(byId['ds-app']).toMatchObject({
      role: 'source',
      state: 'read-write',
      replicationType: 'async',
      replicateActiveSnapshot: false,
      qosProfile: 'WAN',
      peerQosProfile: 'WAN',
      peerArrayId: RECOVERY,
    });
    expect(byId['ds-active']!.replicateActiveSnapshot).toBe(true);
    expect(byId['ds-sync']!.replicationType).toBe('sync-high-availability');
    expect(byId['ds-stretched']!.liveVolume).toEqual({
      autoFailover: false,
      autoRoleSwap: false,
      uniformMapping: false,
    });
    expect(byId['ds-stretched-afo']!.liveVolume?.autoFailover).toBe(true);
    expect(byId['ds-app']!.lastReplicatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const target = await lab.run(lab.adapter.discoverDevices({ arrayId: RECOVERY, signal: signal() }));
    expect(target.every((d) => d.role === 'target' && d.state === 'read-only')).toBe(true);
  });

  it('test and cleanup: sync, writable snapshots presented to the recovery hosts, discarded; repeats change nothing', async () => {
    lab = await startLab();
    const devices = ['ds-app', 'ds-sync', 'ds-stretched'];
    const progress: number[] = [];
    const sync = await lab.run(
      lab.adapter.syncOnce(
        command(PROTECTED, devices, { workflow: 'test' }, { onProgress: (p) => progress.push(p.percent) }),
      ),
    );
    expect(statuses(sync)).toEqual({ 'ds-app': 'success', 'ds-sync': 'success', 'ds-stretched': 'success' });
    expect(progress).toHaveLength(devices.length);
    // syncOnce started the sync and returned; querySyncStatus follows it to the end.
    let status = await lab.run(lab.adapter.querySyncStatus(command(PROTECTED, devices)));
    for (let poll = 0; poll < 100 && !status.progress.every((p) => p.status === 'complete'); poll++) {
      await lab.run(lab.clock.sleep(15_000));
      status = await lab.run(lab.adapter.querySyncStatus(command(PROTECTED, devices)));
    }
    expect(status.progress.every((p) => p.status === 'complete' && p.percent === 100)).toBe(true);

    const start = await lab.run(
      lab.adapter.testFailoverStart(
        command(RECOVERY, devices, { workflow: 'test', syncData: true, hosts: RECOVERY_HOSTS }),
      ),
    );
    expect(statuses(start)).toEqual({ 'ds-app': 'success', 'ds-sync': 'success', 'ds-stretched': 'success' });
    expect(start.devices[0]!.details).toMatchObject({
      testVolume: 'drctl-test ds-app',
      snapshotSource: 'active snapshot',
    });
    const views = lab.sim.model.state;
    const testVolumes = [...views.volumes.values()].filter((v) => v.name.startsWith('drctl-test '));
    expect(testVolumes).toHaveLength(3);
    expect(testVolumes.every((v) => views.mappingsOfVolume(v.id).length === RECOVERY_HOSTS.length)).toBe(true);

    const before = lab.sim.counters.count();
    const again = await lab.run(
      lab.adapter.testFailoverStart(
        command(RECOVERY, devices, { workflow: 'test', syncData: true, hosts: RECOVERY_HOSTS }),
      ),
    );
    expect(again.devices.every((d) => d.status === 'success' && d.warnings.length > 0)).toBe(true);
    expect(lab.sim.counters.count()).toBe(before);

    const stop = await lab.run(lab.adapter.testFailoverStop(command(RECOVERY, devices, { workflow: 'cleanup' })));
    expect(statuses(stop)).toEqual({ 'ds-app': 'success', 'ds-sync': 'success', 'ds-stretched': 'success' });
    expect([...views.volumes.values()].filter((v) => v.name.startsWith('drctl-test ') && !v.inRecycleBin)).toHaveLength(
      0,
    );
    const afterStop = lab.sim.counters.count();
    const stopAgain = await lab.run(lab.adapter.testFailoverStop(command(RECOVERY, devices, { workflow: 'cleanup' })));
    expect(stopAgain.devices.every((d) => d.status === 'success' && d.warnings.length > 0)).toBe(true);
    expect(lab.sim.counters.count()).toBe(afterStop);
  });

  it('planned migration, reprotect and failback, every step idempotent (simulator counters unchanged on repeats)', async () => {
    lab = await startLab();
    const devices = ['ds-app', 'ds-active', 'ds-sync', 'ds-stretched'];
    const l = lab;
    const twice = async (name: string, call: () => Promise<DeviceCommandResult>) => {
      const first = await l.run(call());
      expect({ name, ...statuses(first) }).toEqual({ name, ...Object.fromEntries(devices.map((d) => [d, 'success'])) });
      const before = l.sim.counters.count();
      const second = await l.run(call());
      expect({ name, ...statuses(second) }).toEqual({
        name,
        ...Object.fromEntries(devices.map((d) => [d, 'success'])),
      });
      expect({ name, repeatedCalls: l.sim.counters.count() - before }).toEqual({ name, repeatedCalls: 0 });
      return first;
    };
    await twice('presync', () =>
      l.adapter.syncOnce(command(PROTECTED, devices, {}, { idempotencyKey: 'run-1/pre-sync' })),
    );
    const prepared = await twice('prepare', () =>
      l.adapter.prepareFailover(command(PROTECTED, devices, { hosts: PROTECTED_HOSTS })),
    );
    expect(prepared.devices.every((d) => d.state === 'read-only')).toBe(true);
    await twice('sync', () => l.adapter.syncOnce(command(PROTECTED, devices, {}, { idempotencyKey: 'run-1/sync' })));
    const promoted = await twice('failover', () =>
      l.adapter.failover(command(RECOVERY, devices, { hosts: RECOVERY_HOSTS })),
    );
    expect(promoted.devices.every((d) => d.state === 'read-write')).toBe(true);
    expect(promoted.devices[0]!.details).toMatchObject({
      snapshotSource: 'active snapshot',
      promotedVolume: expect.any(String),
      restorePoints: expect.stringMatching(/not saved/),
    });
    expect(promoted.devices[0]!.details!.snapshotReason).toMatch(/planned migration/);

    const afterFailover = await lab.run(lab.adapter.discoverDevices({ arrayId: RECOVERY, signal: signal() }));
    expect(afterFailover.filter((d) => devices.includes(d.id)).every((d) => d.role === 'source')).toBe(true);

    await twice('prepare-reverse', () =>
      l.adapter.prepareReverseReplication(command(PROTECTED, devices, { workflow: 'reprotect' })),
    );
    await twice('reverse', () => l.adapter.reverseReplication(command(RECOVERY, devices, { workflow: 'reprotect' })));
    const reversed = await lab.run(
      lab.adapter.discoverDevices({ arrayId: RECOVERY, peerArrayId: PROTECTED, signal: signal() }),
    );
    const reversedById = Object.fromEntries(reversed.map((d) => [d.id, d]));
    for (const d of devices)
      expect({ d, role: reversedById[d]?.role, promoted: reversedById[d]?.promoted }).toEqual({
        d,
        role: 'source',
        promoted: false,
      });
    expect(reversedById['ds-active']!.replicateActiveSnapshot).toBe(true);
    expect(reversedById['ds-sync']!.replicationType).toBe('sync-high-availability');
    await twice('reprotect-sync', () =>
      l.adapter.syncOnce(command(RECOVERY, devices, { workflow: 'reprotect' }, { idempotencyKey: 'run-2/sync' })),
    );

    // Failback: the same commands in the other direction.
    await twice('fb-prepare', () =>
      l.adapter.prepareFailover(
        command(
          RECOVERY,
          devices,
          { workflow: 'failback', hosts: RECOVERY_HOSTS },
          { idempotencyKey: 'run-3/prepare' },
        ),
      ),
    );
    await twice('fb-failover', () =>
      l.adapter.failover(
        command(
          PROTECTED,
          devices,
          { workflow: 'failback', hosts: PROTECTED_HOSTS },
          { idempotencyKey: 'run-3/failover' },
        ),
      ),
    );
    await twice('fb-prepare-reverse', () =>
      l.adapter.prepareReverseReplication(command(RECOVERY, devices, { workflow: 'reprotect' })),
    );
    await twice('fb-reverse', () =>
      l.adapter.reverseReplication(command(PROTECTED, devices, { workflow: 'reprotect' })),
    );
    const home = await lab.run(
      lab.adapter.discoverDevices({ arrayId: PROTECTED, peerArrayId: RECOVERY, signal: signal() }),
    );
    for (const d of devices) expect({ d, role: home.find((x) => x.id === d)?.role }).toEqual({ d, role: 'source' });
    // The round trip maps each Live Volume role swap exactly twice: there and back.
    expect(lab.sim.counters.count({ resource: 'ScLiveVolume', action: 'SwapRoles' })).toBe(2);
  });

  it('refuses Live Volumes SRM cannot protect, with the source reason and a fix', async () => {
    lab = await startLab();
    const result = await lab.run(
      lab.adapter.failover(command(RECOVERY, ['ds-stretched-afo', 'ds-app'], { hosts: RECOVERY_HOSTS })),
    );
    expect(result.devices[0]).toMatchObject({
      status: 'error',
      error: { code: 'SC_LV_AUTO_FAILOVER', fixHint: expect.any(String) },
    });
    expect(result.devices[0]!.error!.description).toMatch(/automatic failover/);
    expect(result.devices[1]!.status).toBe('success');
  });

  it('restores replication in the original direction after an aborted recovery', async () => {
    lab = await startLab();
    const devices = ['ds-app', 'ds-stretched'];
    await lab.run(lab.adapter.prepareFailover(command(PROTECTED, devices)));
    await lab.run(lab.adapter.failover(command(RECOVERY, devices, { hosts: RECOVERY_HOSTS })));
    const restored = await lab.run(
      lab.adapter.restoreReplication(command(PROTECTED, devices, { hosts: PROTECTED_HOSTS })),
    );
    expect(statuses(restored)).toEqual({ 'ds-app': 'success', 'ds-stretched': 'success' });
    const back = await lab.run(lab.adapter.discoverDevices({ arrayId: PROTECTED, signal: signal() }));
    expect(back.filter((d) => devices.includes(d.id)).map((d) => [d.id, d.role, d.promoted])).toEqual([
      ['ds-app', 'source', false],
      ['ds-stretched', 'source', false],
    ]);
    const before = lab.sim.counters.count();
    const again = await lab.run(lab.adapter.restoreReplication(command(PROTECTED, devices)));
    expect(again.devices.every((d) => d.status === 'success' && d.warnings.length > 0)).toBe(true);
    expect(lab.sim.counters.count()).toBe(before);
  });
});
