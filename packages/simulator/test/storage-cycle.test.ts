import { describe, expect, it } from '@jest/globals';
import { isDrError } from '@drctl/domain';
import { DEVICES, newWorld, request, signal } from './fixtures.js';

const PROTECTED_VMS = ['db1', 'app1', 'app2', 'web1'];

describe('storage direction through a full cycle', () => {
  it('discovers the arrays and the devices in their initial direction', async () => {
    const { clock, world } = newWorld();
    const arrays = await clock.runUntil(world.storage.discoverArrays({ signal: signal() }));
    expect(arrays).toEqual([
      { id: 'sc-prod', name: 'sc-prod', site: 'prod', serial: 1, peers: ['sc-dr'] },
      { id: 'sc-dr', name: 'sc-dr', site: 'dr', serial: 2, peers: ['sc-prod'] },
    ]);
    const onProd = await clock.runUntil(
      world.storage.discoverDevices({ signal: signal(), arrayId: 'sc-prod', peerArrayId: 'sc-dr' }),
    );
    expect(onProd.map((d) => [d.id, d.role, d.state])).toEqual([
      ['vol-db', 'source', 'read-write'],
      ['vol-app', 'source', 'read-write'],
      ['vol-lv', 'source', 'read-write'],
    ]);
    expect(onProd[0]).toMatchObject({
      peerArrayId: 'sc-dr',
      replicationType: 'async',
      qosProfile: 'gold',
      peerQosProfile: 'silver',
      promoted: false,
    });
    expect(onProd[2]!.liveVolume).toEqual({
      autoFailover: false,
      autoRoleSwap: false,
      uniformMapping: false,
      managedReplication: false,
    });
    const onDr = await clock.runUntil(world.storage.discoverDevices({ signal: signal(), arrayId: 'sc-dr' }));
    expect(onDr.map((d) => [d.role, d.state, d.qosProfile])).toEqual([
      ['target', 'read-only', 'silver'],
      ['target', 'read-only', undefined],
      ['target', 'read-only', undefined],
    ]);
    expect(
      await clock.runUntil(
        world.storage.discoverDevices({ signal: signal(), arrayId: 'sc-dr', peerArrayId: 'elsewhere' }),
      ),
    ).toEqual([]);
  });

  it('runs test → cleanup → planned migration → reprotect → failback and ends in the original direction', async () => {
    const { clock, world } = newWorld();
    const { storage, compute } = world;
    const s = signal();
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);
    const allOk = (result: { devices: Array<{ status: string }> }) =>
      expect(result.devices.map((d) => d.status)).toEqual(DEVICES.map(() => 'success'));

    // Test: writable copies at the recovery site, replication untouched.
    const started = await drive(storage.testFailoverStart(request('sc-dr', DEVICES, 'test-1')));
    allOk(started);
    expect(started.devices.map((d) => d.state)).toEqual(['read-write', 'read-write', 'read-write']);
    expect(started.devices.find((d) => d.device === 'vol-app')!.details).toMatchObject({
      snapshot: 'active',
      frozen: 'false',
    });
    expect(started.devices.find((d) => d.device === 'vol-db')!.details).toMatchObject({
      snapshot: 'vol-db.r1',
      frozen: 'true',
    });
    expect(world.device('vol-db')).toMatchObject({
      source: 'sc-prod',
      testCopy: { array: 'sc-dr' },
      targetPromoted: false,
    });
    await drive(Promise.all(['esx-d1', 'esx-d2'].map((host) => compute.rescanHost({ site: 'dr', host, signal: s }))));
    for (const ds of ['ds-db', 'ds-app'])
      await drive(compute.mountDatastore({ site: 'dr', datastore: ds, devices: [], test: true, signal: s }));
    await drive(compute.registerVm({ site: 'dr', vm: 'db1', host: 'esx-d2', test: true, signal: s }));
    await drive(compute.powerOn({ site: 'dr', vm: 'db1', signal: s }));
    expect(await drive(compute.vmState({ site: 'dr', vm: 'db1', signal: s }))).toBe('on');
    expect(await drive(compute.vmState({ site: 'prod', vm: 'db1', signal: s }))).toBe('on');
    // Cleanup puts the placeholder back and discards the copies.
    await drive(compute.powerOff({ site: 'dr', vm: 'db1', signal: s }));
    await drive(compute.unregisterVm({ site: 'dr', vm: 'db1', test: true, signal: s }));
    expect(world.vmAt('dr', 'db1')).toMatchObject({ kind: 'placeholder' });
    for (const ds of ['ds-db', 'ds-app'])
      await drive(compute.unmountDatastore({ site: 'dr', datastore: ds, test: true, signal: s }));
    allOk(await drive(storage.testFailoverStop(request('sc-dr', DEVICES, 'cleanup-1'))));
    expect(world.device('vol-db')!.testCopy).toBeUndefined();

    // Planned migration.
    allOk(await drive(storage.syncOnce(request('sc-prod', DEVICES, 'pm-presync'))));
    for (const vm of ['db1', 'app1', 'app2'])
      await drive(compute.shutdownGuest({ site: 'prod', vm, timeoutMs: 300_000, signal: s }));
    for (const ds of ['ds-db', 'ds-app'])
      await drive(compute.unmountDatastore({ site: 'prod', datastore: ds, test: false, signal: s }));
    const prepared = await drive(storage.prepareFailover(request('sc-prod', DEVICES, 'pm-prepare')));
    allOk(prepared);
    expect(prepared.devices.map((d) => d.state)).toEqual(['read-only', 'read-only', 'read-only']);
    allOk(await drive(storage.syncOnce(request('sc-prod', DEVICES, 'pm-sync'))));
    const promoted = await drive(storage.failover(request('sc-dr', DEVICES, 'pm-failover')));
    allOk(promoted);
    expect(promoted.devices.map((d) => d.state)).toEqual(['read-write', 'read-write', 'read-write']);
    expect(promoted.devices.every((d) => d.warnings.length === 0)).toBe(true);
    expect(world.device('vol-db')).toMatchObject({
      source: 'sc-prod',
      target: 'sc-dr',
      targetPromoted: true,
      replication: 'broken',
    });
    expect(world.device('vol-lv')).toMatchObject({ source: 'sc-dr', target: 'sc-prod', replication: 'running' });
    const afterFailover = await drive(storage.discoverDevices({ signal: s, arrayId: 'sc-dr' }));
    expect(afterFailover.map((d) => [d.id, d.role, d.state, d.promoted])).toEqual([
      ['vol-db', 'target', 'read-write', true],
      ['vol-app', 'target', 'read-write', true],
      ['vol-lv', 'source', 'read-write', false],
    ]);

    // Recovery site: rescan, mount, register over placeholders, power on.
    await drive(Promise.all(['esx-d1', 'esx-d2'].map((host) => compute.rescanHost({ site: 'dr', host, signal: s }))));
    for (const ds of ['ds-db', 'ds-app'])
      await drive(compute.mountDatastore({ site: 'dr', datastore: ds, devices: [], test: false, signal: s }));
    for (const vm of PROTECTED_VMS) {
      const host = world.vmAt('dr', vm)!.host;
      await drive(compute.registerVm({ site: 'dr', vm, host, test: false, signal: s }));
      await drive(compute.powerOn({ site: 'dr', vm, signal: s }));
    }
    expect(await drive(compute.waitForTools({ site: 'dr', vm: 'app1', timeoutMs: 300_000, signal: s }))).toBe('ready');

    // Reprotect: reverse replication, placeholders at the old protected site, final sync.
    const prep = await drive(storage.prepareReverseReplication(request('sc-prod', DEVICES, 'rp-prepare')));
    allOk(prep);
    // The Live Volume's roles swapped at failover: nothing to prepare, and no warning about it.
    const lv = prep.devices.find((d) => d.device === 'vol-lv')!;
    expect(lv.warnings).toEqual([]);
    expect(lv.details?.['reverse']).toMatch(/roles swapped at failover/);
    allOk(await drive(storage.reverseReplication(request('sc-dr', DEVICES, 'rp-reverse'))));
    for (const id of DEVICES)
      expect(world.device(id)).toMatchObject({
        source: 'sc-dr',
        target: 'sc-prod',
        replication: 'running',
        sourceWritable: true,
        targetPromoted: false,
      });
    for (const vm of PROTECTED_VMS)
      await drive(compute.createPlaceholder({ site: 'prod', vm, host: 'esx-p1', signal: s }));
    expect(await drive(compute.vmState({ site: 'prod', vm: 'db1', signal: s }))).toBe('placeholder');
    allOk(await drive(storage.syncOnce(request('sc-dr', DEVICES, 'rp-sync'))));
    expect(world.effectCount('reverseReplication')).toBe(2);
    expect(world.effectCount('reverseReplication', 'vol-lv')).toBe(0);

    // Failback: the same steps in the other direction, then reprotect again.
    for (const vm of PROTECTED_VMS.filter((v) => v !== 'web1'))
      await drive(compute.powerOff({ site: 'dr', vm, signal: s }));
    await drive(compute.powerOff({ site: 'dr', vm: 'web1', signal: s }));
    for (const ds of ['ds-db', 'ds-app'])
      await drive(compute.unmountDatastore({ site: 'dr', datastore: ds, test: false, signal: s }));
    allOk(await drive(storage.prepareFailover(request('sc-dr', DEVICES, 'fb-prepare'))));
    allOk(await drive(storage.failover(request('sc-prod', DEVICES, 'fb-failover'))));
    allOk(await drive(storage.prepareReverseReplication(request('sc-dr', DEVICES, 'fb-rp-prepare'))));
    allOk(await drive(storage.reverseReplication(request('sc-prod', DEVICES, 'fb-rp-reverse'))));
    const back = await drive(storage.discoverDevices({ signal: s, arrayId: 'sc-prod' }));
    expect(back.map((d) => [d.role, d.state])).toEqual(DEVICES.map(() => ['source', 'read-write']));
    for (const id of DEVICES)
      expect(world.device(id)).toMatchObject({
        source: 'sc-prod',
        target: 'sc-dr',
        replication: 'running',
        targetPromoted: false,
      });
    // Each state change happened exactly once per device and step.
    for (const id of DEVICES) {
      expect(world.effectCount('failover', id)).toBe(2);
      expect(world.effectCount('prepareFailover', id)).toBe(2);
      expect(world.effectCount('testFailoverStart', id)).toBe(1);
      expect(world.effectCount('syncOnce', id)).toBe(3);
    }
    // The protected site can mount its datastores again once its hosts rescan.
    await drive(compute.rescanHost({ site: 'prod', host: 'esx-p1', signal: s }));
    await drive(compute.mountDatastore({ site: 'prod', datastore: 'ds-db', devices: [], test: false, signal: s }));
    expect(world.mountAt('prod', 'ds-db')).toMatchObject({ test: false, devices: ['vol-db'] });
  });

  it('refuses commands on the wrong side, per device, without changing anything', async () => {
    const { clock, world } = newWorld();
    const wrong = await clock.runUntil(world.storage.failover(request('sc-prod', ['vol-db', 'nope'], 'k')));
    expect(wrong.devices).toEqual([
      expect.objectContaining({
        device: 'vol-db',
        status: 'error',
        error: expect.objectContaining({ code: 'SIM_WRONG_ROLE', fixHint: 'Send failover to sc-dr.' }),
      }),
      expect.objectContaining({
        device: 'nope',
        status: 'error',
        error: expect.objectContaining({ code: 'SIM_DEVICE_UNKNOWN' }),
      }),
    ]);
    const notYet = await clock.runUntil(world.storage.reverseReplication(request('sc-dr', ['vol-db'], 'k')));
    expect(notYet.devices[0]!.error!.code).toBe('SIM_NOT_FAILED_OVER');
    const testOnSource = await clock.runUntil(world.storage.testFailoverStart(request('sc-prod', ['vol-db'], 'k')));
    expect(testOnSource.devices[0]!.error!.code).toBe('SIM_WRONG_ROLE');
    const syncOnTarget = await clock.runUntil(world.storage.syncOnce(request('sc-dr', ['vol-db'], 'k')));
    expect(syncOnTarget.devices[0]!.error!.code).toBe('SIM_WRONG_ROLE');
    expect(world.effects).toEqual([]);
    expect(world.errorCount('failover')).toBe(2);
    await expect(clock.runUntil(world.storage.failover(request('sc-nowhere', ['vol-db'], 'k')))).rejects.toMatchObject({
      code: 'DR_STORAGE_ERROR',
    });
  });

  it('needs prepareReverseReplication before reverseReplication, and refuses to restore over a promoted target', async () => {
    const { clock, world } = newWorld();
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);
    await drive(world.storage.failover(request('sc-dr', ['vol-db'], 'f')));
    const reverse = await drive(world.storage.reverseReplication(request('sc-dr', ['vol-db'], 'r')));
    expect(reverse.devices[0]!.error).toMatchObject({
      code: 'SIM_REVERSE_NOT_PREPARED',
      fixHint: expect.stringContaining('sc-prod'),
    });
    const restore = await drive(world.storage.restoreReplication(request('sc-prod', ['vol-db'], 'x')));
    expect(restore.devices[0]!.error!.code).toBe('SIM_TARGET_PROMOTED');
    const sync = await drive(world.storage.syncOnce(request('sc-prod', ['vol-db'], 's')));
    expect(sync.devices[0]!.error!.code).toBe('SIM_REPLICATION_BROKEN');
  });

  it('restores replication after a prepareFailover that was rolled back', async () => {
    const { clock, world } = newWorld();
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);
    await drive(world.storage.prepareFailover(request('sc-prod', ['vol-db'], 'p')));
    expect(world.device('vol-db')!.sourceWritable).toBe(false);
    const restored = await drive(world.storage.restoreReplication(request('sc-prod', ['vol-db'], 'r')));
    expect(restored.devices[0]).toMatchObject({ status: 'success', state: 'read-write' });
    expect(world.device('vol-db')).toMatchObject({ sourceWritable: true, replication: 'running' });
    expect(world.effectCount('restoreReplication', 'vol-db')).toBe(1);
  });

  it('warns when failover promotes a target whose source was never prepared (disaster recovery)', async () => {
    const { clock, world } = newWorld();
    const result = await clock.runUntil(world.storage.failover(request('sc-dr', ['vol-db'], 'dr')));
    expect(result.devices[0]!.status).toBe('success');
    expect(result.devices[0]!.warnings.join(' ')).toMatch(/still read-write/);
    expect(result.devices[0]!.details).toMatchObject({ recoveryPoint: 'vol-db.r1' });
  });

  it('syncOnce starts the sync and returns; querySyncStatus reports its progress and complete after', async () => {
    const { clock, world } = newWorld({ jitter: 0 });
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);
    const start = clock.now();
    const started = await drive(world.storage.syncOnce(request('sc-prod', ['vol-db'], 'sync-a')));
    expect(started.devices[0]!.status).toBe('success');
    // Only the 1 s to take the replay: the transfer itself is not waited for (SRA's syncOnce).
    expect(clock.now() - start).toBe(1_000);
    await clock.advance(20_000);
    const mid = await drive(world.storage.querySyncStatus(request('sc-prod', ['vol-db'], 'q')));
    expect(mid.progress[0]).toMatchObject({ device: 'vol-db', status: 'in-progress' });
    expect(mid.progress[0]!.percent).toBeGreaterThan(40);
    expect(mid.progress[0]!.percent).toBeLessThan(60);
    // 1 s to take the replay, then the volume's 40 s.
    await clock.advance(start + 41_000 - clock.now());
    const done = await drive(world.storage.querySyncStatus(request('sc-dr', ['vol-db'], 'q')));
    expect(done.progress[0]).toEqual({ device: 'vol-db', status: 'complete', percent: 100 });
    const discovered = await drive(world.storage.discoverDevices({ signal: signal(), arrayId: 'sc-dr' }));
    expect(discovered[0]!.lastReplicatedAt).toBe(new Date(start + 41_000).toISOString());
    expect(world.callCount('querySyncStatus', 'vol-db')).toBe(2);
    expect(world.effectCount('querySyncStatus')).toBe(0);
  });

  it('rejects promptly with the signal reason when aborted, keeping the devices already done', async () => {
    const { clock, world } = newWorld();
    const controller = new AbortController();
    const reason = new Error('timed out');
    const start = clock.now();
    const work = world.storage.failover(request('sc-dr', DEVICES, 'f', controller.signal));
    // Devices take 10 s ± 5 % each (seeded): some finish before the abort, some do not.
    clock.setTimer(10_000, () => controller.abort(reason));
    await expect(clock.runUntil(work)).rejects.toBe(reason);
    expect(clock.now() - start).toBe(10_000);
    const done = world.effects.map((e) => e.device);
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(DEVICES.length);
    // Running it again finishes the rest and only warns for the devices already promoted.
    const again = await clock.runUntil(world.storage.failover(request('sc-dr', DEVICES, 'f')));
    expect(again.devices.every((d) => d.status === 'success')).toBe(true);
    for (const d of again.devices) expect(d.warnings.some((w) => /already/.test(w))).toBe(done.includes(d.device));
    for (const id of DEVICES) expect(world.effectCount('failover', id)).toBe(1);

    const aborted = new AbortController();
    aborted.abort(reason);
    await expect(world.storage.queryInfo({ signal: aborted.signal })).rejects.toBe(reason);
    await expect(world.compute.powerOn({ site: 'prod', vm: 'web1', signal: aborted.signal })).rejects.toBe(reason);
    const caught = await world.storage
      .prepareFailover(request('sc-prod', DEVICES, 'p', aborted.signal))
      .catch((e: unknown) => e);
    expect(caught).toBe(reason);
    expect(isDrError(caught)).toBe(false);
  });
});
