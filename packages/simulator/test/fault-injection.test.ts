import { describe, expect, it } from '@jest/globals';
import { DrError } from '@drctl/domain';
import { parseFaults } from '../src/index.js';
import { DEVICES, newWorld, request, signal } from './fixtures.js';

async function rejection(work: Promise<unknown>): Promise<DrError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DrError)) throw new Error(`expected a DrError, got ${String(error)}`);
  return error;
}

describe('fault injection', () => {
  it('site-down: the site answers nothing, the other site carries on (disaster recovery)', async () => {
    const { clock, world } = newWorld({ faults: parseFaults(['site-down:prod']) });
    const { compute, storage } = world;
    const s = signal();
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);
    expect(await compute.isSiteReachable('prod', s)).toBe(false);
    expect(await compute.isSiteReachable('dr', s)).toBe(true);
    const computeCalls: Array<() => Promise<unknown>> = [
      () => compute.vmState({ site: 'prod', vm: 'db1', signal: s }),
      () => compute.shutdownGuest({ site: 'prod', vm: 'db1', timeoutMs: 0, signal: s }),
      () => compute.rescanHost({ site: 'prod', host: 'esx-p1', signal: s }),
      () => compute.unmountDatastore({ site: 'prod', datastore: 'ds-db', test: false, signal: s }),
    ];
    for (const call of computeCalls) {
      expect(await rejection(drive(call()))).toMatchObject({
        code: 'DR_SITE_UNREACHABLE',
        message: expect.stringMatching(/prod/),
      });
    }
    const storageCalls: Array<() => Promise<unknown>> = [
      () => storage.prepareFailover(request('sc-prod', DEVICES, 'p')),
      () => storage.syncOnce(request('sc-prod', DEVICES, 's')),
      () => storage.discoverDevices({ signal: s, arrayId: 'sc-prod' }),
    ];
    for (const call of storageCalls) {
      expect(await rejection(drive(call()))).toMatchObject({
        code: 'DR_SITE_UNREACHABLE',
        message: expect.stringMatching(/sc-prod at site prod/),
      });
    }
    expect((await drive(storage.discoverArrays({ signal: s }))).map((a) => a.id)).toEqual(['sc-dr']);

    const promoted = await drive(storage.failover(request('sc-dr', DEVICES, 'f')));
    expect(promoted.devices.map((d) => d.status)).toEqual(['success', 'success', 'success']);
    expect(promoted.devices.find((d) => d.device === 'vol-lv')!.warnings.join(' ')).toMatch(/sc-prod is unreachable/);
    expect(world.device('vol-lv')).toMatchObject({ source: 'sc-dr', replication: 'broken' });
    const reverse = await drive(storage.reverseReplication(request('sc-dr', ['vol-lv'], 'r')));
    expect(reverse.devices[0]!.error!.code).toBe('SIM_PEER_UNREACHABLE');

    // The site comes back: the rest of the job can be done.
    world.setFaults([]);
    expect(await compute.isSiteReachable('prod', s)).toBe(true);
    const prepared = await drive(storage.prepareFailover(request('sc-prod', ['vol-db'], 'p2')));
    expect(prepared.devices[0]).toMatchObject({ status: 'success', state: 'read-only' });
    const resumed = await drive(storage.reverseReplication(request('sc-dr', ['vol-lv'], 'r2')));
    expect(resumed.devices[0]).toMatchObject({ status: 'success', warnings: [] });
    expect(world.device('vol-lv')!.replication).toBe('running');
  });

  it('hang: the command never answers until its signal fires; other commands are unaffected', async () => {
    const { clock, world } = newWorld({ faults: parseFaults(['hang:failover:vol-db', 'hang:discoverArrays']) });
    const controller = new AbortController();
    const start = clock.now();
    const timeout = new DrError('DR_STORAGE_TIMEOUT', 'failover timed out after 300 s.');
    clock.setTimer(300_000, () => controller.abort(timeout));
    await expect(
      clock.runUntil(world.storage.failover(request('sc-dr', ['vol-app', 'vol-db'], 'f', controller.signal))),
    ).rejects.toBe(timeout);
    expect(clock.now() - start).toBe(300_000);
    expect(world.effects).toEqual([]);
    const other = await clock.runUntil(world.storage.failover(request('sc-dr', ['vol-app'], 'f')));
    expect(other.devices[0]!.status).toBe('success');

    const abortQuery = new AbortController();
    clock.setTimer(1_000, () => abortQuery.abort('gave up'));
    await expect(clock.runUntil(world.storage.discoverArrays({ signal: abortQuery.signal }))).rejects.toMatchObject({
      code: 'DR_CANCELLED',
      message: 'gave up',
    });
  });

  it('error: a per-device failure for the named device, a thrown error for non-device commands', async () => {
    const { clock, world } = newWorld({ faults: parseFaults(['error:testFailoverStart:vol-app', 'error:queryInfo']) });
    const result = await clock.runUntil(world.storage.testFailoverStart(request('sc-dr', DEVICES, 't')));
    expect(result.devices.map((d) => [d.device, d.status])).toEqual([
      ['vol-db', 'success'],
      ['vol-app', 'error'],
      ['vol-lv', 'success'],
    ]);
    expect(result.devices[1]!.error).toMatchObject({
      code: 'SIM_INJECTED_FAULT',
      description: expect.stringMatching(/testFailoverStart failed on device vol-app/),
    });
    expect(world.effects.map((e) => e.device).sort()).toEqual(['vol-db', 'vol-lv']);
    expect(world.device('vol-app')!.testCopy).toBeUndefined();
    expect(await rejection(clock.runUntil(world.storage.queryInfo({ signal: signal() })))).toMatchObject({
      code: 'DR_STORAGE_ERROR',
    });
    world.setFaults(parseFaults(['error:testFailoverStart']));
    const all = await clock.runUntil(world.storage.testFailoverStart(request('sc-dr', ['vol-app'], 't')));
    expect(all.devices[0]!.status).toBe('error');
    expect(world.errorCount('testFailoverStart', 'vol-app')).toBe(2);
  });

  it('no-tools: the VM boots but never sends a heartbeat, and refuses a guest shutdown', async () => {
    const { clock, world } = newWorld({ faults: parseFaults(['no-tools:web1', 'no-tools:db1']), jitter: 0 });
    const s = signal();
    await clock.runUntil(world.compute.powerOn({ site: 'prod', vm: 'web1', signal: s }));
    const start = clock.now();
    expect(
      await clock.runUntil(world.compute.waitForTools({ site: 'prod', vm: 'web1', timeoutMs: 600_000, signal: s })),
    ).toBe('timeout');
    expect(clock.now() - start).toBe(600_000);
    const error = await rejection(
      clock.runUntil(world.compute.shutdownGuest({ site: 'prod', vm: 'db1', timeoutMs: 300_000, signal: s })),
    );
    expect(error).toMatchObject({
      code: 'DR_COMPUTE_ERROR',
      message: expect.stringMatching(/VMware Tools is not running in VM db1/),
    });
    await clock.runUntil(world.compute.powerOff({ site: 'prod', vm: 'db1', signal: s }));
    expect(world.vmAt('prod', 'db1')!.power).toBe('off');
  });

  it('power-on-fails: the task fails after its time, naming the VM and host; the VM stays off', async () => {
    const { clock, world } = newWorld({ faults: parseFaults(['power-on-fails:web1']), jitter: 0 });
    const start = clock.now();
    const error = await rejection(
      clock.runUntil(world.compute.powerOn({ site: 'prod', vm: 'web1', signal: signal() })),
    );
    expect(error).toMatchObject({
      code: 'DR_COMPUTE_ERROR',
      message: 'Power-on of VM web1 on host esx-p1 at prod failed (injected fault).',
    });
    expect(clock.now() - start).toBe(5_000);
    expect(world.vmAt('prod', 'web1')!.power).toBe('off');
  });

  it('rescan-fails: the first TIMES rescans fail, then they work; without TIMES they always fail', async () => {
    const { clock, world } = newWorld({ faults: parseFaults(['rescan-fails:esx-d1:2', 'rescan-fails:esx-d2']) });
    const rescan = (host: string) => clock.runUntil(world.compute.rescanHost({ site: 'dr', host, signal: signal() }));
    for (let i = 0; i < 2; i++)
      expect(await rejection(rescan('esx-d1'))).toMatchObject({
        code: 'DR_COMPUTE_ERROR',
        message: expect.stringMatching(/esx-d1/),
      });
    await rescan('esx-d1');
    for (let i = 0; i < 3; i++) await expect(rescan('esx-d2')).rejects.toBeInstanceOf(DrError);
    expect(world.host('esx-d1')).toMatchObject({ rescans: 1, failedRescans: 2 });
    expect(world.host('esx-d2')).toMatchObject({ rescans: 0, failedRescans: 3 });
    // setFaults starts the count again.
    world.setFaults(parseFaults(['rescan-fails:esx-d1:1']));
    await expect(rescan('esx-d1')).rejects.toBeInstanceOf(DrError);
    await rescan('esx-d1');
  });

  it('checks fault names against the environment and keeps faults out of the snapshot', () => {
    const { world } = newWorld({ faults: parseFaults(['site-down:dr']) });
    expect(() => world.setFaults(parseFaults(['no-tools:ghost']))).toThrow(/unknown VM ghost|names 1 thing/);
    expect(world.faults).toEqual([{ kind: 'site-down', site: 'dr' }]);
    expect(JSON.stringify(world.snapshot())).not.toMatch(/site-down/);
    expect(() => newWorld({ faults: parseFaults(['site-down:moon']) })).toThrow(DrError);
  });
});
