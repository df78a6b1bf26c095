import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { pino } from 'pino';
import { VirtualClock, type DeviceCommandRequest, type DeviceCommandResult, type StorageAdapter } from '@drctl/domain';
import { SimulatedWorld } from '@drctl/simulator';
import { mirroredStorage } from '../../src/sc-series/mirrored-storage.js';
import { readEnvironment } from '../../src/index.js';
import { TECHSOL_DIR } from './support.js';

/** A primary whose answers the test scripts: the mirror's behaviour is what is under test. */
function scriptedPrimary(
  answer: (request: DeviceCommandRequest) => DeviceCommandResult,
): StorageAdapter & { calls: string[] } {
  const calls: string[] = [];
  const device = (name: string) => async (request: DeviceCommandRequest) => {
    calls.push(`${name} ${request.arrayId}`);
    return answer(request);
  };
  return {
    kind: 'sc-series',
    calls,
    queryInfo: async () => ({ name: 'scripted', version: '1', vendor: 'test' }),
    queryCapabilities: async () => ({
      commands: [],
      replicationTypes: [],
      supportsConsistencyGroups: false,
      supportsStretchedStorage: true,
    }),
    discoverArrays: async () => [],
    discoverDevices: async () => [],
    syncOnce: device('syncOnce'),
    querySyncStatus: async (request) => ({ ...answer(request), progress: [] }),
    testFailoverStart: device('testFailoverStart'),
    testFailoverStop: device('testFailoverStop'),
    prepareFailover: device('prepareFailover'),
    failover: device('failover'),
    prepareReverseReplication: device('prepareReverseReplication'),
    reverseReplication: device('reverseReplication'),
    restoreReplication: device('restoreReplication'),
  };
}

function setup(answer: (request: DeviceCommandRequest) => DeviceCommandResult) {
  const env = readEnvironment(join(TECHSOL_DIR, 'environment.yaml'));
  const clock = new VirtualClock();
  const world = new SimulatedWorld(env, {
    clock,
    jitter: 0,
    durations: { failover: 0, testFailoverStart: 0, syncStart: 0 },
  });
  const primary = scriptedPrimary(answer);
  const storage = mirroredStorage(primary, world.storage, pino({ level: 'silent' }));
  const request = (arrayId: string, devices: string[]): DeviceCommandRequest => ({
    arrayId,
    devices,
    idempotencyKey: `k/${arrayId}/${devices.join(',')}`,
    context: { workflow: 'planned-migration', plan: 'Protect vcsite1', runId: 'r1' },
    signal: new AbortController().signal,
  });
  return { world, clock, primary, storage, request };
}

const ok = (device: string, warnings: string[] = []) => ({ device, status: 'success' as const, warnings });
const failed = (device: string) => ({
  device,
  status: 'error' as const,
  error: { code: 'SC_DSM_REFUSED', description: 'refused' },
  warnings: [],
});

describe('storage changes made through SC Series, followed by the simulated arrays the vCenter checks', () => {
  it("applies a state change to the devices that succeeded, and only to them; the answer is the primary's", async () => {
    const { world, clock, storage, request } = setup((r) => ({
      devices: r.devices.map((d) => (d === 'srmds2' ? failed(d) : ok(d))),
    }));
    const result = await clock.runUntil(storage.failover(request('SC 13', ['srmds1', 'srmds2'])));
    expect(result.devices).toEqual([ok('srmds1'), failed('srmds2')]);
    expect(world.device('srmds1')!.targetPromoted).toBe(true);
    expect(world.device('srmds2')!.targetPromoted).toBe(false);
    expect(world.effectCount('failover')).toBe(1);
  });

  it('says so, as a warning on the device, when the simulated arrays cannot follow', async () => {
    const { world, clock, storage, request } = setup((r) => ({ devices: r.devices.map((d) => ok(d)) }));
    // testFailoverStart belongs on the target array; the world refuses it on the source.
    const result = await clock.runUntil(storage.testFailoverStart(request('SC 12', ['srmds1'])));
    expect(result.devices[0]!.status).toBe('success');
    expect(result.devices[0]!.warnings).toEqual([
      expect.stringMatching(/simulated vCenter did not follow testFailoverStart .*source of srmds1/),
    ]);
    expect(world.device('srmds1')!.testCopy).toBeUndefined();
  });

  it('leaves syncs and reads to the primary alone', async () => {
    const { world, clock, primary, storage, request } = setup((r) => ({ devices: r.devices.map((d) => ok(d)) }));
    await clock.runUntil(storage.syncOnce(request('SC 12', ['srmds1'])));
    await clock.runUntil(storage.querySyncStatus(request('SC 12', ['srmds1'])));
    expect(primary.calls).toEqual(['syncOnce SC 12']);
    expect(world.callCount('syncOnce')).toBe(0);
    expect(world.callCount('querySyncStatus')).toBe(0);
  });
});
