import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DrError } from '@drctl/domain';
import { hostIqn, seedFromEnvironment, startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { testEnvironment } from './support/environment.js';

describe('seedFromEnvironment', () => {
  const seed = seedFromEnvironment(testEnvironment());

  it('makes a Storage Center of each array with a serial', () => {
    expect(seed.storageCenters).toEqual([
      { serial: 64702, name: 'sc12', site: 'protected' },
      { serial: 65495, name: 'sc13', site: 'recovery' },
    ]);
  });

  it("makes each site's clusters and hosts servers on that site's arrays, hosts with an ESXi iSCSI HBA", () => {
    const onRecovery = seed
      .servers!.filter((s) => s.storageCenter === 65495 && s.kind !== 'cluster')
      .map((s) => s.name);
    expect(onRecovery).toEqual(expect.arrayContaining(['esx-r1', 'esx-d1']));
    expect(seed.servers).toContainEqual({
      storageCenter: 64702,
      name: 'esx-p1',
      cluster: 'prod',
      hbas: [{ name: hostIqn('esx-p1'), portType: 'Iscsi' }],
    });
    expect(seed.servers).toContainEqual({ storageCenter: 64702, name: 'prod', kind: 'cluster' });
    // Uniform Live Volume mapping: the protected hosts also exist on the recovery array.
    expect(seed.servers).toContainEqual({ storageCenter: 65495, name: 'prod', kind: 'cluster' });
  });

  it("turns volumes into source volumes mapped to their site's clusters, replicated or as Live Volumes", () => {
    expect(seed.volumes!.map((v) => v.name)).toEqual(['vol-app', 'vol-db', 'vol-active', 'vol-stretched', 'vol-afo']);
    expect(seed.volumes![0]).toMatchObject({
      storageCenter: 64702,
      sizeGb: 200,
      mappedTo: ['prod'],
      transferSeconds: 45,
    });
    expect(seed.volumes![1]!.replays![1]).toEqual({ description: 'hourly', frozenAt: '2024-05-01T09:30:00Z' });
    expect(seed.replications).toEqual([
      expect.objectContaining({
        sourceVolume: 'vol-app',
        type: 'Asynchronous',
        syncMode: 'None',
        replicateActiveReplay: false,
        qosNode: 'WAN 1G',
      }),
      expect.objectContaining({
        sourceVolume: 'vol-db',
        type: 'Synchronous',
        syncMode: 'HighAvailability',
        replicateActiveReplay: true,
      }),
      expect.objectContaining({ sourceVolume: 'vol-active', replicateActiveReplay: true, qosNode: 'Fast' }),
    ]);
    expect(seed.liveVolumes).toEqual([
      expect.objectContaining({
        primaryVolume: 'vol-stretched',
        failoverAutomaticallyEnabled: false,
        swapRolesAutomaticallyEnabled: false,
        secondaryMappedTo: ['prod'],
      }),
      expect.objectContaining({
        primaryVolume: 'vol-afo',
        failoverAutomaticallyEnabled: true,
        restoreAutomaticallyEnabled: true,
        swapRolesAutomaticallyEnabled: true,
      }),
    ]);
  });

  it('creates the QoS nodes each side needs and a consistency group per name', () => {
    expect(seed.qosNodes).toEqual(
      expect.arrayContaining([
        { storageCenter: 64702, name: 'WAN 1G' },
        { storageCenter: 65495, name: 'WAN 1G' },
        { storageCenter: 64702, name: 'Fast' },
        { storageCenter: 65495, name: 'Fast DR' },
      ]),
    );
    expect(seed.consistencyGroups).toEqual([{ name: 'erp', storageCenter: 64702, volumes: ['vol-app', 'vol-db'] }]);
  });

  it('keeps only the arrays asked for', () => {
    expect(seedFromEnvironment(testEnvironment(), { arrays: ['sc12'] }).replications).toEqual([]);
  });
});

describe('a simulator started from an environment', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  beforeAll(async () => {
    sim = await startDsmSimulator({ environment: testEnvironment() });
    client = new TestClient(sim);
    await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('serves what an adapter discovers: SCs, replications, Live Volumes with their flags, mappings', async () => {
    expect((await client.get('StorageCenter/StorageCenter')).body.map((sc: { name: string }) => sc.name)).toEqual([
      'sc12',
      'sc13',
    ]);
    const replications = (await client.getList('ScReplication', [['managedByLiveVolume', false]])).body;
    expect(replications.map((r: { sourceVolume: { instanceName: string } }) => r.sourceVolume.instanceName)).toEqual([
      'vol-app',
      'vol-db',
      'vol-active',
    ]);
    const liveVolumes = (await client.get('StorageCenter/StorageCenter/64702/LiveVolumeList')).body;
    expect(liveVolumes.map((lv: { failoverAutomaticallyEnabled: boolean }) => lv.failoverAutomaticallyEnabled)).toEqual(
      [false, true],
    );
    const [appVolume] = (await client.getList('ScVolume', [['Name', 'vol-app']])).body;
    const profiles = (await client.get(`StorageCenter/ScVolume/${appVolume.instanceId}/MappingProfileList`)).body;
    expect(profiles.map((p: { server: { instanceName: string } }) => p.server.instanceName)).toEqual(['prod']);
    const stretched = liveVolumes[0];
    const secondaryProfiles = (
      await client.get(`StorageCenter/ScVolume/${stretched.secondaryVolume.instanceId}/MappingProfileList`)
    ).body;
    expect(
      secondaryProfiles
        .map((p: { server: { instanceName: string; objectType: string } }) => p.server.objectType)
        .sort(),
    ).toEqual(['ScRemoteStorageCenter', 'ScServerCluster']);
    const [cg] = (await client.getList('ScReplayProfile', [['name', 'erp']])).body;
    expect(cg.volumeCount).toBe(2);
  });
});

describe('seed problems', () => {
  it('are reported together, each with its path', async () => {
    const attempt = startDsmSimulator({
      seed: {
        storageCenters: [{ serial: 1 }, { serial: 1 }],
        volumes: [{ storageCenter: 1, name: 'v', mappedTo: ['ghost'] }],
        replications: [{ storageCenter: 1, sourceVolume: 'missing', destinationStorageCenter: 2, qosNode: 'q' }],
      },
    });
    await expect(attempt).rejects.toBeInstanceOf(DrError);
    const error = (await attempt.catch((e: unknown) => e)) as DrError;
    expect(error.code).toBe('DR_INPUT_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual([
      'storageCenters[1].serial',
      'volumes[0].mappedTo[0]',
      'replications[0].sourceVolume',
      'replications[0].qosNode',
    ]);
  });
});
