import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VirtualClock } from '@drctl/domain';
import { ALL_ROUTES, startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { fixtures, shapeDifferences } from './support/fixtures.js';
import { PROTECTED_SC, twoSiteSeed } from './support/seeds.js';

const READ_TYPES = [
  'StorageCenter',
  'ScVolume',
  'ScReplay',
  'ScVolumeFolder',
  'ScServerFolder',
  'ScServer',
  'ScPhysicalServer',
  'ScServerCluster',
  'ScServerHba',
  'ScMappingProfile',
  'ScMapping',
  'ScReplicationQosNode',
  'ScReplication',
  'ScReplicationProgress',
  'ScLiveVolume',
  'ScReplayProfile',
  'ScReplayConsistencyGroup',
  'ScVolumeConfiguration',
  'ScReplicationRestorePoint',
  'ScServerOperatingSystem',
];

describe('generic reads of every object type', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  beforeAll(async () => {
    // A still clock: transfer progress and active replays' times must not move between two reads.
    sim = await startDsmSimulator({
      clock: new VirtualClock({ start: Date.parse('2024-05-01T10:00:00Z') }),
      seed: twoSiteSeed({ consistencyGroups: [{ storageCenter: PROTECTED_SC, name: 'cg', volumes: ['ds-app'] }] }),
    });
    client = new TestClient(sim);
    await client.login();
    const [profile] = (await client.getList('ScReplayProfile', [['name', 'cg']])).body;
    await client.post(`StorageCenter/ScReplayProfile/${profile.instanceId}/CreateReplay`, { description: 'cg-1' });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('serves exactly these types through GET list, POST GetList and GET by id', () => {
    const served = ALL_ROUTES.filter((r) => r.action === 'GetList').map((r) => r.resource);
    expect(served.sort()).toEqual([...READ_TYPES].sort());
  });

  it.each(READ_TYPES)('%s: the list, a filtered list and each object by id agree', async (type) => {
    const all = await client.get(`StorageCenter/${type}`);
    expect(all.status).toBe(200);
    expect(all.body.length).toBeGreaterThan(0);
    const first = all.body[0];
    expect(first.objectType).toBeDefined();
    const filtered = await client.getList(type, [['instanceId', first.instanceId]]);
    expect(filtered.body).toEqual([first]);
    const one = await client.get(`StorageCenter/${type}/${first.instanceId}`);
    expect(one.body).toEqual(first);
    expect((await client.get(`StorageCenter/${type}/0.424242`)).status).toBe(404);
  });

  it('answers StorageCenter objects with the fields of both fixture generations', async () => {
    const [sc] = (await client.get('StorageCenter/StorageCenter')).body;
    const ignoredOldFields = ['IPv6ManagementIPPrefix', 'IPv6ManagementIP'];
    const ignoredNewFields = [
      'serviceTag',
      'managementIpv6AddressPrefix',
      'userPasswordExpiring',
      'managementDhcpUniqueId',
      'managementIpv6Address',
      'chassisPresent',
      'fileConfigured',
      'updateStatus',
    ];
    expect(shapeDifferences(sc, fixtures.storageCenter, ignoredOldFields)).toEqual([]);
    expect(shapeDifferences(sc, fixtures.storageCenterApi42, ignoredNewFields)).toEqual([]);
    expect(sc).toMatchObject({
      instanceId: String(PROTECTED_SC),
      scSerialNumber: PROTECTED_SC,
      objectType: 'StorageCenter',
      status: 'Up',
      connected: true,
    });
  });

  it('answers folders, servers, HBAs and operating systems with their fixture fields', async () => {
    const folders = (await client.get(`StorageCenter/StorageCenter/${PROTECTED_SC}/VolumeFolderList`)).body;
    expect(shapeDifferences(folders[0], fixtures.volumeFolder, ['parent'])).toEqual([]);
    const serverFolders = (await client.get(`StorageCenter/StorageCenter/${PROTECTED_SC}/ServerFolderList`)).body;
    expect(shapeDifferences(serverFolders[0], fixtures.serverFolder, ['parent'])).toEqual([]);
    const hosts = (await client.getList('ScPhysicalServer', [['name', 'esx-p1']])).body;
    expect(shapeDifferences(hosts[0], fixtures.server)).toEqual([]);
    expect(hosts[0]).toMatchObject({
      parent: { instanceName: 'prod-cluster', objectType: 'ScServerCluster' },
      portType: ['Iscsi'],
    });
    const os = (await client.get('StorageCenter/ScServerOperatingSystem')).body;
    expect(os.every((o: { objectType: string }) => o.objectType === 'ScServerOperatingSystem')).toBe(true);
  });

  it("every route reads a real path: none of the table's GET routes is unreachable", async () => {
    const volume = sim.model.volumesNamed('ds-app')[0]!['instanceId'];
    const server = sim.model.servers(PROTECTED_SC)[0]!['instanceId'];
    const replication = sim.model.replications()[0]!['instanceId'];
    const [profile] = (await client.getList('ScReplayProfile', [['name', 'cg']])).body;
    const [group] = (await client.get(`StorageCenter/ScReplayProfile/${profile.instanceId}/ConsistencyGroupList`)).body;
    const values: Record<string, string> = { ssn: String(PROTECTED_SC) };
    const idFor: Record<string, string> = {
      ScVolume: String(volume),
      ScServer: String(server),
      ScReplication: String(replication),
      ScReplayProfile: profile.instanceId,
      ScReplayConsistencyGroup: group.instanceId,
      ApiConnection: '0',
      AsyncTask: '',
    };
    const reads = ALL_ROUTES.filter(
      (r) => r.method === 'GET' && r.action !== 'Get' && r.action !== 'List' && r.resource !== 'AsyncTask',
    );
    for (const route of reads) {
      const path = route.pattern.replace('{ssn}', values['ssn']!).replace('{id}', idFor[route.resource] ?? '');
      const answer = await client.get(path);
      expect([route.pattern, answer.status]).toEqual([route.pattern, 200]);
    }
  });
});
