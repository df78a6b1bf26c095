import type { Clock } from '@drctl/domain';
import { badRequest, type Refusal } from '../protocol/outcome.js';
import type {
  ConsistencyGroupRecord,
  HbaRecord,
  LiveVolumeRecord,
  MappingProfileRecord,
  QosNodeRecord,
  ReplayProfileRecord,
  ReplayRecord,
  ReplicationRecord,
  RestorePointRecord,
  ServerRecord,
  StorageCenterRecord,
  VolumeFolderRecord,
  VolumeRecord,
} from './records.js';

/** DSM's four choices of SRM selectable snapshot (guide §5.8); DSM's own names, ASSUMED on the wire. */
export const SRM_SELECTABLE_SNAPSHOT_MODES = [
  'AlwaysUseActiveSnapshot',
  'UseActiveSnapshotIfReplicatingActiveSnapshot',
  'AlwaysUseLastFrozenSnapshot',
  'UseRestorePointSettings',
] as const;
export type SrmSelectableSnapshotMode = (typeof SRM_SELECTABLE_SNAPSHOT_MODES)[number];

export interface DataCollectorSettings {
  /** "Always use Active Snapshot" is DSM's default (§5.8). */
  srmSelectableSnapshot: SrmSelectableSnapshotMode;
}

export const DEFAULT_DATA_COLLECTOR_SETTINGS: Readonly<DataCollectorSettings> = {
  srmSelectableSnapshot: 'AlwaysUseActiveSnapshot',
};

export interface StateConfig {
  clock: Clock;
  /** Seconds a replay takes to reach the destination when nothing more specific is known. */
  defaultTransferSeconds: number;
  /** Changed bytes per replay when a volume does not say. */
  defaultReplayDeltaBytes: number;
  /** `StorageCenter` when the simulator plays a direct SC connection: no replication then. */
  provider: 'EnterpriseManager' | 'StorageCenter';
}

/**
 * Every DSM object the simulator holds, with id allocation and the lookups operations share.
 * Ids follow real DSM: `"<ssn>.<n>"`, replays `"<ssn>.<volumeIndex>.<n>"` (dsm-rest.md §4).
 */
/** Ids grouped under a key (a volume's mappings, a volume's replications…). */
class GroupIndex {
  private readonly groups = new Map<string, Set<string>>();
  add(key: string, id: string): void {
    const group = this.groups.get(key);
    if (group) group.add(id);
    else this.groups.set(key, new Set([id]));
  }
  remove(key: string, id: string): void {
    const group = this.groups.get(key);
    group?.delete(id);
    if (group?.size === 0) this.groups.delete(key);
  }
  ids(key: string): Iterable<string> {
    return this.groups.get(key) ?? [];
  }
  clear(): void {
    this.groups.clear();
  }
}

export class DsmState {
  readonly storageCenters = new Map<number, StorageCenterRecord>();
  /** Written only through addVolume/removeVolume so the indexes stay right. */
  readonly volumes: ReadonlyMap<string, VolumeRecord> = new Map<string, VolumeRecord>();
  readonly replays = new Map<string, ReplayRecord>();
  readonly volumeFolders = new Map<string, VolumeFolderRecord>();
  readonly serverFolders = new Map<string, VolumeFolderRecord>();
  readonly servers = new Map<string, ServerRecord>();
  readonly hbas = new Map<string, HbaRecord>();
  /** Written only through addMappingProfile/removeMappingProfile. */
  readonly mappingProfiles: ReadonlyMap<string, MappingProfileRecord> = new Map<string, MappingProfileRecord>();
  readonly qosNodes = new Map<string, QosNodeRecord>();
  /** Written only through addReplication/removeReplication. */
  readonly replications: ReadonlyMap<string, ReplicationRecord> = new Map<string, ReplicationRecord>();
  /** Written only through addLiveVolume/removeLiveVolume. */
  readonly liveVolumes: ReadonlyMap<string, LiveVolumeRecord> = new Map<string, LiveVolumeRecord>();
  readonly replayProfiles = new Map<string, ReplayProfileRecord>();
  readonly consistencyGroups = new Map<string, ConsistencyGroupRecord>();
  readonly restorePoints = new Map<string, RestorePointRecord>();
  /** Data Collector settings: DSM-wide, not per Storage Center (guide §5.8). */
  readonly dataCollectorSettings: DataCollectorSettings = { ...DEFAULT_DATA_COLLECTOR_SETTINGS };
  /** Replays of a volume in index order, so ReplayList does not scan every replay. */
  private readonly replaysByVolume = new Map<string, ReplayRecord[]>();
  /** When an expired replay is purged: Expire marks it first, as real DSM does. */
  readonly expiryMarkedAt = new Map<string, number>();
  /** Replays with an expire time or marked for expiration: the only ones the purge looks at. */
  readonly expiringReplayIds = new Set<string>();
  private readonly sequences = new Map<string, number>();
  // Lookups every wire object needs; scanning instead made lists quadratic in the volume count.
  private readonly mappingsByVolume = new GroupIndex();
  private readonly mappingsByServer = new GroupIndex();
  private readonly replicationsBySource = new GroupIndex();
  private readonly replicationsByDestination = new GroupIndex();
  private readonly liveVolumeByVolume = new Map<string, string>();
  private readonly viewsByReplay = new GroupIndex();

  constructor(readonly config: StateConfig) {}

  now(): number {
    return this.config.clock.now();
  }

  /** Next number of a per-Storage-Center sequence (`kind` keeps volumes, servers… apart). */
  nextIndex(ssn: number, kind: string, first: number): number {
    const key = `${ssn}:${kind}`;
    const next = this.sequences.get(key) ?? first;
    this.sequences.set(key, next + 1);
    return next;
  }

  storageCenter(ssn: number | string | undefined): StorageCenterRecord | undefined {
    if (ssn === undefined) return undefined;
    const serial = typeof ssn === 'number' ? ssn : Number(ssn);
    return Number.isInteger(serial) ? this.storageCenters.get(serial) : undefined;
  }

  /** Actions need the array reachable; the Data Collector still answers reads from its cache. */
  requireConnected(ssn: number): Refusal | undefined {
    const sc = this.storageCenters.get(ssn);
    if (!sc) return badRequest(`Storage Center ${ssn} is not managed by this Data Collector.`);
    if (!sc.connected) return badRequest(`Storage Center ${sc.name} (${ssn}) is not connected to the Data Collector.`);
    return undefined;
  }

  addReplay(replay: ReplayRecord): void {
    this.replays.set(replay.id, replay);
    const list = this.replaysByVolume.get(replay.volumeId) ?? [];
    list.push(replay);
    list.sort((a, b) => a.index - b.index);
    this.replaysByVolume.set(replay.volumeId, list);
    this.noteExpiry(replay);
  }

  /** Call after setting a replay's expire time or marking it, so the purge sees it. */
  noteExpiry(replay: ReplayRecord): void {
    if (replay.expireAt !== undefined || replay.markedForExpiration) this.expiringReplayIds.add(replay.id);
  }

  removeReplay(replayId: string): void {
    const replay = this.replays.get(replayId);
    if (!replay) return;
    this.replays.delete(replayId);
    this.expiryMarkedAt.delete(replayId);
    this.expiringReplayIds.delete(replayId);
    const list = this.replaysByVolume.get(replay.volumeId);
    if (list)
      this.replaysByVolume.set(
        replay.volumeId,
        list.filter((r) => r.id !== replayId),
      );
  }

  /** Frozen replays of a volume, oldest first. */
  replaysOf(volumeId: string): readonly ReplayRecord[] {
    return this.replaysByVolume.get(volumeId) ?? [];
  }

  latestReplayOf(volumeId: string): ReplayRecord | undefined {
    const list = this.replaysOf(volumeId).filter((r) => !r.markedForExpiration);
    return list[list.length - 1];
  }

  addVolume(volume: VolumeRecord): void {
    (this.volumes as Map<string, VolumeRecord>).set(volume.id, volume);
    if (volume.viewOfReplayId) this.viewsByReplay.add(volume.viewOfReplayId, volume.id);
  }

  removeVolume(volumeId: string): void {
    const volume = this.volumes.get(volumeId);
    if (!volume) return;
    for (const replay of [...this.replaysOf(volumeId)]) this.removeReplay(replay.id);
    this.replaysByVolume.delete(volumeId);
    for (const profile of this.mappingsOfVolume(volumeId)) this.removeMappingProfile(profile.id);
    if (volume.viewOfReplayId) this.viewsByReplay.remove(volume.viewOfReplayId, volumeId);
    (this.volumes as Map<string, VolumeRecord>).delete(volumeId);
  }

  addMappingProfile(profile: MappingProfileRecord): void {
    (this.mappingProfiles as Map<string, MappingProfileRecord>).set(profile.id, profile);
    this.mappingsByVolume.add(profile.volumeId, profile.id);
    this.mappingsByServer.add(profile.serverId, profile.id);
  }

  removeMappingProfile(profileId: string): void {
    const profile = this.mappingProfiles.get(profileId);
    if (!profile) return;
    (this.mappingProfiles as Map<string, MappingProfileRecord>).delete(profileId);
    this.mappingsByVolume.remove(profile.volumeId, profileId);
    this.mappingsByServer.remove(profile.serverId, profileId);
  }

  addReplication(replication: ReplicationRecord): void {
    (this.replications as Map<string, ReplicationRecord>).set(replication.id, replication);
    this.replicationsBySource.add(replication.sourceVolumeId, replication.id);
    this.replicationsByDestination.add(replication.destinationVolumeId, replication.id);
  }

  removeReplication(replicationId: string): void {
    const replication = this.replications.get(replicationId);
    if (!replication) return;
    (this.replications as Map<string, ReplicationRecord>).delete(replicationId);
    this.replicationsBySource.remove(replication.sourceVolumeId, replicationId);
    this.replicationsByDestination.remove(replication.destinationVolumeId, replicationId);
  }

  /** A Live Volume's two volumes never change (a swap exchanges their roles), so they are indexed once. */
  addLiveVolume(liveVolume: LiveVolumeRecord): void {
    (this.liveVolumes as Map<string, LiveVolumeRecord>).set(liveVolume.id, liveVolume);
    this.liveVolumeByVolume.set(liveVolume.primaryVolumeId, liveVolume.id);
    this.liveVolumeByVolume.set(liveVolume.secondaryVolumeId, liveVolume.id);
  }

  removeLiveVolume(liveVolumeId: string): void {
    const liveVolume = this.liveVolumes.get(liveVolumeId);
    if (!liveVolume) return;
    (this.liveVolumes as Map<string, LiveVolumeRecord>).delete(liveVolumeId);
    this.liveVolumeByVolume.delete(liveVolume.primaryVolumeId);
    this.liveVolumeByVolume.delete(liveVolume.secondaryVolumeId);
  }

  private pick<T>(ids: Iterable<string>, from: ReadonlyMap<string, T>): T[] {
    const found: T[] = [];
    for (const id of ids) {
      const item = from.get(id);
      if (item) found.push(item);
    }
    return found;
  }

  mappingsOfVolume(volumeId: string): MappingProfileRecord[] {
    return this.pick(this.mappingsByVolume.ids(volumeId), this.mappingProfiles);
  }

  /** Mappings to hosts, leaving out the replication mapping to a remote Storage Center. */
  hostMappingsOfVolume(volumeId: string): MappingProfileRecord[] {
    return this.mappingsOfVolume(volumeId).filter(
      (m) => this.servers.get(m.serverId)?.kind !== 'remote-storage-center',
    );
  }

  mappingsOfServer(serverId: string): MappingProfileRecord[] {
    return this.pick(this.mappingsByServer.ids(serverId), this.mappingProfiles);
  }

  replicationsFrom(volumeId: string): ReplicationRecord[] {
    return this.pick(this.replicationsBySource.ids(volumeId), this.replications);
  }

  replicationsTo(volumeId: string): ReplicationRecord[] {
    return this.pick(this.replicationsByDestination.ids(volumeId), this.replications);
  }

  liveVolumeOf(volumeId: string): LiveVolumeRecord | undefined {
    const id = this.liveVolumeByVolume.get(volumeId);
    return id === undefined ? undefined : this.liveVolumes.get(id);
  }

  viewVolumesOf(replayId: string): VolumeRecord[] {
    return this.pick(this.viewsByReplay.ids(replayId), this.volumes).filter((v) => !v.inRecycleBin);
  }

  serversOfCluster(clusterId: string): ServerRecord[] {
    return [...this.servers.values()].filter((s) => s.clusterId === clusterId);
  }

  /** The server object on `ssn` that stands for peer Storage Center `remoteSsn` (replication target mappings). */
  remoteStorageCenterServer(ssn: number, remoteSsn: number): ServerRecord {
    for (const server of this.servers.values()) {
      if (server.ssn === ssn && server.kind === 'remote-storage-center' && server.remoteSsn === remoteSsn)
        return server;
    }
    const index = this.nextIndex(ssn, 'server', 1);
    const remote = this.storageCenters.get(remoteSsn);
    const server: ServerRecord = {
      id: `${ssn}.${index}`,
      ssn,
      index,
      name: remote?.name ?? `Storage Center ${remoteSsn}`,
      kind: 'remote-storage-center',
      notes: '',
      folderId: `${ssn}.0`,
      operatingSystem: '',
      alertOnConnectivity: true,
      remoteSsn,
      up: true,
    };
    this.servers.set(server.id, server);
    return server;
  }

  rootVolumeFolderId(ssn: number): string {
    return `${ssn}.0`;
  }

  /** Id sequences as `[key, next]` pairs (persistence: ids must not be reused after a restart). */
  sequenceEntries(): Array<[string, number]> {
    return [...this.sequences];
  }

  /** Empties every collection and index, so a saved state can be loaded into a used model. */
  clear(): void {
    for (const map of [
      this.storageCenters,
      this.volumes,
      this.replays,
      this.volumeFolders,
      this.serverFolders,
      this.servers,
      this.hbas,
      this.mappingProfiles,
      this.qosNodes,
      this.replications,
      this.liveVolumes,
      this.replayProfiles,
      this.consistencyGroups,
      this.restorePoints,
      this.expiryMarkedAt,
      this.sequences,
      this.replaysByVolume,
      this.liveVolumeByVolume,
    ]) {
      (map as Map<unknown, unknown>).clear();
    }
    this.expiringReplayIds.clear();
    Object.assign(this.dataCollectorSettings, DEFAULT_DATA_COLLECTOR_SETTINGS);
    for (const index of [
      this.mappingsByVolume,
      this.mappingsByServer,
      this.replicationsBySource,
      this.replicationsByDestination,
      this.viewsByReplay,
    ])
      index.clear();
  }

  restoreSequences(entries: Iterable<[string, number]>): void {
    for (const [key, next] of entries) this.sequences.set(key, next);
  }
}
