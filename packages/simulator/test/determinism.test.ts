import { describe, expect, it } from '@jest/globals';
import type { SimulatedWorld } from '../src/index.js';
import { DEVICES, newWorld, request } from './fixtures.js';

const VMS = ['db1', 'app1', 'app2', 'web1'];

/** Powers the VMs on (in the given order, all at once) at the recovery site; returns each VM's time to Tools. */
async function recoverAll(order: string[], seed?: number): Promise<Record<string, number>> {
  const { clock, world } = newWorld(seed === undefined ? {} : { seed });
  const s = new AbortController().signal;
  const drive = <T>(work: Promise<T>) => clock.runUntil(work);
  await drive(world.storage.failover(request('sc-dr', DEVICES, 'f')));
  await drive(world.compute.rescanHost({ site: 'dr', host: 'esx-d1', signal: s }));
  await drive(world.compute.rescanHost({ site: 'dr', host: 'esx-d2', signal: s }));
  for (const ds of ['ds-db', 'ds-app'])
    await drive(world.compute.mountDatastore({ site: 'dr', datastore: ds, devices: [], test: false, signal: s }));
  const start = clock.now();
  const times: Record<string, number> = {};
  await drive(
    Promise.all(
      order.map(async (vm) => {
        await world.compute.registerVm({ site: 'dr', vm, host: 'esx-d2', test: false, signal: s });
        await world.compute.powerOn({ site: 'dr', vm, signal: s });
        await world.compute.waitForTools({ site: 'dr', vm, timeoutMs: 600_000, signal: s });
        times[vm] = clock.now() - start;
      }),
    ),
  );
  return times;
}

async function failoverTimes(
  world: SimulatedWorld,
  clock: { now(): number; runUntil<T>(p: Promise<T>): Promise<T> },
  devices: string[],
) {
  const start = clock.now();
  const done: Record<string, number> = {};
  await clock.runUntil(
    world.storage.failover({
      ...request('sc-dr', devices, 'f'),
      onProgress: ({ device }) => (done[device!] = clock.now() - start),
    }),
  );
  return done;
}

describe('determinism', () => {
  it('gives the same timings for the same seed, whatever the order of the calls', async () => {
    const forward = await recoverAll(VMS);
    const backward = await recoverAll([...VMS].reverse());
    expect(backward).toEqual(forward);
    expect(await recoverAll(VMS)).toEqual(forward);
    // Jitter is small: app1 boots with Tools at 60 s, plus the 2 s register and 5 s power-on tasks.
    expect(forward['app1']).toBeGreaterThan(0.95 * 67_000);
    expect(forward['app1']).toBeLessThan(1.05 * 67_000);
  });

  it('gives other timings for another seed', async () => {
    expect(await recoverAll(VMS, 8)).not.toEqual(await recoverAll(VMS));
  });

  it('times storage commands per device, independent of the other devices in the call', async () => {
    const a = newWorld();
    const b = newWorld();
    const together = await failoverTimes(a.world, a.clock, DEVICES);
    const alone = await failoverTimes(b.world, b.clock, ['vol-app']);
    expect(alone['vol-app']).toBe(together['vol-app']);
    expect(new Set(Object.values(together)).size).toBe(3);
  });
});
