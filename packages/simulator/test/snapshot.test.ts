import { describe, expect, it } from '@jest/globals';
import { DrError, VirtualClock, validateEnvironment } from '@drctl/domain';
import { SimulatedWorld, type WorldState } from '../src/index.js';
import { DEVICES, newWorld, request, signal, smallEnvironment } from './fixtures.js';

function thrown(work: () => unknown): DrError {
  try {
    work();
  } catch (error) {
    if (error instanceof DrError) return error;
    throw error;
  }
  throw new Error('expected a DrError');
}

describe('snapshot and restore', () => {
  it('continues a planned migration in a new process on the same world', async () => {
    const { clock, world, env } = newWorld();
    const s = signal();
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);
    await drive(world.storage.syncOnce(request('sc-prod', DEVICES, 'presync')));
    for (const vm of ['db1', 'app1', 'app2'])
      await drive(world.compute.shutdownGuest({ site: 'prod', vm, timeoutMs: 0, signal: s }));
    for (const ds of ['ds-db', 'ds-app'])
      await drive(world.compute.unmountDatastore({ site: 'prod', datastore: ds, test: false, signal: s }));
    await drive(world.storage.prepareFailover(request('sc-prod', DEVICES, 'prepare')));
    await drive(world.storage.failover(request('sc-dr', DEVICES, 'failover')));
    await drive(world.compute.rescanHost({ site: 'dr', host: 'esx-d1', signal: s }));

    // The engine writes the state next to the run; a later process reads it back.
    const saved = world.snapshot();
    const onDisk = JSON.parse(JSON.stringify(saved)) as WorldState;
    expect(onDisk).toEqual(saved);
    const later = new VirtualClock({ start: saved.savedAt + 3_600_000 });
    const resumed = SimulatedWorld.restore(env, onDisk, { clock: later });
    expect({ ...resumed.snapshot(), savedAt: 0 }).toEqual({ ...saved, savedAt: 0 });
    expect(resumed.seed).toBe(7);

    // The crashed step runs again: nothing is promoted twice.
    const again = await later.runUntil(resumed.storage.failover(request('sc-dr', DEVICES, 'failover')));
    expect(again.devices.every((d) => d.status === 'success' && d.warnings.some((w) => /already/.test(w)))).toBe(true);
    for (const id of DEVICES) expect(resumed.effectCount('failover', id)).toBe(1);
    expect(resumed.effects).toHaveLength(world.effects.length);
    expect(resumed.callCount('failover', 'vol-db')).toBe(2);
    // The rescan done before the crash still counts; the recovery finishes.
    await later.runUntil(
      resumed.compute.mountDatastore({ site: 'dr', datastore: 'ds-db', devices: [], test: false, signal: s }),
    );
    await later.runUntil(resumed.compute.registerVm({ site: 'dr', vm: 'db1', host: 'esx-d1', test: false, signal: s }));
    await later.runUntil(resumed.compute.powerOn({ site: 'dr', vm: 'db1', signal: s }));
    expect(await resumed.compute.vmState({ site: 'dr', vm: 'db1', signal: s })).toBe('on');
    expect(await resumed.compute.vmState({ site: 'prod', vm: 'db1', signal: s })).toBe('off');
    // The original world is untouched by the copy.
    expect(world.vmAt('dr', 'db1')!.kind).toBe('placeholder');
  });

  it('keeps a sync that was running at the snapshot going on the array', async () => {
    const { clock, world, env } = newWorld({ jitter: 0 });
    const sync = world.storage.syncOnce(request('sc-prod', ['vol-db'], 'sync-1'));
    sync.catch(() => undefined);
    await clock.advance(11_000);
    const saved = JSON.parse(JSON.stringify(world.snapshot())) as WorldState;
    const later = new VirtualClock({ start: saved.savedAt });
    const resumed = SimulatedWorld.restore(env, saved, { clock: later, jitter: 0 });
    const status = await later.runUntil(resumed.storage.querySyncStatus(request('sc-prod', ['vol-db'], 'q')));
    expect(status.progress[0]).toMatchObject({ status: 'in-progress' });
    // Re-sending the same sync finds it running instead of starting another.
    const repeat = await later.runUntil(resumed.storage.syncOnce(request('sc-prod', ['vol-db'], 'sync-1')));
    expect(repeat.devices[0]!.warnings[0]).toMatch(/already started/);
    expect(resumed.effectCount('syncOnce', 'vol-db')).toBe(1);
    // It finishes when it would have: 30 s after the snapshot.
    await later.advance(saved.savedAt + 29_000 - later.now());
    const before = await later.runUntil(resumed.storage.querySyncStatus(request('sc-prod', ['vol-db'], 'q')));
    expect(before.progress[0]).toMatchObject({ status: 'in-progress' });
    await later.advance(saved.savedAt + 30_000 - later.now());
    const after = await later.runUntil(resumed.storage.querySyncStatus(request('sc-prod', ['vol-db'], 'q')));
    expect(after.progress[0]).toMatchObject({ status: 'complete', percent: 100 });
  });

  it('refuses a state from another environment or of the wrong shape, naming the path', () => {
    const { world, env } = newWorld();
    const clock = new VirtualClock();
    const state = world.snapshot();
    expect(thrown(() => SimulatedWorld.restore({ ...env, name: 'other' }, state, { clock })).issues).toEqual([
      { path: 'environment', message: 'the state belongs to environment small, not other' },
    ]);
    const badDevice = { ...state, devices: [{ ...state.devices[0]!, id: 'vol-zz' }] };
    expect(thrown(() => SimulatedWorld.restore(env, badDevice, { clock })).issues).toEqual([
      { path: 'devices[0].id', message: 'unknown device vol-zz' },
    ]);
    const swapped = { ...state, devices: [{ ...state.devices[0]!, target: 'sc-prod' }] };
    expect(thrown(() => SimulatedWorld.restore(env, swapped, { clock })).issues).toEqual([
      { path: 'devices[0]', message: 'device vol-db must replicate between sc-prod and sc-dr' },
    ]);
    const badVm = structuredClone(state);
    badVm.sites[1]!.vms[0]!.host = 'esx-p1';
    expect(thrown(() => SimulatedWorld.restore(env, badVm, { clock })).issues[0]).toEqual({
      path: 'sites[1].vms[0].host',
      message: 'unknown host esx-p1 at dr',
    });
    const error = thrown(() => SimulatedWorld.restore(env, 'nonsense' as unknown as WorldState, { clock }));
    expect(error.code).toBe('DR_INPUT_INVALID');
    expect(
      thrown(() => SimulatedWorld.restore(env, { ...state, format: 'x' } as unknown as WorldState, { clock }))
        .issues[0]!.path,
    ).toBe('format');
  });

  it('gives volumes added to the environment since the snapshot their initial state', () => {
    const { world } = newWorld();
    const state = world.snapshot();
    const grown = smallEnvironment();
    const env = validateEnvironment({
      ...grown,
      volumes: [...grown.volumes, { id: 'vol-new', sourceArray: 'sc-prod', targetArray: 'sc-dr' }],
    });
    const resumed = SimulatedWorld.restore(env, state, { clock: new VirtualClock() });
    expect(resumed.device('vol-new')).toMatchObject({
      source: 'sc-prod',
      target: 'sc-dr',
      sourceWritable: true,
      replication: 'running',
    });
  });
});
