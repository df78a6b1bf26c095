import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { STATE_CHANGING_COMMANDS } from '@drctl/domain';
import type { SimulatedWorld } from '../src/index.js';
import { DEVICES, newWorld, request, signal } from './fixtures.js';

const SITES = ['prod', 'dr'] as const;
const HOSTS = { prod: ['esx-p1', 'esx-p2'], dr: ['esx-d1', 'esx-d2'] } as const;
const VMS = ['db1', 'app1', 'app2', 'web1'];
const DATASTORES = { 'ds-db': ['vol-db'], 'ds-app': ['vol-app', 'vol-lv'] } as const;
// Every command that changes the arrays, and the sync query (a read the arrays still count).
const COMMANDS = [...STATE_CHANGING_COMMANDS, 'querySyncStatus' as const];

/** One call into the world's ports, chosen by the property; whether it succeeds does not matter. */
const operation = fc.oneof(
  fc.record({
    kind: fc.constant('storage' as const),
    command: fc.constantFrom(...COMMANDS),
    array: fc.constantFrom('sc-prod', 'sc-dr'),
    devices: fc.subarray(DEVICES, { minLength: 1 }),
  }),
  fc.record({
    kind: fc.constant('compute' as const),
    call: fc.constantFrom(
      'rescanHost',
      'mountDatastore',
      'unmountDatastore',
      'registerVm',
      'unregisterVm',
      'createPlaceholder',
      'deletePlaceholder',
      'powerOn',
      'powerOff',
      'shutdownGuest',
      'suspend',
      'resume',
      'configureNetworks',
      'vmState',
    ),
    site: fc.constantFrom(...SITES),
    host: fc.integer({ min: 0, max: 1 }),
    vm: fc.constantFrom(...VMS),
    datastore: fc.constantFrom(...(Object.keys(DATASTORES) as Array<keyof typeof DATASTORES>)),
    test: fc.boolean(),
  }),
);
type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never;

function perform(world: SimulatedWorld, op: Operation): Promise<unknown> {
  if (op.kind === 'storage') return world.storage[op.command](request(op.array, op.devices, `${op.command}-key`));
  const { site, vm, datastore, test } = op;
  const host = HOSTS[site][op.host]!;
  const s = signal();
  const c = world.compute;
  switch (op.call) {
    case 'rescanHost':
      return c.rescanHost({ site, host, signal: s });
    case 'mountDatastore':
      return c.mountDatastore({ site, datastore, devices: [...DATASTORES[datastore]], test, signal: s });
    case 'unmountDatastore':
      return c.unmountDatastore({ site, datastore, test, signal: s });
    case 'registerVm':
      return c.registerVm({ site, vm, host, test, signal: s });
    case 'unregisterVm':
      return c.unregisterVm({ site, vm, test, signal: s });
    case 'createPlaceholder':
      return c.createPlaceholder({ site, vm, host, signal: s });
    case 'deletePlaceholder':
      return c.deletePlaceholder({ site, vm, signal: s });
    case 'shutdownGuest':
      return c.shutdownGuest({ site, vm, timeoutMs: 0, signal: s });
    case 'configureNetworks':
      return c.configureNetworks({ site, vm, mapping: { 'vm-net': test ? 'test-net' : 'vm-net' }, signal: s });
    default:
      return c[op.call]({ site, vm, signal: s });
  }
}

/** The saved text without the save time, which moves with the clock alone. */
const withoutSaveTime = (json: string) => json.replace(/"savedAt":\d+,/, '');

describe('the world as saved text', () => {
  it('is always the live state encoded, and changes only when the change count moves', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (operations) => {
        const { clock, world } = newWorld();
        let text = world.stateJson();
        let changes = world.changeCount;
        for (const op of operations) {
          await clock.runUntil(perform(world, op)).catch(() => undefined);
          const now = world.stateJson();
          expect(now).toBe(JSON.stringify(world.snapshotForStore()));
          if (world.changeCount === changes) expect(withoutSaveTime(now)).toBe(withoutSaveTime(text));
          text = now;
          changes = world.changeCount;
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is written afresh after the world adopts a state another process saved', async () => {
    const { world } = newWorld();
    const other = newWorld();
    world.stateJson();
    await other.clock.runUntil(other.world.compute.rescanHost({ site: 'dr', host: 'esx-d1', signal: signal() }));
    const before = world.changeCount;
    world.adopt(other.world.snapshot());
    expect(world.changeCount).toBeGreaterThan(before);
    expect(world.stateJson()).toBe(JSON.stringify(world.snapshotForStore()));
    expect(JSON.parse(world.stateJson()).sites[1].hosts[0].rescans).toBe(1);
  });
});
