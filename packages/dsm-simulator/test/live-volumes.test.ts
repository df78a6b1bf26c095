import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { VirtualClock } from '@drctl/domain';
import { startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { fixtures, shapeDifferences } from './support/fixtures.js';
import { PROTECTED_SC, RECOVERY_SC, twoSiteSeed } from './support/seeds.js';

describe('Live Volumes (dsm-rest.md §2.6)', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  const serverId = (name: string, ssn: number) =>
    String(sim.model.servers(ssn).find((s) => s['name'] === name)!['instanceId']);
  const liveVolume = async () =>
    (await client.get(`StorageCenter/StorageCenter/${PROTECTED_SC}/LiveVolumeList`)).body[0];
  beforeEach(async () => {
    sim = await startDsmSimulator({
      seed: twoSiteSeed(),
      clock: new VirtualClock({ start: Date.parse('2024-05-01T10:00:00Z') }),
    });
    client = new TestClient(sim);
    await client.login();
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('lists a healthy Live Volume per SC with the fields the API-4.1 script reads, and healthy values', async () => {
    const onPrimary = (await client.get(`StorageCenter/StorageCenter/${PROTECTED_SC}/LiveVolumeList`)).body;
    const onSecondary = (await client.get(`StorageCenter/StorageCenter/${RECOVERY_SC}/LiveVolumeList`)).body;
    expect(onPrimary).toHaveLength(1);
    expect(onSecondary.map((lv: { instanceId: string }) => lv.instanceId)).toEqual([onPrimary[0].instanceId]);
    const lv = onPrimary[0];
    expect(shapeDifferences(lv, fixtures.liveVolumeHealthyValuesObserved)).toEqual([]);
    const healthy = fixtures.liveVolumeHealthyValuesObserved;
    for (const key of [
      'primaryStatus',
      'secondaryStatus',
      'secondaryRole',
      'primaryRole',
      'primaryPeerState',
      'secondaryPeerState',
      'failoverState',
      'replicationState',
      'type',
      'syncMode',
      'syncStatus',
      'status',
      'primarySwapRoleState',
      'secondarySwapRoleState',
    ]) {
      expect([key, lv[key]]).toEqual([key, healthy[key]]);
    }
    expect(lv).toMatchObject({
      objectType: 'ScLiveVolume',
      instanceName: 'Live Volume of ds-stretched',
      primaryScSerialNumber: PROTECTED_SC,
      secondaryScSerialNumber: RECOVERY_SC,
      swapRolesAutomaticallyEnabled: false,
      failoverAutomaticallyEnabled: false,
      primaryVolume: { instanceName: 'ds-stretched' },
      secondaryVolume: { instanceName: 'ds-stretched' },
    });
    expect(lv.instanceId).toMatch(new RegExp(`^${PROTECTED_SC}\\.\\d+$`));
    const primary = (await client.get(`StorageCenter/ScVolume/${lv.primaryVolume.instanceId}`)).body;
    const secondary = (await client.get(`StorageCenter/ScVolume/${lv.secondaryVolume.instanceId}`)).body;
    expect(primary.liveVolume && secondary.liveVolume).toBe(true);
    expect(secondary.deviceId).toBe(primary.deviceId);
    expect(primary.replicationSource).toBe(false);
  });

  it('swaps roles: the volumes exchange places and the managed replication runs the other way', async () => {
    const before = await liveVolume();
    const swapped = await client.post(`StorageCenter/ScLiveVolume/${before.instanceId}/SwapRoles`, {});
    expect(swapped.status).toBe(200);
    expect(swapped.body).toMatchObject({
      instanceId: before.instanceId,
      primaryVolume: { instanceId: before.secondaryVolume.instanceId },
      secondaryVolume: { instanceId: before.primaryVolume.instanceId },
      primaryScSerialNumber: RECOVERY_SC,
      secondaryScSerialNumber: PROTECTED_SC,
      secondaryRole: 'Secondary',
      failoverState: 'Protected',
    });
    const managed = sim.model.replications().filter((r) => r['managedByLiveVolume']);
    expect(managed).toHaveLength(1);
    expect(managed[0]).toMatchObject({
      scSerialNumber: RECOVERY_SC,
      sourceVolume: { instanceId: before.secondaryVolume.instanceId },
      state: 'Up',
    });
    const back = await client.post(`StorageCenter/ScLiveVolume/${before.instanceId}/SwapRoles`, {});
    expect(back.body.primaryVolume.instanceId).toBe(before.primaryVolume.instanceId);
  });

  it('activates the secondary when the primary array is down, and reports a failure the way the script saw it', async () => {
    const before = await liveVolume();
    sim.faults.storageCenterDown(PROTECTED_SC);
    const activated = await client.post(`StorageCenter/ScLiveVolume/${before.instanceId}/SwapRoles`, {});
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({
      secondaryRole: 'Activated',
      failoverState: 'FailedOver',
      primaryStatus: 'Down',
      primaryVolume: { instanceId: before.primaryVolume.instanceId },
    });
    // "type, syncMode and syncStatus are not returned after a failure".
    for (const key of ['type', 'syncMode', 'syncStatus']) expect(activated.body).not.toHaveProperty(key);
    sim.faults.storageCenterUp(PROTECTED_SC);
    const swapped = await client.post(`StorageCenter/ScLiveVolume/${before.instanceId}/SwapRoles`, {});
    expect(swapped.body).toMatchObject({ secondaryRole: 'Secondary', primaryScSerialNumber: RECOVERY_SC });
  });

  it('maps the secondary with MapSecondaryVolume and refuses MapToServer on it', async () => {
    const lv = await liveVolume();
    const direct = await client.post(`StorageCenter/ScVolume/${lv.secondaryVolume.instanceId}/MapToServer`, {
      server: serverId('dr-cluster', RECOVERY_SC),
    });
    expect(direct.status).toBe(400);
    expect(direct.body.result).toMatch(/MapSecondaryVolume/);
    const body = {
      ...fixtures.requests['POST StorageCenter/ScLiveVolume/{id}/MapSecondaryVolume (async)'],
      Server: serverId('dr-cluster', RECOVERY_SC),
    };
    const mapped = await client.post(`StorageCenter/ScLiveVolume/${lv.instanceId}/MapSecondaryVolume`, body);
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({
      objectType: 'ScMappingProfile',
      volume: { instanceId: lv.secondaryVolume.instanceId },
      server: { instanceName: 'dr-cluster' },
    });
    const wrongSc = await client.post(`StorageCenter/ScLiveVolume/${lv.instanceId}/MapSecondaryVolume`, {
      Server: serverId('esx-p1', PROTECTED_SC),
    });
    expect(wrongSc.status).toBe(400);
  });

  it("keeps the Live Volume's replication mapping through Unmap and refuses deleting its replication directly", async () => {
    const lv = await liveVolume();
    expect((await client.post(`StorageCenter/ScVolume/${lv.secondaryVolume.instanceId}/Unmap`, {})).status).toBe(204);
    expect((await liveVolume()).replicationState).toBe('Up');
    const managed = sim.model.replications().find((r) => r['managedByLiveVolume'])!;
    const refused = await client.delete(`StorageCenter/ScReplication/${managed['instanceId']}`, {
      DeleteDestinationVolume: false,
      RecycleDestinationVolume: false,
      DeleteRestorePoint: false,
    });
    expect(refused.body.result).toMatch(/managed by Live Volume/);
  });

  it("creates a Live Volume with 201 from Cinder's payload and deletes it with a body", async () => {
    const volume = await client.post('StorageCenter/ScVolume', {
      Name: 'lv-new',
      Size: '5 GB',
      StorageCenter: PROTECTED_SC,
    });
    const qos = (id: number) => sim.model.qosNodes(id)[0]!['instanceId'];
    const body = {
      ...fixtures.requests['POST StorageCenter/ScLiveVolume (async)'],
      StorageCenter: PROTECTED_SC,
      SecondaryStorageCenter: RECOVERY_SC,
      PrimaryVolume: volume.body.instanceId,
      PrimaryQosNode: qos(PROTECTED_SC),
      SecondaryQosNode: qos(RECOVERY_SC),
      SecondaryVolumeAttributes: { Notes: 'n', CreateSourceVolumeFolderPath: true, Name: 'lv-new' },
    };
    const created = await client.post('StorageCenter/ScLiveVolume', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      failoverAutomaticallyEnabled: true,
      restoreAutomaticallyEnabled: true,
      swapRolesAutomaticallyEnabled: false,
      type: 'Synchronous',
      syncMode: 'HighAvailability',
      secondaryVolume: { instanceName: 'lv-new' },
    });
    const asyncHa = await client.post('StorageCenter/ScLiveVolume', { ...body, Type: 'Asynchronous' });
    expect(asyncHa.body.result).toMatch(/already part of a Live Volume|not supported on the platform/);
    const deleted = await client.delete(
      `StorageCenter/ScLiveVolume/${created.body.instanceId}`,
      fixtures.requests['DELETE StorageCenter/ScLiveVolume/{id} (async, body)'],
    );
    expect(deleted.body).toEqual({ result: true });
    expect((await client.get(`StorageCenter/ScVolume/${created.body.secondaryVolume.instanceId}`)).status).toBe(404);
    expect((await client.get(`StorageCenter/ScLiveVolume/${created.body.instanceId}`)).status).toBe(404);
  });

  it('refuses an asynchronous Live Volume with SyncMode HighAvailability', async () => {
    const volume = await client.post('StorageCenter/ScVolume', {
      Name: 'lv-async',
      Size: '5 GB',
      StorageCenter: PROTECTED_SC,
    });
    const answer = await client.post('StorageCenter/ScLiveVolume', {
      StorageCenter: PROTECTED_SC,
      SecondaryStorageCenter: RECOVERY_SC,
      PrimaryVolume: volume.body.instanceId,
      PrimaryQosNode: sim.model.qosNodes(PROTECTED_SC)[0]!['instanceId'],
      SecondaryQosNode: sim.model.qosNodes(RECOVERY_SC)[0]!['instanceId'],
      Type: 'Asynchronous',
      SyncMode: 'HighAvailability',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.result).toMatch(/not supported on the platform/);
  });

  it('changes the automatic flags with PUT, allowing auto failover only for synchronous High Availability', async () => {
    const lv = await liveVolume();
    const modified = await client.put(`StorageCenter/ScLiveVolume/${lv.instanceId}`, {
      SwapRolesAutomaticallyEnabled: true,
      FailoverAutomaticallyEnabled: true,
    });
    expect(modified.body).toMatchObject({
      swapRolesAutomaticallyEnabled: true,
      automaticallySwapRoles: true,
      failoverAutomaticallyEnabled: true,
    });
  });

  it('converts a Live Volume back to a replication when deleted with ConvertToReplication', async () => {
    const lv = await liveVolume();
    await client.delete(`StorageCenter/ScLiveVolume/${lv.instanceId}`, {
      ConvertToReplication: true,
      DeleteSecondaryVolume: false,
      RecycleSecondaryVolume: false,
      DeleteRestorePoint: false,
    });
    const replication = sim.model
      .replications()
      .find((r) => (r['sourceVolume'] as { instanceId: string }).instanceId === lv.primaryVolume.instanceId)!;
    expect(replication).toMatchObject({ managedByLiveVolume: false, state: 'Up' });
  });
});
