import { describe, expect, it } from '@jest/globals';
import { resolvePlanVms } from '@drctl/domain';
import { INITIAL_UPTIME_MS } from '../src/index.js';
import { newWorld, request, signal } from './fixtures.js';

async function rejection(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!error) throw new Error('expected a rejection');
  return error as { code: string; message: string };
}

describe('simulated vCenter', () => {
  it('starts with every VM at home and a placeholder where resolvePlanVms places it', async () => {
    const { clock, world, env } = newWorld();
    const s = signal();
    expect(world.vmAt('prod', 'db1')).toEqual({
      vm: 'db1',
      kind: 'registered',
      test: false,
      host: 'esx-p1',
      power: 'on',
      poweredOnAt: clock.now() - INITIAL_UPTIME_MS,
    });
    expect(await world.compute.vmState({ site: 'prod', vm: 'web1', signal: s })).toBe('off');
    for (const planVm of resolvePlanVms(env, env.plans[0]!)) {
      expect(world.vmAt('dr', planVm.name)).toEqual({
        vm: planVm.name,
        kind: 'placeholder',
        test: false,
        host: planVm.placements['dr']!.host,
        power: 'off',
      });
      expect(await world.compute.vmState({ site: 'dr', vm: planVm.name, signal: s })).toBe('placeholder');
    }
    expect(world.vmAt('dr', 'app2')!.host).toBe('esx-d1');
    expect(world.mountAt('prod', 'ds-app')).toMatchObject({ test: false, devices: ['vol-app', 'vol-lv'] });
    expect(world.mountAt('dr', 'ds-app')).toBeUndefined();
    expect(await world.compute.isSiteReachable('dr', s)).toBe(true);
  });

  it('enforces the real preconditions: writable devices, a rescan, a mount, a registration', async () => {
    const { clock, world } = newWorld();
    const { compute, storage } = world;
    const s = signal();
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);

    let error = await rejection(
      drive(compute.registerVm({ site: 'dr', vm: 'db1', host: 'esx-d1', test: false, signal: s })),
    );
    expect(error).toMatchObject({
      code: 'DR_COMPUTE_ERROR',
      message: expect.stringMatching(/db1.*ds-db.*not mounted/),
    });
    error = await rejection(
      drive(compute.mountDatastore({ site: 'dr', datastore: 'ds-db', devices: [], test: false, signal: s })),
    );
    expect(error.message).toMatch(/vol-db is read-only on sc-dr/);
    error = await rejection(
      drive(compute.mountDatastore({ site: 'dr', datastore: 'ds-db', devices: [], test: true, signal: s })),
    );
    expect(error.message).toMatch(/no test copy of device vol-db.*testFailoverStart/);
    error = await rejection(drive(compute.powerOn({ site: 'dr', vm: 'db1', signal: s })));
    expect(error.message).toMatch(/db1 is only a placeholder at dr/);
    error = await rejection(drive(compute.powerOn({ site: 'prod', vm: 'ghost', signal: s })));
    expect(error.message).toMatch(/ghost is not in the environment/);

    await drive(storage.failover(request('sc-dr', ['vol-db'], 'f')));
    error = await rejection(
      drive(compute.mountDatastore({ site: 'dr', datastore: 'ds-db', devices: [], test: false, signal: s })),
    );
    expect(error.message).toMatch(/rescan/);
    await drive(compute.rescanHost({ site: 'dr', host: 'esx-d2', signal: s }));
    expect(world.host('esx-d2')).toMatchObject({ rescans: 1, failedRescans: 0 });
    await drive(compute.mountDatastore({ site: 'dr', datastore: 'ds-db', devices: [], test: false, signal: s }));
    error = await rejection(
      drive(compute.registerVm({ site: 'dr', vm: 'db1', host: 'esx-p1', test: false, signal: s })),
    );
    expect(error.message).toMatch(/Host esx-p1 is not at site dr/);
    // esx-d1 has not rescanned since the device was presented: it cannot see the datastore.
    error = await rejection(
      drive(compute.registerVm({ site: 'dr', vm: 'db1', host: 'esx-d1', test: false, signal: s })),
    );
    expect(error.message).toMatch(/host esx-d1 at dr: the host has not rescanned its storage since device vol-db/);
    await drive(compute.rescanHost({ site: 'dr', host: 'esx-d1', signal: s }));
    await drive(compute.registerVm({ site: 'dr', vm: 'db1', host: 'esx-d1', test: false, signal: s }));
    await drive(compute.powerOn({ site: 'dr', vm: 'db1', signal: s }));
    expect(world.vmAt('dr', 'db1')).toMatchObject({ kind: 'registered', power: 'on', host: 'esx-d1' });
    error = await rejection(
      drive(compute.unmountDatastore({ site: 'dr', datastore: 'ds-db', test: false, signal: s })),
    );
    expect(error.message).toMatch(/ds-db at dr is in use: VM db1 is powered on/);
    error = await rejection(drive(compute.unregisterVm({ site: 'dr', vm: 'db1', test: false, signal: s })));
    expect(error.message).toMatch(/power it off/);
    error = await rejection(
      drive(compute.configureNetworks({ site: 'dr', vm: 'db1', mapping: { 'vm-net': 'nowhere' }, signal: s })),
    );
    expect(error.message).toMatch(/Network nowhere/);
    await drive(compute.configureNetworks({ site: 'dr', vm: 'db1', mapping: { 'vm-net': 'test-net' }, signal: s }));
    expect(world.vmAt('dr', 'db1')!.networks).toEqual({ 'vm-net': 'test-net' });
    error = await rejection(drive(compute.rescanHost({ site: 'nowhere', host: 'esx-d1', signal: s })));
    expect(error).toMatchObject({ code: 'DR_COMPUTE_ERROR', message: expect.stringMatching(/Site nowhere/) });
  });

  it('takes virtual time per task, and answers repeats at once without changing anything', async () => {
    const { clock, world } = newWorld({ jitter: 0 });
    const { compute } = world;
    const s = signal();
    const timed = async (work: () => Promise<unknown>) => {
      const start = clock.now();
      await clock.runUntil(work());
      return clock.now() - start;
    };
    expect(await timed(() => compute.rescanHost({ site: 'prod', host: 'esx-p1', signal: s }))).toBe(20_000);
    expect(await timed(() => compute.powerOn({ site: 'prod', vm: 'web1', signal: s }))).toBe(5_000);
    expect(await timed(() => compute.powerOn({ site: 'prod', vm: 'web1', signal: s }))).toBe(0);
    expect(
      await timed(() =>
        compute.mountDatastore({ site: 'prod', datastore: 'ds-db', devices: [], test: false, signal: s }),
      ),
    ).toBe(0);
    expect(await timed(() => compute.suspend({ site: 'prod', vm: 'web1', signal: s }))).toBe(5_000);
    expect(await compute.vmState({ site: 'prod', vm: 'web1', signal: s })).toBe('suspended');
    expect(await timed(() => compute.resume({ site: 'prod', vm: 'web1', signal: s }))).toBe(5_000);
    expect(await timed(() => compute.powerOff({ site: 'prod', vm: 'web1', signal: s }))).toBe(2_000);
    expect(await timed(() => compute.powerOff({ site: 'prod', vm: 'web1', signal: s }))).toBe(0);
    const error = await rejection(clock.runUntil(compute.suspend({ site: 'prod', vm: 'web1', signal: s })));
    expect(error.message).toMatch(/web1 at prod is powered off/);
  });

  it('sends the Tools heartbeat toolsSeconds after power-on', async () => {
    const { clock, world } = newWorld({ jitter: 0 });
    const { compute } = world;
    const s = signal();
    await clock.runUntil(compute.powerOn({ site: 'prod', vm: 'web1', signal: s }));
    const poweredOnAt = clock.now();
    expect(await compute.waitForTools({ site: 'prod', vm: 'web1', timeoutMs: 0, signal: s })).toBe('timeout');
    expect(await clock.runUntil(compute.waitForTools({ site: 'prod', vm: 'web1', timeoutMs: 30_000, signal: s }))).toBe(
      'timeout',
    );
    expect(clock.now() - poweredOnAt).toBe(30_000);
    expect(
      await clock.runUntil(compute.waitForTools({ site: 'prod', vm: 'web1', timeoutMs: 300_000, signal: s })),
    ).toBe('ready');
    // web1 has the schema's default toolsSeconds, 90.
    expect(clock.now() - poweredOnAt).toBe(90_000);
    expect(await compute.waitForTools({ site: 'prod', vm: 'db1', timeoutMs: 0, signal: s })).toBe('ready');
  });

  it('shuts a guest down in shutdownSeconds, or fails past the timeout leaving it on', async () => {
    const { clock, world } = newWorld({ jitter: 0 });
    const { compute } = world;
    const s = signal();
    const start = clock.now();
    const error = await rejection(
      clock.runUntil(compute.shutdownGuest({ site: 'prod', vm: 'db1', timeoutMs: 30_000, signal: s })),
    );
    expect(error).toMatchObject({ code: 'DR_COMPUTE_ERROR', message: expect.stringMatching(/db1.*within 30 s/) });
    expect(clock.now() - start).toBe(30_000);
    expect(world.vmAt('prod', 'db1')!.power).toBe('on');
    await clock.runUntil(compute.shutdownGuest({ site: 'prod', vm: 'db1', timeoutMs: 60_000, signal: s }));
    expect(clock.now() - start).toBe(75_000);
    expect(world.vmAt('prod', 'db1')!.power).toBe('off');
  });

  it('registers a test VM over the placeholder and gives the placeholder back on unregister', async () => {
    const { clock, world } = newWorld();
    const { compute, storage } = world;
    const s = signal();
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);
    await drive(storage.testFailoverStart(request('sc-dr', ['vol-app', 'vol-lv'], 't')));
    await drive(compute.rescanHost({ site: 'dr', host: 'esx-d1', signal: s }));
    await drive(compute.matchStretchedDevices({ site: 'dr', devices: ['vol-lv'], signal: s }));
    const error = await rejection(
      drive(compute.matchStretchedDevices({ site: 'dr', devices: ['vol-app'], signal: s })),
    );
    expect(error.message).toMatch(/vol-app is not a stretched/);
    await drive(
      compute.mountDatastore({
        site: 'dr',
        datastore: 'ds-app',
        devices: ['vol-app', 'vol-lv'],
        test: true,
        signal: s,
      }),
    );
    await drive(compute.registerVm({ site: 'dr', vm: 'app1', host: 'esx-d1', test: true, signal: s }));
    expect(world.vmAt('dr', 'app1')).toMatchObject({
      kind: 'registered',
      test: true,
      host: 'esx-d1',
      replacedPlaceholderHost: 'esx-d2',
    });
    const conflict = await rejection(
      drive(compute.registerVm({ site: 'dr', vm: 'app1', host: 'esx-d1', test: false, signal: s })),
    );
    expect(conflict.message).toMatch(/already registered at dr as a test VM/);
    await drive(compute.unregisterVm({ site: 'dr', vm: 'app1', test: true, signal: s }));
    expect(world.vmAt('dr', 'app1')).toEqual({
      vm: 'app1',
      kind: 'placeholder',
      test: false,
      host: 'esx-d2',
      power: 'off',
    });
    await drive(compute.deletePlaceholder({ site: 'dr', vm: 'app1', signal: s }));
    expect(await compute.vmState({ site: 'dr', vm: 'app1', signal: s })).toBe('absent');
    await drive(compute.createPlaceholder({ site: 'dr', vm: 'app1', host: 'esx-d2', signal: s }));
    expect(await compute.vmState({ site: 'dr', vm: 'app1', signal: s })).toBe('placeholder');
    const running = await rejection(
      drive(compute.createPlaceholder({ site: 'prod', vm: 'app1', host: 'esx-p1', signal: s })),
    );
    expect(running.message).toMatch(/app1 is powered on at prod/);
    const stop = await drive(storage.testFailoverStop(request('sc-dr', ['vol-app'], 'stop')));
    expect(stop.devices[0]!.warnings.join(' ')).toMatch(/still mounted as ds-app at dr/);
  });
});
