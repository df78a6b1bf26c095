/**
 * The simulator's own state, one record per DSM object. Wire objects (what the REST API returns)
 * are built from these by `wire.ts`; keeping the two apart lets one state answer in the shapes
 * of several API versions.
 */
export type ReplicationType = 'Asynchronous' | 'Synchronous';
/** `None` for asynchronous; synchronous is `HighAvailability` or (the default) `HighConsistency`. */
export type SyncMode = 'None' | 'HighAvailability' | 'HighConsistency';

export interface StorageCenterRecord {
  serial: number;
  name: string;
  version: string;
  /** False while the array is down (its site is lost): actions on it are refused. */
  connected: boolean;
  hostOrIpAddress: string;
  site?: string;
}

export interface VolumeFolderRecord {
  id: string;
  ssn: number;
  kind: 'volume' | 'server';
  name: string;
  parentId?: string;
  notes: string;
  root: boolean;
}

export interface VolumeRecord {
  id: string;
  ssn: number;
  index: number;
  name: string;
  notes: string;
  sizeBytes: number;
  folderId: string;
  /** A never-mapped volume is inactive: real SC refuses replays of it. */
  active: boolean;
  inRecycleBin: boolean;
  vpdId: number;
  deviceId: string;
  serialNumber: string;
  /** Next replay index: the active replay carries it; CreateReplay freezes it and moves on. */
  nextReplayIndex: number;
  createdAt: number;
  /** For a view volume: the replay it was created from. */
  viewOfReplayId?: string;
  replayProfileIds: string[];
  /** Bytes a replay of this volume has to transfer (the changed data). */
  replayDeltaBytes: number;
  /** Seconds a replay of this volume takes to reach a destination; the simulator default when absent. */
  transferSeconds?: number;
}

export interface ReplayRecord {
  id: string;
  ssn: number;
  volumeId: string;
  index: number;
  /** Same on source and destination copies: how Cinder finds a common replay (`replicate_to_common`). */
  globalIndex: string;
  description: string;
  freezeTime: number;
  /** Epoch ms when the replay expires; undefined = never. */
  expireAt?: number;
  markedForExpiration: boolean;
  source: 'Manual' | 'Scheduled' | 'Replication';
  parentId?: string;
  sizeBytes: number;
  consistencyGroupId?: string;
  writesHeldDuration: number;
}

export type ServerKind = 'physical' | 'cluster' | 'remote-storage-center';

export interface HbaRecord {
  id: string;
  ssn: number;
  name: string;
  portType: 'Iscsi' | 'FibreChannel';
  serverId: string;
}

export interface ServerRecord {
  id: string;
  ssn: number;
  index: number;
  name: string;
  kind: ServerKind;
  notes: string;
  folderId: string;
  operatingSystem: string;
  alertOnConnectivity: boolean;
  /** Physical servers in a cluster point at it. */
  clusterId?: string;
  /** For `remote-storage-center`: the peer SC this server object stands for. */
  remoteSsn?: number;
  /** False while the host is down (status Down). */
  up: boolean;
}

export interface MappingProfileRecord {
  id: string;
  ssn: number;
  index: number;
  volumeId: string;
  serverId: string;
  lun: number;
  readOnly: boolean;
}

export interface QosNodeRecord {
  id: string;
  ssn: number;
  name: string;
  linkSpeed: string;
  bandwidthLimited: boolean;
}

export interface TransferRecord {
  /** The source replay being sent; undefined for an initial sync of a volume with no frozen replay. */
  sourceReplayId?: string;
  bytes: number;
  startAt: number;
  endAt: number;
}

export interface ReplicationRecord {
  id: string;
  ssn: number;
  sourceVolumeId: string;
  destinationVolumeId: string;
  destinationSsn: number;
  type: ReplicationType;
  syncMode: SyncMode;
  replicateActiveReplay: boolean;
  qosNodeId: string;
  state: 'Up' | 'Down' | 'Paused';
  dedup: boolean;
  liveVolumeId?: string;
  /** Seconds one replay takes to reach the destination (asynchronous only). */
  transferSeconds: number;
  /** Replays still travelling, oldest first; they reach the destination one after another. */
  transfers: TransferRecord[];
  createdAt: number;
}

export interface LiveVolumeRecord {
  id: string;
  primaryVolumeId: string;
  secondaryVolumeId: string;
  type: ReplicationType;
  syncMode: SyncMode;
  replicateActiveReplay: boolean;
  failoverAutomaticallyEnabled: boolean;
  restoreAutomaticallyEnabled: boolean;
  swapRolesAutomaticallyEnabled: boolean;
  primaryQosNodeId: string;
  secondaryQosNodeId: string;
  replicationId: string;
  /** `Activated` once the secondary was brought up while the primary Storage Center was down. */
  secondaryRole: 'Secondary' | 'Activated';
  /**
   * The Live Volume manages a replication to a third Storage Center (DSM "managed replication",
   * §3.3/§5.4); reported as `managingReplications`. The managed replication itself is not modelled.
   */
  managingReplications?: boolean;
}

export interface ReplayProfileRecord {
  id: string;
  ssn: number;
  name: string;
  type: 'Consistent' | 'Standard';
  notes: string;
}

export interface ConsistencyGroupRecord {
  id: string;
  ssn: number;
  profileId: string;
  description: string;
  freezeTime: number;
  expireAt?: number;
  replayIds: string[];
}

/**
 * A saved replication restore point (DSM "Save Restore Points"). No public client shows its
 * REST shape; see the README for what the simulator assumes.
 */
export interface RestorePointRecord {
  id: string;
  ssn: number;
  replicationId?: string;
  liveVolumeId?: string;
  /** Source and destination at save time: a restore point outlives a deleted replication. */
  sourceVolumeId: string;
  destinationVolumeId: string;
  savedAt: number;
  /** The per-restore-point "Use Active Snapshot" checkbox; cleared by default. */
  useActiveReplay: boolean;
}
