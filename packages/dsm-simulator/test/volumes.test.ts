import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VirtualClock } from '@drctl/domain';
import { startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { fixtures, shapeDifferences } from './support/fixtures.js';
import { PROTECTED_SC, RECOVERY_SC, twoSiteSeed } from './support/seeds.js';

const GIB = 1024 ** 3;

describe('volumes, replays, view volumes and mappings', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  const serverId = (name: string, ssn = PROTECTED_SC) =>
    String(sim.model.servers(ssn).find((s) => s['name'] === name)!['instanceId']);
  beforeAll(async () => {
    sim = await startDsmSimulator({ seed: twoSiteSeed() });
    client = new TestClient(sim);
    await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it("creates a volume with 201 from Cinder's payload; the object has the API 4.2 fixture's fields", async () => {
    const folder = await client.post('StorageCenter/ScVolumeFolder', {
      Name: 'cinder',
      StorageCenter: String(PROTECTED_SC),
      Notes: 'n',
    });
    expect(folder.status).toBe(201);
    const created = await client.post('StorageCenter/ScVolume', {
      Name: 'vol-a',
      Notes: 'Created by Dell EMC Cinder Driver',
      Size: '1 GB',
      StorageCenter: PROTECTED_SC,
      VolumeFolder: folder.body.instanceId,
    });
    expect(created.status).toBe(201);
    expect(shapeDifferences(created.body, fixtures.volumeApi42)).toEqual([]);
    expect(created.body).toMatchObject({
      objectType: 'ScVolume',
      name: 'vol-a',
      scSerialNumber: PROTECTED_SC,
      configuredSize: `${GIB} Bytes`,
      active: false,
      mapped: false,
      volumeFolderPath: '/cinder/',
    });
    expect(created.body.instanceId).toMatch(new RegExp(`^${PROTECTED_SC}\\.\\d+$`));
    expect(created.body.deviceId).toMatch(/^6000d31000[0-9a-f]{22}$/);
    // The cookbook writes sizes with no space.
    expect(
      (await client.post('StorageCenter/ScVolume', { Name: 'vol-b', Size: '10GB', StorageCenter: PROTECTED_SC })).body
        .configuredSize,
    ).toBe(`${10 * GIB} Bytes`);
  });

  it('refuses a volume with no size, a bad Storage Center or an unknown folder, saying why', async () => {
    expect(
      (await client.post('StorageCenter/ScVolume', { Name: 'x', StorageCenter: PROTECTED_SC })).body.result,
    ).toMatch(/Size/);
    expect(
      (await client.post('StorageCenter/ScVolume', { Name: 'x', Size: '1 GB', StorageCenter: 1 })).body.result,
    ).toMatch(/Storage Center 1/);
    const noFolder = await client.post('StorageCenter/ScVolume', {
      Name: 'x',
      Size: '1 GB',
      StorageCenter: PROTECTED_SC,
      VolumeFolder: '64702.999',
    });
    expect(noFolder.status).toBe(400);
    expect(noFolder.body.result).toMatch(/64702\.999/);
  });

  it('gets a volume by id, 404 for an unknown id; renames with PUT; expands with ExpandToSize', async () => {
    const [volume] = (await client.getList('ScVolume', [['Name', 'vol-a']])).body;
    expect((await client.get(`StorageCenter/ScVolume/${volume.instanceId}`)).body.name).toBe('vol-a');
    expect((await client.get('StorageCenter/ScVolume/64702.9999')).status).toBe(404);
    const renamed = await client.put(`StorageCenter/ScVolume/${volume.instanceId}`, { Name: 'vol-a-renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('vol-a-renamed');
    const expanded = await client.post(`StorageCenter/ScVolume/${volume.instanceId}/ExpandToSize`, { NewSize: '2 GB' });
    expect(expanded.body.configuredSize).toBe(`${2 * GIB} Bytes`);
    expect(
      (await client.post(`StorageCenter/ScVolume/${volume.instanceId}/ExpandToSize`, { NewSize: '1 GB' })).status,
    ).toBe(400);
  });

  it('refuses a replay of a never-mapped volume, then maps it (200 ScMappingProfile) and takes the replay', async () => {
    const [volume] = (await client.getList('ScVolume', [['Name', 'vol-a-renamed']])).body;
    const early = await client.post(`StorageCenter/ScVolume/${volume.instanceId}/CreateReplay`, {
      description: 'x',
      expireTime: 0,
    });
    expect(early.status).toBe(400);
    expect(early.body.result).toMatch(/not active/);
    const mapped = await client.post(`StorageCenter/ScVolume/${volume.instanceId}/MapToServer`, {
      server: serverId('esx-p1'),
      Advanced: { MapToDownServerHbas: true },
    });
    expect(mapped.status).toBe(200);
    expect(shapeDifferences(mapped.body, fixtures.mappingProfile)).toEqual([]);
    // LUNs 1–3 are taken on esx-p1 through its cluster's three seeded volumes.
    expect(mapped.body).toMatchObject({ objectType: 'ScMappingProfile', lunUsed: [4], readOnly: false });
    const replay = await client.post(`StorageCenter/ScVolume/${volume.instanceId}/CreateReplay`, {
      Description: 'first-snapshot-0123456789abcdef',
      ExpireTime: 60,
    });
    expect(replay.status).toBe(200);
    // The volume's first replay has no parent replay to point at.
    expect(shapeDifferences(replay.body, fixtures.replay)).toEqual(['missing parent']);
    expect(replay.body).toMatchObject({
      objectType: 'ScReplay',
      description: 'first-snapshot-0123456789abcdef',
      expires: true,
      active: false,
      markedForExpiration: false,
    });
    expect(replay.body.instanceId).toMatch(new RegExp(`^${volume.instanceId.replace('.', '\\.')}\\.\\d+$`));
    expect(replay.body.globalIndex).toBe(replay.body.instanceId.replaceAll('.', '-'));
    expect(replay.body.freezeTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });

  it('refuses mapping the same volume to a server twice or to a member of a cluster it is mapped to', async () => {
    const [volume] = (await client.getList('ScVolume', [['Name', 'vol-a-renamed']])).body;
    const twice = await client.post(`StorageCenter/ScVolume/${volume.instanceId}/MapToServer`, {
      Server: serverId('esx-p1'),
    });
    expect(twice.status).toBe(400);
    expect(twice.body.result).toMatch(/already mapped/);
    const [ds] = (await client.getList('ScVolume', [['Name', 'ds-app']])).body;
    const member = await client.post(`StorageCenter/ScVolume/${ds.instanceId}/MapToServer`, {
      Server: serverId('esx-p2'),
    });
    expect(member.body.result).toMatch(/already mapped to server prod-cluster/);
  });

  it('lists mapping profiles and the ScMapping paths behind them (a cluster has one per member HBA)', async () => {
    const [ds] = (await client.getList('ScVolume', [['Name', 'ds-app']])).body;
    const profiles = await client.get(`StorageCenter/ScVolume/${ds.instanceId}/MappingProfileList`);
    expect(profiles.body).toHaveLength(1);
    expect(profiles.body[0].server).toMatchObject({ instanceName: 'prod-cluster', objectType: 'ScServerCluster' });
    const mappings = await client.get(`StorageCenter/ScVolume/${ds.instanceId}/MappingList`);
    expect(mappings.body).toHaveLength(2);
    for (const mapping of mappings.body) expect(shapeDifferences(mapping, fixtures.mappingIscsi)).toEqual([]);
    expect(mappings.body.map((m: { serverHba: { instanceName: string } }) => m.serverHba.instanceName).sort()).toEqual([
      'IQN.1998-01.COM.VMWARE:ESX-P1',
      'IQN.1998-01.COM.VMWARE:ESX-P2',
    ]);
  });

  it('lists replays oldest first with the active replay last; PUT changes a replay; Expire answers 204', async () => {
    const [ds] = (await client.getList('ScVolume', [['Name', 'ds-app']])).body;
    const list = (await client.get(`StorageCenter/ScVolume/${ds.instanceId}/ReplayList`)).body;
    expect(list.map((r: { description: string }) => r.description)).toEqual(['daily', 'hourly', '']);
    expect(list.map((r: { active: boolean }) => r.active)).toEqual([false, false, true]);
    const modified = await client.put(`StorageCenter/ScReplay/${list[0].instanceId}`, {
      description: 'managed',
      expireTime: 0,
    });
    expect(modified.body).toMatchObject({ description: 'managed', expires: false });
    const unmanaged = await client.put(`StorageCenter/ScReplay/${list[0].instanceId}`, { expireTime: 1440 });
    expect(unmanaged.body.expires).toBe(true);
    const expired = await client.post(`StorageCenter/ScReplay/${list[0].instanceId}/Expire`, {});
    expect(expired.status).toBe(204);
    const after = (await client.get(`StorageCenter/ScReplay/${list[0].instanceId}`)).body;
    expect(after.markedForExpiration).toBe(true);
    expect((await client.post(`StorageCenter/ScReplay/${list[2].instanceId}/Expire`, {})).status).toBe(400);
  });

  it('creates a view volume from a replay (200 ScVolume); the replay cannot expire while the view exists', async () => {
    const [destination] = (await client.getList('ScVolume', [['Name', 'Repl of ds-app']])).body;
    const replays = (await client.get(`StorageCenter/ScVolume/${destination.instanceId}/ReplayList`)).body;
    const frozen = replays.find((r: { description: string }) => r.description === 'hourly');
    const view = await client.post(`StorageCenter/ScReplay/${frozen.instanceId}/CreateView`, {
      Name: 'test-view',
      Notes: 'drctl test',
      VolumeFolder: `${RECOVERY_SC}.0`,
    });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      objectType: 'ScVolume',
      name: 'test-view',
      scSerialNumber: RECOVERY_SC,
      configuredSize: destination.configuredSize,
      active: false,
    });
    const fromActive = await client.post(`StorageCenter/ScReplay/${replays.at(-1).instanceId}/CreateView`, {
      Name: 'nope',
    });
    expect(fromActive.status).toBe(400);
    expect((await client.post(`StorageCenter/ScReplay/${frozen.instanceId}/Expire`, {})).body.result).toMatch(
      /view volumes/,
    );
    const mapped = await client.post(`StorageCenter/ScVolume/${view.body.instanceId}/MapToServer`, {
      server: serverId('dr-cluster', RECOVERY_SC),
    });
    expect(mapped.status).toBe(200);
    expect((await client.delete(`StorageCenter/ScVolume/${view.body.instanceId}`)).body).toBe(false);
    expect((await client.post(`StorageCenter/ScVolume/${view.body.instanceId}/Unmap`, {})).status).toBe(204);
    const deleted = await client.delete(`StorageCenter/ScVolume/${view.body.instanceId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toBe(true);
    expect((await client.post(`StorageCenter/ScReplay/${frozen.instanceId}/Expire`, {})).status).toBe(204);
  });

  it('recycles a free volume (204) and refuses a busy one', async () => {
    const created = await client.post('StorageCenter/ScVolume', {
      Name: 'recycle-me',
      Size: '1 GB',
      StorageCenter: PROTECTED_SC,
    });
    expect((await client.post(`StorageCenter/ScVolume/${created.body.instanceId}/Recycle`, {})).status).toBe(204);
    expect((await client.get(`StorageCenter/ScVolume/${created.body.instanceId}`)).body.inRecycleBin).toBe(true);
    const [ds] = (await client.getList('ScVolume', [['Name', 'ds-app']])).body;
    expect((await client.post(`StorageCenter/ScVolume/${ds.instanceId}/Recycle`, {})).status).toBe(400);
  });

  it('deletes a mapping profile with {"result": true} at API 2.2 and later', async () => {
    const created = await client.post('StorageCenter/ScVolume', {
      Name: 'unmap-me',
      Size: '1 GB',
      StorageCenter: PROTECTED_SC,
    });
    const profile = await client.post(`StorageCenter/ScVolume/${created.body.instanceId}/MapToServer`, {
      server: serverId('esx-p2'),
    });
    const deleted = await client.delete(`StorageCenter/ScMappingProfile/${profile.body.instanceId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ result: true });
    expect((await client.get(`StorageCenter/ScVolume/${created.body.instanceId}/MappingProfileList`)).body).toEqual([]);
  });

  it('serves VolumeConfiguration, volume StorageUsage and the SC StorageUsage with their fixture fields', async () => {
    const [ds] = (await client.getList('ScVolume', [['Name', 'ds-app']])).body;
    const configuration = await client.get(`StorageCenter/ScVolume/${ds.instanceId}/VolumeConfiguration`);
    expect(shapeDifferences(configuration.body, fixtures.volumeConfiguration)).toEqual([]);
    const usage = await client.get(`StorageCenter/ScVolume/${ds.instanceId}/StorageUsage`);
    expect(usage.body).toMatchObject({ objectType: 'ScVolumeStorageUsage', configuredSpace: `${500 * GIB} Bytes` });
    const scUsage = await client.get(`StorageCenter/StorageCenter/${PROTECTED_SC}/StorageUsage`);
    expect(scUsage.body.objectType).toBe('StorageCenterStorageUsage');
    expect(scUsage.body.availableSpace).toMatch(/^\d+ Bytes$/);
  });
});

describe('servers and folders', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  beforeAll(async () => {
    sim = await startDsmSimulator({ seed: twoSiteSeed() });
    client = new TestClient(sim);
    await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('creates a physical server (201) and adds an HBA; HbaList shows it; DELETE answers true', async () => {
    const folder = await client.post('StorageCenter/ScServerFolder', {
      Name: 'openstack',
      StorageCenter: PROTECTED_SC,
    });
    expect(folder.status).toBe(201);
    expect(folder.body.objectType).toBe('ScServerFolder');
    const os = (await client.getList('ScServerOperatingSystem', [['scSerialNumber', PROTECTED_SC]])).body.find(
      (o: { name: string }) => o.name === 'Red Hat Linux 6.x',
    );
    const created = await client.post('StorageCenter/ScPhysicalServer', {
      Name: 'Server_iqn.x',
      StorageCenter: PROTECTED_SC,
      Notes: 'n',
      AlertOnConnectivity: false,
      OperatingSystem: os.instanceId,
      ServerFolder: folder.body.instanceId,
    });
    expect(created.status).toBe(201);
    expect(shapeDifferences(created.body, fixtures.server)).toEqual([]);
    expect(created.body).toMatchObject({
      objectType: 'ScPhysicalServer',
      type: 'Physical',
      alertOnConnectivity: false,
      serverFolderPath: '/openstack/',
      operatingSystem: { instanceName: 'Red Hat Linux 6.x' },
    });
    const hba = await client.post(`StorageCenter/ScPhysicalServer/${created.body.instanceId}/AddHba`, {
      HbaPortType: 'Iscsi',
      WwnOrIscsiName: 'iqn.1993-08.org.debian:01:abc',
      AllowManual: true,
    });
    expect(hba.status).toBe(200);
    expect(shapeDifferences(hba.body, fixtures.serverHbaIscsi)).toEqual([]);
    const list = await client.get(`StorageCenter/ScServer/${created.body.instanceId}/HbaList`);
    expect(list.body.map((h: { instanceName: string; portType: string }) => [h.instanceName, h.portType])).toEqual([
      ['IQN.1993-08.ORG.DEBIAN:01:ABC', 'Iscsi'],
    ]);
    const bad = await client.post(`StorageCenter/ScPhysicalServer/${created.body.instanceId}/AddHba`, {
      HbaPortType: 'Sas',
      WwnOrIscsiName: 'x',
    });
    expect(bad.status).toBe(400);
    const deleted = await client.delete(`StorageCenter/ScServer/${created.body.instanceId}`);
    expect(deleted.body).toBe(true);
  });

  it('answers false when deleting a server that has mappings', async () => {
    const cluster = sim.model.servers(PROTECTED_SC).find((s) => s['name'] === 'prod-cluster')!;
    expect((await client.delete(`StorageCenter/ScServer/${cluster['instanceId']}`)).body).toBe(false);
    expect((await client.get(`StorageCenter/ScServer/${cluster['instanceId']}/MappingProfileList`)).body).toHaveLength(
      3,
    );
  });

  it("lists a Storage Center's volumes, servers and folders", async () => {
    expect(
      (await client.get(`StorageCenter/StorageCenter/${RECOVERY_SC}/VolumeList`)).body
        .map((v: { name: string }) => v.name)
        .sort(),
    ).toEqual(['Repl of ds-app', 'Repl of ds-db', 'ds-stretched']);
    const servers = (await client.get(`StorageCenter/StorageCenter/${RECOVERY_SC}/ServerList`)).body;
    expect(servers.map((s: { type: string }) => s.type).sort()).toEqual(['Cluster', 'Physical', 'RemoteStorageCenter']);
    const roots = (await client.get(`StorageCenter/StorageCenter/${RECOVERY_SC}/VolumeFolderList`)).body;
    expect(roots[0]).toMatchObject({ instanceId: `${RECOVERY_SC}.0`, name: 'Volumes', root: true });
    expect((await client.get('StorageCenter/StorageCenter/1/VolumeList')).status).toBe(404);
  });
});

describe('API 2.x formats', () => {
  it('writes sizes as Java doubles, replay times as MM/dd/yyyy and legacy folder paths; DELETE answers a bare true', async () => {
    const sim = await startDsmSimulator({ seed: twoSiteSeed(), apiVersion: '2.1', minApiVersion: '2.0' });
    const client = new TestClient(sim, '2.0');
    await client.login();
    const created = await client.post('StorageCenter/ScVolume', {
      Name: 'legacy',
      Size: '1 GB',
      StorageCenter: PROTECTED_SC,
    });
    expect(created.body.configuredSize).toBe('1.073741824E9 Bytes');
    expect(created.body.volumeFolderPath).toBe('');
    expect(shapeDifferences(created.body, fixtures.volume)).toEqual([]);
    const [ds] = (
      await client.post('StorageCenter/ScVolume/GetList', {
        filterType: 'AND',
        filters: [{ attributeName: 'Name', attributeValue: 'ds-app', filterType: 'Equals' }],
      })
    ).body;
    const replay = await client.post(`StorageCenter/ScVolume/${ds.instanceId}/CreateReplay`, {
      description: 'legacy',
      expireTime: 60,
    });
    expect(replay.body.freezeTime).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d (AM|PM)$/);
    expect(replay.body.size).toMatch(/E\d+ Bytes$|^\d+\.\d+ Bytes$/);
    const profile = await client.post(`StorageCenter/ScVolume/${created.body.instanceId}/MapToServer`, {
      server: String(sim.model.servers(PROTECTED_SC)[1]!['instanceId']),
    });
    expect((await client.delete(`StorageCenter/ScMappingProfile/${profile.body.instanceId}`)).body).toBe(true);
    await client.close();
    await sim.close();
  });
});

describe('replay expiry by time', () => {
  it('marks a replay for expiration when its expireTime passes, lists it so for a moment, then drops it', async () => {
    const clock = new VirtualClock({ start: Date.parse('2024-05-01T10:00:00Z') });
    const sim = await startDsmSimulator({ seed: twoSiteSeed(), clock });
    const client = new TestClient(sim);
    await client.login();
    const volume = String(sim.model.volumesNamed('ds-stretched')[0]!['instanceId']);
    const replay = await client.post(`StorageCenter/ScVolume/${volume}/CreateReplay`, {
      description: 'clone marker',
      expireTime: 60,
    });
    expect(replay.body.expireTime).toBe('2024-05-01T11:00:00+00:00');
    await clock.advance(60 * 60_000);
    expect((await client.get(`StorageCenter/ScReplay/${replay.body.instanceId}`)).body.markedForExpiration).toBe(true);
    await clock.advance(1_000);
    expect((await client.get(`StorageCenter/ScReplay/${replay.body.instanceId}`)).status).toBe(404);
    await client.close();
    await sim.close();
  });
});
