import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { VirtualClock } from '@drctl/domain';
import { startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { fixtures, shapeDifferences } from './support/fixtures.js';
import { PROTECTED_SC, RECOVERY_SC, twoSiteSeed } from './support/seeds.js';

describe('replication (dsm-rest.md §2.5, §2.7)', () => {
  let clock: VirtualClock;
  let sim: DsmSimulator;
  let client: TestClient;
  const volumeId = (name: string) => String(sim.model.volumesNamed(name)[0]!['instanceId']);
  const replicationOf = (source: string) =>
    sim.model.replications().find((r) => (r['sourceVolume'] as { instanceName: string }).instanceName === source)!;
  const serverId = (name: string, ssn: number) =>
    String(sim.model.servers(ssn).find((s) => s['name'] === name)!['instanceId']);
  beforeEach(async () => {
    clock = new VirtualClock({ start: Date.parse('2024-05-01T10:00:00Z') });
    sim = await startDsmSimulator({ seed: twoSiteSeed(), clock, defaultTransferSeconds: 20 });
    client = new TestClient(sim);
    await client.login();
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it("lists seeded replications with the fixture's fields, held on the source SC", async () => {
    const answer = await client.getList('ScReplication', [['scSerialNumber', PROTECTED_SC]]);
    expect(answer.body).toHaveLength(3);
    const plain = answer.body.find(
      (r: { sourceVolume: { instanceName: string } }) => r.sourceVolume.instanceName === 'ds-app',
    );
    expect(shapeDifferences(plain, fixtures.replication)).toEqual([]);
    expect(plain).toMatchObject({
      objectType: 'ScReplication',
      type: 'Asynchronous',
      syncMode: 'None',
      syncStatus: 'NotApplicable',
      state: 'Up',
      replicateActiveReplay: false,
      destinationScSerialNumber: RECOVERY_SC,
      managedByLiveVolume: false,
      instanceName: "Replication of 'ds-app'",
      qosNode: { instanceName: 'Gold', objectType: 'ScReplicationQosNode' },
    });
    expect(plain.instanceId).toMatch(new RegExp(`^${PROTECTED_SC}\\.\\d+$`));
    const synchronous = answer.body.find(
      (r: { sourceVolume: { instanceName: string } }) => r.sourceVolume.instanceName === 'ds-db',
    );
    expect(synchronous).toMatchObject({
      type: 'Synchronous',
      syncMode: 'HighAvailability',
      syncStatus: 'Current',
      replicateActiveReplay: true,
    });
    const managed = answer.body.find((r: { managedByLiveVolume: boolean }) => r.managedByLiveVolume);
    expect(managed.sourceVolume.instanceName).toBe('ds-stretched');
    const fromVolume = await client.get(`StorageCenter/ScVolume/${volumeId('ds-app')}/ReplicationSourceList`);
    expect(fromVolume.body.map((r: { instanceId: string }) => r.instanceId)).toEqual([plain.instanceId]);
  });

  it('shows seeded replays already on the destination with the same globalIndex', async () => {
    const source = (await client.get(`StorageCenter/ScVolume/${volumeId('ds-app')}/ReplayList`)).body.filter(
      (r: { active: boolean }) => !r.active,
    );
    const destination = (
      await client.get(`StorageCenter/ScVolume/${volumeId('Repl of ds-app')}/ReplayList`)
    ).body.filter((r: { active: boolean }) => !r.active);
    expect(destination.map((r: { globalIndex: string }) => r.globalIndex)).toEqual(
      source.map((r: { globalIndex: string }) => r.globalIndex),
    );
    expect(destination.map((r: { description: string }) => r.description)).toEqual(['daily', 'hourly']);
    expect(destination[0].instanceId.startsWith(`${RECOVERY_SC}.`)).toBe(true);
  });

  it("transfers a new replay over the replication's transfer time; CurrentProgress counts down to synced", async () => {
    const replication = replicationOf('ds-app');
    const progressPath = `StorageCenter/ScReplication/${replication['instanceId']}/CurrentProgress`;
    expect((await client.get(progressPath)).body).toMatchObject({
      synced: true,
      amountRemaining: '0 Bytes',
      percentComplete: 100,
    });
    const replay = await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, {
      description: 'srm-sync',
      expireTime: 0,
    });
    const started = (await client.get(progressPath)).body;
    expect(started).toMatchObject({ synced: false, amountRemaining: '1000000 Bytes', percentComplete: 0, state: 'Up' });
    expect(shapeDifferences(started, fixtures.replicationCurrentProgress)).toEqual([]);
    expect(shapeDifferences(started, fixtures.replicationProgressFieldsObserved)).toEqual([]);
    await clock.advance(15_000);
    expect((await client.get(progressPath)).body).toMatchObject({
      synced: false,
      amountRemaining: '500000 Bytes',
      percentComplete: 50,
    });
    const midway = (await client.get(`StorageCenter/ScVolume/${volumeId('Repl of ds-app')}/ReplayList`)).body;
    expect(midway.some((r: { globalIndex: string }) => r.globalIndex === replay.body.globalIndex)).toBe(false);
    await clock.advance(15_000);
    expect((await client.get(progressPath)).body).toMatchObject({
      synced: true,
      amountRemaining: '0 Bytes',
      percentComplete: 100,
    });
    const arrived = (await client.get(`StorageCenter/ScVolume/${volumeId('Repl of ds-app')}/ReplayList`)).body;
    expect(arrived.find((r: { globalIndex: string }) => r.globalIndex === replay.body.globalIndex)).toMatchObject({
      description: 'srm-sync',
      active: false,
    });
    const listed = await client.get(`StorageCenter/ScReplicationProgress/${replication['instanceId']}`);
    expect(listed.body).toMatchObject({ objectType: 'ScReplicationProgress', synced: true, percentComplete: 100 });
  });

  it('queues replays one after another', async () => {
    const progressPath = `StorageCenter/ScReplication/${replicationOf('ds-app')['instanceId']}/CurrentProgress`;
    await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, { description: 'one' });
    await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, { description: 'two' });
    expect((await client.get(progressPath)).body.amountRemaining).toBe('2000000 Bytes');
    await clock.advance(30_000);
    expect((await client.get(progressPath)).body).toMatchObject({ synced: false, amountRemaining: '1000000 Bytes' });
    await clock.advance(30_000);
    expect((await client.get(progressPath)).body.synced).toBe(true);
  });

  it('replicates synchronously at once', async () => {
    const replay = await client.post(`StorageCenter/ScVolume/${volumeId('ds-db')}/CreateReplay`, {
      description: 'sync',
    });
    expect(
      (await client.get(`StorageCenter/ScReplication/${replicationOf('ds-db')['instanceId']}/CurrentProgress`)).body
        .synced,
    ).toBe(true);
    const destination = (await client.get(`StorageCenter/ScVolume/${volumeId('Repl of ds-db')}/ReplayList`)).body;
    expect(destination.some((r: { globalIndex: string }) => r.globalIndex === replay.body.globalIndex)).toBe(true);
  });

  it('changes ReplicateActiveReplay with PUT', async () => {
    const answer = await client.put(`StorageCenter/ScReplication/${replicationOf('ds-app')['instanceId']}`, {
      ReplicateActiveReplay: true,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.replicateActiveReplay).toBe(true);
  });

  it("breaks replication when the destination is unmapped (Cinder's failover), then lets it be mapped to recovery hosts", async () => {
    const destination = volumeId('Repl of ds-app');
    const refused = await client.post(`StorageCenter/ScVolume/${destination}/MapToServer`, {
      server: serverId('dr-cluster', RECOVERY_SC),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.result).toMatch(/destination of replication .* cannot be mapped/);
    expect((await client.post(`StorageCenter/ScVolume/${destination}/Unmap`, {})).status).toBe(204);
    const replication = replicationOf('ds-app');
    expect(replication).toMatchObject({ state: 'Down', status: 'Down' });
    expect((await client.get(`StorageCenter/ScVolume/${destination}`)).body.replicationDestination).toBe(true);
    const progress = await client.get(`StorageCenter/ScReplication/${replication['instanceId']}/CurrentProgress`);
    expect(progress.body.synced).toBe(false);
    const mapped = await client.post(`StorageCenter/ScVolume/${destination}/MapToServer`, {
      server: serverId('dr-cluster', RECOVERY_SC),
    });
    expect(mapped.status).toBe(200);
  });

  it("creates a replication with 201 from Cinder's payload, with a new destination volume and an initial full copy", async () => {
    const created = await client.post('StorageCenter/ScVolume', {
      Name: 'fresh',
      Size: '10 GB',
      StorageCenter: PROTECTED_SC,
    });
    await client.post(`StorageCenter/ScVolume/${created.body.instanceId}/MapToServer`, {
      server: serverId('esx-p1', PROTECTED_SC),
    });
    const qos = (
      await client.getList('ScReplicationQosNode', [
        ['scSerialNumber', PROTECTED_SC],
        ['name', 'Gold'],
      ])
    ).body[0];
    const body = {
      ...fixtures.requests['POST StorageCenter/ScReplication async-type (async)'],
      QosNode: qos.instanceId,
      SourceVolume: created.body.instanceId,
      StorageCenter: PROTECTED_SC,
      DestinationStorageCenter: String(RECOVERY_SC),
    };
    const replication = await client.post('StorageCenter/ScReplication', body);
    expect(replication.status).toBe(201);
    expect(replication.body.destinationVolume.instanceName).toBe(
      'Cinder repl of volume-37883deb-85cd-426a-9a98-62eaad8671ea',
    );
    const progress = await client.get(`StorageCenter/ScReplication/${replication.body.instanceId}/CurrentProgress`);
    expect(progress.body).toMatchObject({ synced: false, amountRemaining: `${10 * 1024 ** 3} Bytes` });
    await clock.advance(20_000);
    expect(
      (await client.get(`StorageCenter/ScReplication/${replication.body.instanceId}/CurrentProgress`)).body.synced,
    ).toBe(true);
    const again = await client.post('StorageCenter/ScReplication', body);
    expect(again.status).toBe(400);
    expect(again.body.result).toMatch(/already replicates/);
  });

  it('refuses SyncMode with Asynchronous ("not supported on the platform") and unknown QoS nodes', async () => {
    const base = {
      QosNode: `${PROTECTED_SC}.1`,
      SourceVolume: volumeId('ds-app'),
      StorageCenter: PROTECTED_SC,
      DestinationStorageCenter: RECOVERY_SC,
    };
    await client.delete(`StorageCenter/ScReplication/${replicationOf('ds-app')['instanceId']}`, {
      DeleteDestinationVolume: false,
      RecycleDestinationVolume: false,
      DeleteRestorePoint: true,
    });
    const mixed = await client.post('StorageCenter/ScReplication', {
      ...base,
      Type: 'Asynchronous',
      SyncMode: 'HighAvailability',
    });
    expect(mixed.body.result).toMatch(/not supported on the platform/);
    const noQos = await client.post('StorageCenter/ScReplication', { ...base, QosNode: `${PROTECTED_SC}.99` });
    expect(noQos.body.result).toMatch(/QoS node/);
    const highConsistency = await client.post('StorageCenter/ScReplication', { ...base, Type: 'Synchronous' });
    expect(highConsistency.body.syncMode).toBe('HighConsistency');
  });

  it('reverses a replication into the old source (failback): delete, then replicate back into the existing volume with only the changes', async () => {
    const source = volumeId('ds-app');
    const destination = volumeId('Repl of ds-app');
    const old = replicationOf('ds-app');
    await client.post(`StorageCenter/ScVolume/${destination}/Unmap`, {});
    const blocked = await client.post('StorageCenter/ScReplication', {
      QosNode: `${RECOVERY_SC}.1`,
      SourceVolume: destination,
      StorageCenter: RECOVERY_SC,
      DestinationStorageCenter: PROTECTED_SC,
      DestinationVolume: source,
      Type: 'Asynchronous',
      ReplicateActiveReplay: false,
    });
    expect(blocked.status).toBe(400);
    expect(blocked.body.result).toMatch(/mapped to servers|replicates to/);
    expect((await client.post(`StorageCenter/ScVolume/${source}/Unmap`, {})).status).toBe(204);
    const loop = await client.post('StorageCenter/ScReplication', {
      QosNode: `${RECOVERY_SC}.1`,
      SourceVolume: destination,
      StorageCenter: RECOVERY_SC,
      DestinationStorageCenter: PROTECTED_SC,
      DestinationVolume: source,
    });
    expect(loop.body.result).toMatch(/replicates to/);
    const deleted = await client.delete(`StorageCenter/ScReplication/${old['instanceId']}`, {
      // Cinder's flip/failback form of the payload.
      ...fixtures.requests['DELETE StorageCenter/ScReplication/{id} (async, body)'],
      DeleteDestinationVolume: false,
      RecycleDestinationVolume: false,
    });
    expect(deleted.body).toEqual({ result: true });
    expect((await client.get(`StorageCenter/ScVolume/${destination}`)).body).toMatchObject({
      replicationDestination: false,
      inRecycleBin: false,
    });
    const reversed = await client.post('StorageCenter/ScReplication', {
      QosNode: `${RECOVERY_SC}.1`,
      SourceVolume: destination,
      StorageCenter: RECOVERY_SC,
      DestinationStorageCenter: PROTECTED_SC,
      DestinationVolume: source,
      Type: 'Asynchronous',
      ReplicateActiveReplay: false,
    });
    expect(reversed.status).toBe(201);
    expect(reversed.body.instanceId.startsWith(`${RECOVERY_SC}.`)).toBe(true);
    const progress = await client.get(`StorageCenter/ScReplication/${reversed.body.instanceId}/CurrentProgress`);
    expect(progress.body.amountRemaining).toBe('1000000 Bytes');
    expect((await client.get(`StorageCenter/ScVolume/${source}`)).body.replicationDestination).toBe(true);
  });

  it('deletes a replication and its destination volume when asked', async () => {
    const replication = replicationOf('ds-db');
    const destination = volumeId('Repl of ds-db');
    const deleted = await client.delete(`StorageCenter/ScReplication/${replication['instanceId']}`, {
      DeleteDestinationVolume: true,
      RecycleDestinationVolume: true,
      DeleteRestorePoint: true,
    });
    expect(deleted.status).toBe(200);
    expect((await client.get(`StorageCenter/ScVolume/${destination}`)).status).toBe(404);
    expect((await client.get(`StorageCenter/ScReplication/${replication['instanceId']}`)).status).toBe(404);
  });

  it('pauses and resumes asynchronous replication; nothing moves while paused', async () => {
    const replication = replicationOf('ds-app');
    const id = String(replication['instanceId']);
    expect((await client.post(`StorageCenter/ScReplication/${id}/Pause`, {})).body.state).toBe('Paused');
    await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, { description: 'paused' });
    await clock.advance(60_000);
    expect((await client.get(`StorageCenter/ScReplication/${id}/CurrentProgress`)).body).toMatchObject({
      synced: false,
      state: 'Paused',
    });
    expect((await client.post(`StorageCenter/ScReplication/${id}/Resume`, {})).body.state).toBe('Up');
    // ds-app's replays take 30 s (its seed), counted again from the resume.
    await clock.advance(29_000);
    expect((await client.get(`StorageCenter/ScReplication/${id}/CurrentProgress`)).body.synced).toBe(false);
    await clock.advance(1_000);
    expect((await client.get(`StorageCenter/ScReplication/${id}/CurrentProgress`)).body.synced).toBe(true);
    expect(
      (await client.post(`StorageCenter/ScReplication/${replicationOf('ds-db')['instanceId']}/Pause`, {})).status,
    ).toBe(400);
  });

  it('stops transfers and refuses actions while an array is down, and resumes when it returns', async () => {
    const id = String(replicationOf('ds-app')['instanceId']);
    await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, { description: 'before outage' });
    expect(sim.faults.storageCenterDown(PROTECTED_SC)).toBe(true);
    const sc = (await client.get(`StorageCenter/StorageCenter/${PROTECTED_SC}`)).body;
    expect(sc).toMatchObject({ status: 'Down', connected: false });
    const refused = await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, {
      description: 'during outage',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.result).toMatch(/not connected/);
    expect((await client.get(`StorageCenter/ScReplication/${id}`)).body.state).toBe('Down');
    await clock.advance(60_000);
    expect((await client.get(`StorageCenter/ScReplication/${id}/CurrentProgress`)).body.synced).toBe(false);
    // The recovery side still works: this is how a disaster recovery proceeds.
    const destination = volumeId('Repl of ds-app');
    expect(
      (await client.post(`StorageCenter/ScVolume/${destination}/CreateReplay`, { description: 'recovery' })).status,
    ).toBe(200);
    expect(sim.faults.storageCenterUp(PROTECTED_SC)).toBe(true);
    expect((await client.get(`StorageCenter/ScReplication/${id}/CurrentProgress`)).body.synced).toBe(false);
    await clock.advance(30_000);
    expect((await client.get(`StorageCenter/ScReplication/${id}/CurrentProgress`)).body.synced).toBe(true);
  });

  it('finds or creates QoS nodes (201) as Cinder does, refusing duplicates', async () => {
    const found = await client.getList('ScReplicationQosNode', [
      ['scSerialNumber', RECOVERY_SC],
      ['name', 'Gold'],
    ]);
    expect(shapeDifferences(found.body[0], fixtures.qosNode)).toEqual([]);
    const created = await client.post('StorageCenter/ScReplicationQosNode', {
      ...fixtures.requests['POST StorageCenter/ScReplicationQosNode (async)'],
      Name: 'Cinder QoS',
      StorageCenter: String(RECOVERY_SC),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Cinder QoS', linkSpeed: '1 Gbps', bandwidthLimited: false });
    expect(
      (await client.post('StorageCenter/ScReplicationQosNode', { Name: 'cinder qos', StorageCenter: RECOVERY_SC }))
        .status,
    ).toBe(400);
  });
});
