import type { Environment, SnapshotMode, StorageArray, Volume } from '@drctl/domain';
import type { SrmSelectableSnapshotMode } from '../model/state.js';
import type { DsmSeed, SeedLiveVolume, SeedReplay, SeedServer } from './seed.js';

export interface EnvironmentSeedOptions {
  /** Only these arrays (environment ids) become Storage Centers; default: every array with a serial. */
  arrays?: string[];
  /** QoS node name when neither the volume nor its array names one. @default "Default QoS" */
  defaultQosNode?: string;
}

/** iSCSI initiator name of an ESXi host, as vSphere builds it. */
export function hostIqn(hostName: string): string {
  return `iqn.1998-01.com.vmware:${hostName.toLowerCase().replace(/[^a-z0-9.-]/g, '-')}`;
}

/** drctl's names of the §5.8 choices → DSM's. */
const DSM_SNAPSHOT_MODE_NAMES: Record<SnapshotMode, SrmSelectableSnapshotMode> = {
  'always-active': 'AlwaysUseActiveSnapshot',
  'active-if-replicating-active': 'UseActiveSnapshotIfReplicatingActiveSnapshot',
  'always-last-frozen': 'AlwaysUseLastFrozenSnapshot',
  'per-restore-point': 'UseRestorePointSettings',
};

/**
 * The SRM selectable snapshot setting (§5.8) the environment gives the Data Collector, in DSM's
 * names; undefined when no array manager sets it. One simulated Data Collector serves every SC
 * Series manager; validation made the managers that share a DSM deployment agree, so the first
 * one (of `managers`, when given) that says anything speaks for it.
 */
export function dsmSelectableSnapshotOf(
  environment: Environment,
  managers?: ReadonlySet<string>,
): SrmSelectableSnapshotMode | undefined {
  const setting = environment.arrayManagers.find(
    (m) => (managers === undefined || managers.has(m.name)) && m.selectableSnapshot !== undefined,
  )?.selectableSnapshot;
  return setting === undefined ? undefined : DSM_SNAPSHOT_MODE_NAMES[setting];
}

const REPLICATION_MODES = {
  async: { type: 'Asynchronous', syncMode: 'None' },
  'sync-high-availability': { type: 'Synchronous', syncMode: 'HighAvailability' },
  'sync-high-consistency': { type: 'Synchronous', syncMode: 'HighConsistency' },
} as const;

/** Two replays per source volume: yesterday's and the last one that finished replicating. */
function historyOf(volume: Volume): SeedReplay[] {
  return [
    { description: 'daily', minutesAgo: 24 * 60 },
    volume.lastReplicatedAt
      ? { description: 'hourly', frozenAt: volume.lastReplicatedAt }
      : { description: 'hourly', minutesAgo: 60 },
  ];
}

/**
 * A DSM seed from a drctl environment: each array with a `serial` is a Storage Center; each
 * site's clusters and hosts are server clusters and ESXi servers (one iSCSI HBA each) on the
 * arrays at that site; each volume between two such arrays is a source volume mapped to its
 * site's clusters and either a replication (destination `Repl of <id>`) or, with `liveVolume`,
 * a Live Volume; volumes sharing `consistencyGroup` form a consistent replay profile.
 */
export function seedFromEnvironment(environment: Environment, options: EnvironmentSeedOptions = {}): DsmSeed {
  const arrays = environment.arrays.filter(
    (a): a is StorageArray & { serial: number } =>
      a.serial !== undefined && (!options.arrays || options.arrays.includes(a.id)),
  );
  const arrayById = new Map(arrays.map((a) => [a.id, a]));
  const seed: Required<Omit<DsmSeed, 'saveRestorePoints' | 'srmSelectableSnapshot'>> &
    Pick<DsmSeed, 'saveRestorePoints' | 'srmSelectableSnapshot'> = {
    storageCenters: arrays.map((a) => ({ serial: a.serial, name: a.id, site: a.site })),
    servers: [],
    qosNodes: [],
    volumes: [],
    replications: [],
    liveVolumes: [],
    consistencyGroups: [],
  };
  const setting = dsmSelectableSnapshotOf(environment, new Set(arrays.map((a) => a.arrayManager)));
  if (setting !== undefined) seed.srmSelectableSnapshot = setting;

  const serversOn = new Map<number, Set<string>>();
  const addServer = (server: SeedServer) => {
    const names = serversOn.get(server.storageCenter) ?? new Set<string>();
    if (names.has(server.name)) return;
    names.add(server.name);
    serversOn.set(server.storageCenter, names);
    seed.servers.push(server);
  };
  const addSiteServers = (serial: number, siteName: string) => {
    const site = environment.sites.find((s) => s.name === siteName);
    for (const cluster of site?.clusters ?? []) {
      addServer({ storageCenter: serial, name: cluster.name, kind: 'cluster' });
      for (const host of cluster.hosts)
        addServer({
          storageCenter: serial,
          name: host.name,
          cluster: cluster.name,
          hbas: [{ name: hostIqn(host.name), portType: 'Iscsi' }],
        });
    }
  };
  for (const array of arrays) addSiteServers(array.serial, array.site);
  const clustersAt = (siteName: string) =>
    environment.sites.find((s) => s.name === siteName)?.clusters.map((c) => c.name) ?? [];

  const qosOn = new Map<number, Set<string>>();
  const ensureQos = (serial: number, name: string) => {
    const names = qosOn.get(serial) ?? new Set<string>();
    if (!names.has(name)) seed.qosNodes.push({ storageCenter: serial, name });
    names.add(name);
    qosOn.set(serial, names);
    return name;
  };
  const defaultQos = options.defaultQosNode ?? 'Default QoS';
  for (const array of arrays) ensureQos(array.serial, array.qosProfile ?? defaultQos);

  const groups = new Map<string, { storageCenter: number; volumes: string[] }>();
  for (const volume of environment.volumes) {
    const source = arrayById.get(volume.sourceArray);
    const target = arrayById.get(volume.targetArray);
    if (!source || !target) continue;
    const sourceQos = ensureQos(source.serial, volume.qosProfile ?? source.qosProfile ?? defaultQos);
    const targetQos = ensureQos(target.serial, volume.targetQosProfile ?? target.qosProfile ?? sourceQos);
    seed.volumes.push({
      storageCenter: source.serial,
      name: volume.id,
      sizeGb: volume.sizeGb,
      mappedTo: clustersAt(source.site),
      replays: historyOf(volume),
      transferSeconds: volume.syncSeconds,
    });
    const mode = REPLICATION_MODES[volume.replication];
    if (volume.liveVolume) {
      const liveVolume: SeedLiveVolume = {
        storageCenter: source.serial,
        primaryVolume: volume.id,
        secondaryStorageCenter: target.serial,
        type: mode.type,
        syncMode: mode.syncMode,
        replicateActiveReplay: volume.replicateActiveSnapshot || mode.type === 'Synchronous',
        failoverAutomaticallyEnabled: volume.liveVolume.autoFailover,
        restoreAutomaticallyEnabled: volume.liveVolume.autoFailover,
        swapRolesAutomaticallyEnabled: volume.liveVolume.autoRoleSwap,
        managingReplications: volume.liveVolume.managedReplication,
        primaryQosNode: sourceQos,
        secondaryQosNode: targetQos,
      };
      if (volume.liveVolume.uniformMapping) {
        // Uniform: the protected site's hosts also see the secondary copy, so they exist on the secondary SC.
        addSiteServers(target.serial, source.site);
        liveVolume.secondaryMappedTo = clustersAt(source.site);
      }
      seed.liveVolumes.push(liveVolume);
    } else {
      seed.replications.push({
        storageCenter: source.serial,
        sourceVolume: volume.id,
        destinationStorageCenter: target.serial,
        type: mode.type,
        syncMode: mode.syncMode,
        replicateActiveReplay: volume.replicateActiveSnapshot || mode.type === 'Synchronous',
        qosNode: sourceQos,
      });
    }
    if (volume.consistencyGroup) {
      const group = groups.get(volume.consistencyGroup) ?? { storageCenter: source.serial, volumes: [] };
      if (group.storageCenter === source.serial) group.volumes.push(volume.id);
      groups.set(volume.consistencyGroup, group);
    }
  }
  for (const [name, group] of groups) seed.consistencyGroups.push({ name, ...group });
  return seed;
}
