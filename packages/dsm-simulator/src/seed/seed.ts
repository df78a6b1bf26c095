import type { SrmSelectableSnapshotMode } from '../model/state.js';

/**
 * A plain description of what the simulated Data Collector holds at start. Objects refer to
 * each other by name (servers, QoS nodes, volumes) within a Storage Center, by serial number
 * across them. `seedFromEnvironment` builds one from a drctl environment; tests write their own.
 */
export interface DsmSeed {
  storageCenters: SeedStorageCenter[];
  servers?: SeedServer[];
  qosNodes?: SeedQosNode[];
  volumes?: SeedVolume[];
  replications?: SeedReplication[];
  liveVolumes?: SeedLiveVolume[];
  consistencyGroups?: SeedConsistencyGroup[];
  /** Save a restore point for every replication and Live Volume after seeding. @default true */
  saveRestorePoints?: boolean;
  /** The Data Collector's SRM selectable snapshot setting (§5.8). @default AlwaysUseActiveSnapshot */
  srmSelectableSnapshot?: SrmSelectableSnapshotMode;
}

export interface SeedStorageCenter {
  serial: number;
  /** @default `Storage Center <serial>` */
  name?: string;
  /** @default 7.3.20.19 */
  version?: string;
  site?: string;
  hostOrIpAddress?: string;
  /** @default true */
  connected?: boolean;
}

export interface SeedServer {
  storageCenter: number;
  name: string;
  /** @default physical */
  kind?: 'physical' | 'cluster';
  /** Name of the cluster (on the same SC) this physical server belongs to. */
  cluster?: string;
  hbas?: Array<{ name: string; portType?: 'Iscsi' | 'FibreChannel' }>;
  operatingSystem?: string;
}

export interface SeedQosNode {
  storageCenter: number;
  name: string;
  linkSpeed?: string;
  bandwidthLimited?: boolean;
}

export interface SeedReplay {
  description: string;
  /** How long before the simulator starts the replay was frozen. */
  minutesAgo?: number;
  /** Or an absolute time (ISO-8601). */
  frozenAt?: string;
  /** Minutes after freezing that it expires; absent = never. */
  expireMinutes?: number;
}

export interface SeedVolume {
  storageCenter: number;
  name: string;
  /** @default 100 */
  sizeGb?: number;
  /** Folder path under the root, e.g. `vmware/prod`. */
  folder?: string;
  /** Servers (or clusters) on the same SC the volume is mapped to. */
  mappedTo?: string[];
  /** @default true (a seeded volume is in use) */
  active?: boolean;
  /** Frozen replays, oldest first. Replays of a replicated volume have already reached the destination. */
  replays?: SeedReplay[];
  /** Changed bytes each new replay has to transfer. */
  replayDeltaBytes?: number;
  /** Seconds a replay of this volume takes to reach a destination. */
  transferSeconds?: number;
}

export interface SeedReplication {
  /** Source SC serial. */
  storageCenter: number;
  sourceVolume: string;
  destinationStorageCenter: number;
  /** @default `Repl of <source>` */
  destinationName?: string;
  type?: 'Asynchronous' | 'Synchronous';
  syncMode?: 'None' | 'HighAvailability' | 'HighConsistency';
  replicateActiveReplay?: boolean;
  /** QoS node name on the source SC. */
  qosNode: string;
}

export interface SeedLiveVolume {
  /** Primary SC serial. */
  storageCenter: number;
  primaryVolume: string;
  secondaryStorageCenter: number;
  type?: 'Asynchronous' | 'Synchronous';
  syncMode?: 'None' | 'HighAvailability' | 'HighConsistency';
  replicateActiveReplay?: boolean;
  failoverAutomaticallyEnabled?: boolean;
  restoreAutomaticallyEnabled?: boolean;
  swapRolesAutomaticallyEnabled?: boolean;
  /** The Live Volume manages a replication to a third Storage Center (reported, not modelled). */
  managingReplications?: boolean;
  primaryQosNode: string;
  secondaryQosNode: string;
  /** Servers on the secondary SC the secondary volume is mapped to (uniform mapping). */
  secondaryMappedTo?: string[];
}

export interface SeedConsistencyGroup {
  storageCenter: number;
  name: string;
  volumes: string[];
}
