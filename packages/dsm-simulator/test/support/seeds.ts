import type { DsmSeed } from '../../src/index.js';

/** Two Storage Centers (serials from the reference's fixtures), a site of hosts at each. */
export const PROTECTED_SC = 64702;
export const RECOVERY_SC = 65495;

export function twoSiteSeed(overrides: Partial<DsmSeed> = {}): DsmSeed {
  return {
    storageCenters: [
      { serial: PROTECTED_SC, name: 'SC 64702', site: 'protected' },
      { serial: RECOVERY_SC, name: 'SC 65495', site: 'recovery' },
    ],
    servers: [
      { storageCenter: PROTECTED_SC, name: 'prod-cluster', kind: 'cluster' },
      {
        storageCenter: PROTECTED_SC,
        name: 'esx-p1',
        cluster: 'prod-cluster',
        hbas: [{ name: 'iqn.1998-01.com.vmware:esx-p1' }],
      },
      {
        storageCenter: PROTECTED_SC,
        name: 'esx-p2',
        cluster: 'prod-cluster',
        hbas: [{ name: 'iqn.1998-01.com.vmware:esx-p2' }],
      },
      { storageCenter: RECOVERY_SC, name: 'dr-cluster', kind: 'cluster' },
      {
        storageCenter: RECOVERY_SC,
        name: 'esx-r1',
        cluster: 'dr-cluster',
        hbas: [{ name: 'iqn.1998-01.com.vmware:esx-r1' }],
      },
    ],
    qosNodes: [
      { storageCenter: PROTECTED_SC, name: 'Gold' },
      { storageCenter: RECOVERY_SC, name: 'Gold' },
    ],
    volumes: [
      {
        storageCenter: PROTECTED_SC,
        name: 'ds-app',
        sizeGb: 500,
        mappedTo: ['prod-cluster'],
        replays: [
          { description: 'daily', minutesAgo: 1440 },
          { description: 'hourly', minutesAgo: 60 },
        ],
        transferSeconds: 30,
        replayDeltaBytes: 1_000_000,
      },
      {
        storageCenter: PROTECTED_SC,
        name: 'ds-db',
        sizeGb: 200,
        mappedTo: ['prod-cluster'],
        replays: [{ description: 'hourly', minutesAgo: 60 }],
      },
      {
        storageCenter: PROTECTED_SC,
        name: 'ds-stretched',
        sizeGb: 100,
        mappedTo: ['prod-cluster'],
        replays: [{ description: 'hourly', minutesAgo: 30 }],
      },
    ],
    replications: [
      { storageCenter: PROTECTED_SC, sourceVolume: 'ds-app', destinationStorageCenter: RECOVERY_SC, qosNode: 'Gold' },
      {
        storageCenter: PROTECTED_SC,
        sourceVolume: 'ds-db',
        destinationStorageCenter: RECOVERY_SC,
        qosNode: 'Gold',
        type: 'Synchronous',
        syncMode: 'HighAvailability',
        replicateActiveReplay: true,
      },
    ],
    liveVolumes: [
      {
        storageCenter: PROTECTED_SC,
        primaryVolume: 'ds-stretched',
        secondaryStorageCenter: RECOVERY_SC,
        primaryQosNode: 'Gold',
        secondaryQosNode: 'Gold',
        type: 'Synchronous',
        syncMode: 'HighAvailability',
        replicateActiveReplay: true,
      },
    ],
    ...overrides,
  };
}
