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
export class DsmState {
  readonly storageCenters = new Map<number, StorageCenterRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  readonly replays = new Map<string, ReplayRecord>();
  readonly volumeFolders = new Map<string, VolumeFolderRecord>();
  readonly serverFolders = new Map<string, VolumeFolderRecord>();
  readonly servers = new Map<string, ServerRecord>();
  readonly hbas = new Map<string, HbaRecord>();
  readonly mappingProfiles = new Map<string, MappingProfileRecord>();
  readonly qosNodes = new Map<string, QosNodeRecord>();
  readonly replications = new Map<string, ReplicationRecord>();
  readonly liveVolumes = new Map<string, LiveVolumeRecord>();
  readonly replayProfiles = new Map<string, ReplayProfileRecord>();
  readonly consistencyGroups = new Map<string, ConsistencyGroupRecord>();
  readonly restorePoints = new Map<string, RestorePointRecord>();
  /** Replays of a volume in index order, so ReplayList does not scan every replay. */
  private readonly replaysByVolume = new Map<string, ReplayRecord[]>();
  /** When an expired replay is purged: Expire marks it first, as real DSM does. */
  readonly expiryMarkedAt = new Map<string, number>();
  private readonly sequences = new Map<string, number>();

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
  }

  removeReplay(replayId: string): void {
    const replay = this.replays.get(replayId);
    if (!replay) return;
    this.replays.delete(replayId);
    this.expiryMarkedAt.delete(replayId);
    const list = this.replaysByVolume.get(replay.volumeId);
    if (list) this.replaysByVolume.set(replay.volumeId, list.filter((r) => r.id !== replayId));
  }

  /** Frozen replays of a volume, oldest first. */
  replaysOf(volumeId: string): readonly ReplayRecord[] {
    return this.replaysByVolume.get(volumeId) ?? [];
  }

  latestReplayOf(volumeId: string): ReplayRecord | undefined {
    const list = this.replaysOf(volumeId).filter((r) => !r.markedForExpiration);
    return list[list.length - 1];
  }

  removeVolume(volumeId: string): void {
    for (const replay of [...this.replaysOf(volumeId)]) this.removeReplay(replay.id);
    this.replaysByVolume.delete(volumeId);
    for (const profile of this.mappingsOfVolume(volumeId)) this.mappingProfiles.delete(profile.id);
    this.volumes.delete(volumeId);
  }

  mappingsOfVolume(volumeId: string): MappingProfileRecord[] {
    return [...this.mappingProfiles.values()].filter((m) => m.volumeId === volumeId);
  }

  /** Mappings to hosts, leaving out the replication mapping to a remote Storage Center. */
  hostMappingsOfVolume(volumeId: string): MappingProfileRecord[] {
    return this.mappingsOfVolume(volumeId).filter((m) => this.servers.get(m.serverId)?.kind !== 'remote-storage-center');
  }

  mappingsOfServer(serverId: string): MappingProfileRecord[] {
    return [...this.mappingProfiles.values()].filter((m) => m.serverId === serverId);
  }

  replicationsFrom(volumeId: string): ReplicationRecord[] {
    return [...this.replications.values()].filter((r) => r.sourceVolumeId === volumeId);
  }

  replicationsTo(volumeId: string): ReplicationRecord[] {
    return [...this.replications.values()].filter((r) => r.destinationVolumeId === volumeId);
  }

  liveVolumeOf(volumeId: string): LiveVolumeRecord | undefined {
    for (const lv of this.liveVolumes.values()) {
      if (lv.primaryVolumeId === volumeId || lv.secondaryVolumeId === volumeId) return lv;
    }
    return undefined;
  }

  viewVolumesOf(replayId: string): VolumeRecord[] {
    return [...this.volumes.values()].filter((v) => v.viewOfReplayId === replayId && !v.inRecycleBin);
  }

  serversOfCluster(clusterId: string): ServerRecord[] {
    return [...this.servers.values()].filter((s) => s.clusterId === clusterId);
  }

  /** The server object on `ssn` that stands for peer Storage Center `remoteSsn` (replication target mappings). */
  remoteStorageCenterServer(ssn: number, remoteSsn: number): ServerRecord {
    for (const server of this.servers.values()) {
      if (server.ssn === ssn && server.kind === 'remote-storage-center' && server.remoteSsn === remoteSsn) return server;
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
}
