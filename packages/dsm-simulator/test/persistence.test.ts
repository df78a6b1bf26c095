import { afterEach, describe, expect, it } from '@jest/globals';
import { DrError, VirtualClock } from '@drctl/domain';
import { DsmModel, startDsmSimulator, type DsmSimulator, type DsmSimulatorState } from '../src/index.js';
import { wireStyleFor } from '../src/model/wire-style.js';
import { TestClient } from './support/client.js';
import { PROTECTED_SC, twoSiteSeed } from './support/seeds.js';

const running: Array<{ sim: DsmSimulator; client: TestClient }> = [];
afterEach(async () => {
  for (const { sim, client } of running.splice(0)) {
    await client.close();
    await sim.close();
  }
});

async function open(options: { clock: VirtualClock; state?: DsmSimulatorState }) {
  const sim = await startDsmSimulator({
    clock: options.clock,
    ...(options.state ? { state: options.state } : { seed: twoSiteSeed() }),
    defaultTransferSeconds: 20,
  });
  const client = new TestClient(sim);
  await client.login();
  running.push({ sim, client });
  return { sim, client };
}

/** Through JSON and back, as the store keeps it. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('saving and restoring the simulated Data Collector', () => {
  it('answers the same after a restore, keeps ids unique and continues a transfer in flight', async () => {
    const start = Date.parse('2024-05-01T10:00:00Z');
    const clock = new VirtualClock({ start });
    const first = await open({ clock });
    const volumeId = String(first.sim.model.volumesNamed('ds-app')[0]!['instanceId']);
    const replay = await first.client.asyncCall('POST', `StorageCenter/ScVolume/${volumeId}/CreateReplay`, {
      description: 'before restart',
      expireTime: 0,
    });
    expect(replay.status).toBe(200);
    await clock.advance(10_000); // half of the replication's 30 s transfer
    const created = await first.client.asyncCall('POST', 'StorageCenter/ScVolume', {
      Name: 'scratch',
      Size: '1 GB',
      StorageCenter: PROTECTED_SC,
    });
    expect(created.status).toBe(201);

    const saved = viaJson(first.sim.snapshot());
    const listsBefore = {
      volumes: first.sim.model.volumes(),
      replications: first.sim.model.replications(),
      liveVolumes: first.sim.model.liveVolumes(),
      mappings: first.sim.model.mappingProfiles(),
      restorePoints: first.sim.model.restorePoints(),
      replays: first.sim.model.replayList(volumeId),
    };

    // A later process: a new server on a clock that starts where the first one stopped.
    const later = new VirtualClock({ start: clock.now() });
    const second = await open({ clock: later, state: saved });
    expect({
      volumes: second.sim.model.volumes(),
      replications: second.sim.model.replications(),
      liveVolumes: second.sim.model.liveVolumes(),
      mappings: second.sim.model.mappingProfiles(),
      restorePoints: second.sim.model.restorePoints(),
      replays: second.sim.model.replayList(volumeId),
    }).toEqual(listsBefore);
    expect(second.sim.counters.list()).toEqual(first.sim.counters.list());

    // The transfer started before the restart finishes on time afterwards.
    const replicationId = String(
      second.sim.model
        .replications()
        .find((r) => (r['sourceVolume'] as { instanceName: string }).instanceName === 'ds-app')!['instanceId'],
    );
    expect((await second.client.get(`StorageCenter/ScReplication/${replicationId}/CurrentProgress`)).body.synced).toBe(
      false,
    );
    await later.advance(25_000);
    expect((await second.client.get(`StorageCenter/ScReplication/${replicationId}/CurrentProgress`)).body.synced).toBe(
      true,
    );

    // New objects get new ids: the sequences were saved too.
    const another = await second.client.asyncCall('POST', 'StorageCenter/ScVolume', {
      Name: 'scratch 2',
      Size: '1 GB',
      StorageCenter: PROTECTED_SC,
    });
    expect(another.body.instanceId).not.toBe(created.body.instanceId);
    expect(second.sim.model.volumes().map((v) => v['instanceId'])).toEqual(
      expect.arrayContaining([created.body.instanceId, another.body.instanceId]),
    );

    // Lookups work on restored objects: mapping a restored volume finds its server and mappings.
    const listed = await second.client.get(`StorageCenter/ScVolume/${volumeId}/MappingProfileList`);
    expect(listed.body.length).toBe(first.sim.model.mappingProfiles(volumeId).length);
  });

  it('counts a call made after a restore on top of the saved counts', async () => {
    const clock = new VirtualClock({ start: Date.parse('2024-05-01T10:00:00Z') });
    const first = await open({ clock });
    const volumeId = String(first.sim.model.volumesNamed('ds-db')[0]!['instanceId']);
    await first.client.asyncCall('POST', `StorageCenter/ScVolume/${volumeId}/CreateReplay`, {
      description: 'once',
      expireTime: 0,
    });
    const second = await open({ clock, state: viaJson(first.sim.snapshot()) });
    expect(second.sim.counters.repeated()).toEqual([]);
    await second.client.asyncCall('POST', `StorageCenter/ScVolume/${volumeId}/CreateReplay`, {
      description: 'once',
      expireTime: 0,
    });
    expect(second.sim.counters.repeated()).toEqual([
      expect.objectContaining({ action: 'CreateReplay', object: `${volumeId}:once`, count: 2 }),
    ]);
  });

  it('refuses a state that is not a saved simulator, naming the field', async () => {
    const clock = new VirtualClock();
    const bad = {
      format: 'drctl-dsm-simulator/1',
      counters: [],
      model: { format: 'something else', volumes: {} },
    } as unknown as DsmSimulatorState;
    const error = await startDsmSimulator({ clock, state: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrError);
    const paths = (error as DrError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['state.model.format', 'state.model.volumes', 'state.model.replays']));
  });

  it('restores into a model that already holds objects by replacing them', () => {
    const clock = new VirtualClock();
    const config = {
      clock,
      defaultTransferSeconds: 20,
      defaultReplayDeltaBytes: 1,
      provider: 'EnterpriseManager' as const,
    };
    const style = wireStyleFor('4.2');
    const empty = new DsmModel(config, style);
    const saved = empty.snapshot();
    const other = new DsmModel(config, style);
    other.state.storageCenters.set(1, { serial: 1, name: 'x', version: '7', connected: true, hostOrIpAddress: 'h' });
    other.restore(saved);
    expect(other.snapshot()).toEqual(saved);
  });
});
