import { validateEnvironment, type Environment } from '@drctl/domain';

/** A two-site environment like the source document's: SC arrays at each site, a Live Volume, a consistency group. */
export const ENVIRONMENT_INPUT = {
  name: 'techsol-lite',
  sites: [
    {
      name: 'protected',
      vcenter: 'vc-p.techsol.local',
      clusters: [{ name: 'prod', hosts: [{ name: 'esx-p1' }, { name: 'esx-p2' }] }],
    },
    {
      name: 'recovery',
      vcenter: 'vc-r.techsol.local',
      clusters: [
        { name: 'dr', hosts: [{ name: 'esx-r1' }] },
        { name: 'dev', hosts: [{ name: 'esx-d1' }] },
      ],
    },
  ],
  arrayManagers: [
    {
      name: 'dsm',
      site: 'recovery',
      adapter: 'sc-series',
      connection: { host: '127.0.0.1', username: 'srmdadmin', passwordEnv: 'DSM_PASSWORD' },
    },
  ],
  arrays: [
    { id: 'sc12', site: 'protected', serial: 64702, arrayManager: 'dsm', qosProfile: 'WAN 1G' },
    { id: 'sc13', site: 'recovery', serial: 65495, arrayManager: 'dsm', qosProfile: 'WAN 1G' },
    { id: 'no-serial', site: 'recovery', arrayManager: 'dsm' },
  ],
  arrayPairs: [{ name: 'sc12-sc13', arrays: ['sc12', 'sc13'] }],
  volumes: [
    { id: 'vol-app', sourceArray: 'sc12', targetArray: 'sc13', sizeGb: 200, syncSeconds: 45, consistencyGroup: 'erp' },
    {
      id: 'vol-db',
      sourceArray: 'sc12',
      targetArray: 'sc13',
      replication: 'sync-high-availability',
      consistencyGroup: 'erp',
      lastReplicatedAt: '2024-05-01T09:30:00Z',
    },
    {
      id: 'vol-active',
      sourceArray: 'sc12',
      targetArray: 'sc13',
      replicateActiveSnapshot: true,
      qosProfile: 'Fast',
      targetQosProfile: 'Fast DR',
    },
    {
      id: 'vol-stretched',
      sourceArray: 'sc12',
      targetArray: 'sc13',
      replication: 'sync-high-availability',
      liveVolume: { autoFailover: false, autoRoleSwap: false, uniformMapping: true },
    },
    {
      id: 'vol-afo',
      sourceArray: 'sc12',
      targetArray: 'sc13',
      replication: 'sync-high-availability',
      liveVolume: { autoFailover: true, autoRoleSwap: true },
    },
    { id: 'vol-other', sourceArray: 'sc12', targetArray: 'no-serial' },
  ],
};

export function testEnvironment(): Environment {
  return validateEnvironment(ENVIRONMENT_INPUT, 'test environment');
}
