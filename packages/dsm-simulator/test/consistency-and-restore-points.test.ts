import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { fixtures, shapeDifferences } from './support/fixtures.js';
import { PROTECTED_SC, RECOVERY_SC, twoSiteSeed } from './support/seeds.js';

describe('consistency groups (replay profiles of type Consistent)', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  const volumeId = (name: string) => String(sim.model.volumesNamed(name)[0]!['instanceId']);
  beforeEach(async () => {
    sim = await startDsmSimulator({
      seed: twoSiteSeed({
        consistencyGroups: [{ storageCenter: PROTECTED_SC, name: 'app-cg', volumes: ['ds-app', 'ds-db'] }],
      }),
    });
    client = new TestClient(sim);
    await client.login();
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('finds the group by name, lists its volumes and takes a group replay of every member', async () => {
    const [profile] = (
      await client.getList('ScReplayProfile', [
        ['ScSerialNumber', PROTECTED_SC],
        ['Name', 'app-cg'],
      ])
    ).body;
    expect(shapeDifferences(profile, fixtures.replayProfile)).toEqual([]);
    expect(profile).toMatchObject({ type: 'Consistent', volumeCount: 2 });
    const members = (await client.get(`StorageCenter/ScReplayProfile/${profile.instanceId}/VolumeList`)).body;
    expect(members.map((v: { name: string }) => v.name).sort()).toEqual(['ds-app', 'ds-db']);
    const group = await client.post(`StorageCenter/ScReplayProfile/${profile.instanceId}/CreateReplay`, {
      description: 'GUID1-cg-snapshot',
      expireTime: 0,
    });
    expect(group.status).toBe(200);
    expect(shapeDifferences(group.body, fixtures.replayConsistencyGroup)).toEqual([]);
    expect(group.body).toMatchObject({
      objectType: 'ScReplayConsistencyGroup',
      description: 'GUID1-cg-snapshot',
      replayCount: 2,
      expectedReplayCount: 2,
    });
    expect(group.body.instanceId).toMatch(new RegExp(`^${PROTECTED_SC}\\.${PROTECTED_SC}\\.\\d+\\.\\d+$`));
    const listed = (await client.get(`StorageCenter/ScReplayProfile/${profile.instanceId}/ConsistencyGroupList`)).body;
    expect(listed.map((g: { instanceId: string }) => g.instanceId)).toEqual([group.body.instanceId]);
    const replays = (await client.get(`StorageCenter/ScReplayConsistencyGroup/${group.body.instanceId}/ReplayList`))
      .body;
    expect(replays).toHaveLength(2);
    expect(
      replays.every(
        (r: { consistent: boolean; description: string }) => r.consistent && r.description === 'GUID1-cg-snapshot',
      ),
    ).toBe(true);
  });

  it('creates a profile (201), sets membership with PUT ScVolumeConfiguration and deletes it', async () => {
    const created = await client.post('StorageCenter/ScReplayProfile', {
      StorageCenter: String(PROTECTED_SC),
      Name: 'new-cg',
      Type: 'Consistent',
      Notes: 'n',
    });
    expect(created.status).toBe(201);
    const put = await client.put(`StorageCenter/ScVolumeConfiguration/${volumeId('ds-stretched')}`, {
      ReplayProfileList: [created.body.instanceId],
    });
    expect(put.status).toBe(200);
    expect(put.body.replayProfileList.map((p: { instanceName: string }) => p.instanceName)).toEqual(['new-cg']);
    const wrongSc = await client.put(`StorageCenter/ScVolumeConfiguration/${volumeId('Repl of ds-app')}`, {
      ReplayProfileList: [created.body.instanceId],
    });
    expect(wrongSc.status).toBe(400);
    expect((await client.delete(`StorageCenter/ScReplayProfile/${created.body.instanceId}`)).body).toEqual({
      result: true,
    });
    expect(
      (await client.get(`StorageCenter/ScVolume/${volumeId('ds-stretched')}/VolumeConfiguration`)).body
        .replayProfileList,
    ).toEqual([]);
  });

  it('refuses a group replay of a profile with no members or of a Standard profile', async () => {
    const empty = await client.post('StorageCenter/ScReplayProfile', {
      StorageCenter: PROTECTED_SC,
      Name: 'empty',
      Type: 'Consistent',
    });
    expect(
      (await client.post(`StorageCenter/ScReplayProfile/${empty.body.instanceId}/CreateReplay`, { description: 'x' }))
        .body.result,
    ).toMatch(/no volumes/);
    const standard = await client.post('StorageCenter/ScReplayProfile', {
      StorageCenter: PROTECTED_SC,
      Name: 'Daily',
      Type: 'Standard',
    });
    expect(
      (
        await client.post(`StorageCenter/ScReplayProfile/${standard.body.instanceId}/CreateReplay`, {
          description: 'x',
        })
      ).status,
    ).toBe(400);
  });
});

describe('restore points (assumed endpoints)', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  beforeEach(async () => {
    sim = await startDsmSimulator({ seed: twoSiteSeed() });
    client = new TestClient(sim);
    await client.login();
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('has a restore point per replication and Live Volume after seeding, with Use Active Snapshot cleared', async () => {
    const points = (await client.get('StorageCenter/ScReplicationRestorePoint')).body;
    expect(points).toHaveLength(3);
    expect(
      points.every((p: { useActiveReplay: boolean; state: string }) => p.useActiveReplay === false && p.state === 'Up'),
    ).toBe(true);
    expect(points.filter((p: { isLiveVolume: boolean }) => p.isLiveVolume)).toHaveLength(1);
    const perSc = (await client.get(`StorageCenter/StorageCenter/${RECOVERY_SC}/ReplicationRestorePointList`)).body;
    expect(perSc).toHaveLength(3);
  });

  it('sets Use Active Snapshot per restore point with PUT', async () => {
    const [point] = (await client.getList('ScReplicationRestorePoint', [['sourceVolume.instanceName', 'ds-app']])).body;
    const updated = await client.put(`StorageCenter/ScReplicationRestorePoint/${point.instanceId}`, {
      UseActiveReplay: true,
    });
    expect(updated.body.useActiveReplay).toBe(true);
    expect((await client.put(`StorageCenter/ScReplicationRestorePoint/${point.instanceId}`, {})).status).toBe(400);
  });

  it('saves restore points again (200 list) and validation drops those whose replication is gone', async () => {
    const [point] = (await client.getList('ScReplicationRestorePoint', [['sourceVolume.instanceName', 'ds-app']])).body;
    const replication = sim.model
      .replications()
      .find((r) => (r['sourceVolume'] as { instanceName: string }).instanceName === 'ds-app')!;
    await client.post(`StorageCenter/ScVolume/${sim.model.volumesNamed('Repl of ds-app')[0]!['instanceId']}/Unmap`, {});
    const degraded = (await client.get(`StorageCenter/ScReplicationRestorePoint/${point.instanceId}`)).body;
    expect(degraded.state).toBe('Degraded');
    await client.delete(`StorageCenter/ScReplication/${replication['instanceId']}`, {
      DeleteDestinationVolume: false,
      RecycleDestinationVolume: false,
      DeleteRestorePoint: false,
    });
    expect((await client.get(`StorageCenter/ScReplicationRestorePoint/${point.instanceId}`)).body).not.toHaveProperty(
      'replication',
    );
    const validated = await client.post('StorageCenter/ScReplicationRestorePoint/ValidateRestorePoints', {});
    expect(validated.status).toBe(200);
    expect(validated.body).toHaveLength(2);
    const saved = await client.post('StorageCenter/ScReplicationRestorePoint/SaveRestorePoints', {
      StorageCenter: PROTECTED_SC,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toHaveLength(2);
  });
});
