import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DeviceCommandResult, StorageCommand } from '@drctl/domain';
import type { SimulatedWorld } from '../src/index.js';
import { newWorld, request } from './fixtures.js';

type Command = Exclude<
  StorageCommand,
  'queryInfo' | 'queryCapabilities' | 'discoverArrays' | 'discoverDevices' | 'querySyncStatus'
>;

function send(
  world: SimulatedWorld,
  command: Command,
  arrayId: string,
  devices: string[],
  key = `${command}-key`,
): Promise<DeviceCommandResult> {
  return world.storage[command](request(arrayId, devices, key));
}

/** Each step takes effect once; the repeat must answer success with a warning and change nothing. */
const CYCLE: Array<[Command, string]> = [
  ['syncOnce', 'sc-prod'],
  ['testFailoverStart', 'sc-dr'],
  ['testFailoverStop', 'sc-dr'],
  ['prepareFailover', 'sc-prod'],
  ['restoreReplication', 'sc-prod'],
  ['prepareFailover', 'sc-prod'],
  ['failover', 'sc-dr'],
  ['prepareReverseReplication', 'sc-prod'],
  ['reverseReplication', 'sc-dr'],
];

describe('idempotent storage commands', () => {
  it.each([['vol-db'], ['vol-app']])('every command on %s: the repeat is a no-op with a warning', async (device) => {
    const { clock, world } = newWorld();
    for (const [step, [command, arrayId]] of CYCLE.entries()) {
      const key = `step-${step}`;
      const effectsBefore = world.effectCount(command, device);
      const first = await clock.runUntil(send(world, command, arrayId, [device], key));
      expect(first.devices[0]).toMatchObject({ device, status: 'success', warnings: [] });
      expect(world.effectCount(command, device)).toBe(effectsBefore + 1);

      const stateAfterFirst = world.device(device);
      const noOpsBefore = world.noOpCount(command, device);
      const repeat = await clock.runUntil(send(world, command, arrayId, [device], key));
      expect(repeat.devices[0]!.status).toBe('success');
      expect(repeat.devices[0]!.warnings).toHaveLength(1);
      expect(repeat.devices[0]!.warnings[0]).toMatch(/already|nothing to discard/);
      expect(world.effectCount(command, device)).toBe(effectsBefore + 1);
      expect(world.noOpCount(command, device)).toBe(noOpsBefore + 1);
      expect(world.device(device)).toEqual(stateAfterFirst);
    }
    // After the reverse, replaying the whole recovery changes nothing either.
    const effects = world.effects.length;
    for (const [command, arrayId] of [
      ['failover', 'sc-dr'],
      ['prepareReverseReplication', 'sc-prod'],
      ['reverseReplication', 'sc-prod'],
    ] as const) {
      const again = await clock.runUntil(send(world, command, arrayId, [device]));
      expect(again.devices[0]).toMatchObject({ status: 'success', warnings: [expect.stringMatching(/already/)] });
    }
    expect(world.effects.length).toBe(effects);
    expect(world.callCount('failover', device)).toBe(3);
  });

  it('a Live Volume swaps roles once; reprotect then has nothing left to do', async () => {
    const { clock, world } = newWorld();
    const drive = <T>(work: Promise<T>) => clock.runUntil(work);
    const first = await drive(send(world, 'failover', 'sc-dr', ['vol-lv']));
    expect(first.devices[0]).toMatchObject({
      status: 'success',
      details: expect.objectContaining({ roleSwap: 'sc-prod → sc-dr' }),
    });
    const repeat = await drive(send(world, 'failover', 'sc-dr', ['vol-lv']));
    expect(repeat.devices[0]).toMatchObject({ status: 'success', warnings: [expect.stringMatching(/already/)] });
    // Reprotect's reverse steps find the roles swapped by design: success, no warning, and why.
    for (const [command, arrayId] of [
      ['prepareReverseReplication', 'sc-prod'],
      ['reverseReplication', 'sc-dr'],
    ] as const) {
      const reverse = await drive(send(world, command, arrayId, ['vol-lv']));
      expect(reverse.devices[0]).toMatchObject({ status: 'success', warnings: [] });
      expect(Object.values(reverse.devices[0]!.details ?? {}).join(' ')).toMatch(/roles swapped at failover/);
    }
    expect(world.effects.map((e) => e.command)).toEqual(['failover']);
  });

  it('two identical calls in flight together make one change', async () => {
    const { clock, world } = newWorld();
    const devices = ['vol-db', 'vol-app', 'vol-lv'];
    const [a, b] = await clock.runUntil(
      Promise.all([send(world, 'failover', 'sc-dr', devices), send(world, 'failover', 'sc-dr', devices)]),
    );
    for (const id of devices) expect(world.effectCount('failover', id)).toBe(1);
    const repeats = [...a.devices, ...b.devices].filter((d) => d.warnings.some((w) => /nothing changed/.test(w)));
    expect(repeats).toHaveLength(devices.length);
    expect(world.noOpCount('failover')).toBe(devices.length);
    expect([...a.devices, ...b.devices].every((d) => d.status === 'success')).toBe(true);
    const [s1, s2] = await clock.runUntil(
      Promise.all([
        send(world, 'syncOnce', 'sc-dr', ['vol-lv'], 'same'),
        send(world, 'syncOnce', 'sc-dr', ['vol-lv'], 'same'),
      ]),
    );
    expect(world.effectCount('syncOnce', 'vol-lv')).toBe(1);
    expect([s1.devices[0]!.warnings.length, s2.devices[0]!.warnings.length].sort()).toEqual([0, 1]);
  });

  it('a sync with a new idempotency key is a new sync; the same key is not', async () => {
    const { clock, world } = newWorld();
    await clock.runUntil(send(world, 'syncOnce', 'sc-prod', ['vol-db'], 'a'));
    await clock.runUntil(send(world, 'syncOnce', 'sc-prod', ['vol-db'], 'b'));
    await clock.runUntil(send(world, 'syncOnce', 'sc-prod', ['vol-db'], 'a'));
    expect(world.effectCount('syncOnce', 'vol-db')).toBe(2);
    expect(world.noOpCount('syncOnce', 'vol-db')).toBe(1);
    expect(world.device('vol-db')!.replays.map((r) => r.reason)).toEqual(['initial', 'sync', 'sync']);
  });

  it('property: any command repeated at once makes no new change, and directions stay coherent', async () => {
    const commands: Command[] = [
      'syncOnce',
      'testFailoverStart',
      'testFailoverStop',
      'prepareFailover',
      'failover',
      'prepareReverseReplication',
      'reverseReplication',
      'restoreReplication',
    ];
    const step = fc.record({
      command: fc.constantFrom(...commands),
      array: fc.constantFrom('sc-prod', 'sc-dr'),
      devices: fc.subarray(['vol-db', 'vol-app', 'vol-lv'], { minLength: 1 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 10 }), async (steps) => {
        const { clock, world, env } = newWorld();
        for (const [i, s] of steps.entries()) {
          await clock.runUntil(send(world, s.command, s.array, s.devices, `k${i}`));
          const effects = world.effects.length;
          const repeat = await clock.runUntil(send(world, s.command, s.array, s.devices, `k${i}`));
          expect(world.effects.length).toBe(effects);
          // A repeat says it changed nothing — with a warning, or (a Live Volume's reverse after its
          // failover swapped roles) with a detail saying the roles are already where reprotect wants them.
          for (const r of repeat.devices) {
            if (r.status !== 'success') continue;
            if (r.warnings.length === 0)
              expect(Object.values(r.details ?? {}).join(' ')).toMatch(/roles swapped at failover/);
          }
          for (const volume of env.volumes) {
            const d = world.device(volume.id)!;
            expect(new Set([d.source, d.target])).toEqual(new Set([volume.sourceArray, volume.targetArray]));
            expect(d.targetPromoted && d.replication === 'running').toBe(false);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
