import type { ReplicationType, SnapshotMode } from '../model/environment.js';

/**
 * The storage port: SRM's SRA command set. Adapters (SC Series over DSM REST, vSphere
 * replication, the in-process simulator) implement it; the engine knows storage only through it.
 *
 * Rules every adapter keeps:
 * - every call takes an AbortSignal and stops promptly when it fires;
 * - results are per device and may partially succeed;
 * - calls are idempotent: repeating a call that already took effect returns success with a
 *   warning and changes nothing (never a second promotion).
 */
export interface StorageAdapter {
  /** Adapter kind, e.g. `sc-series`. */
  readonly kind: string;
  queryInfo(request: BaseRequest): Promise<AdapterInfo>;
  queryCapabilities(request: BaseRequest): Promise<AdapterCapabilities>;
  discoverArrays(request: BaseRequest): Promise<DiscoveredArray[]>;
  /** Replicated devices of one array (as source or target), with their peer and direction. */
  discoverDevices(request: DiscoverDevicesRequest): Promise<DiscoveredDevice[]>;
  /** Starts a synchronization of the devices (a replay on the source, replicated to the target). */
  syncOnce(request: DeviceCommandRequest): Promise<DeviceCommandResult>;
  /** Progress of the last sync; `complete` when replicated. */
  querySyncStatus(request: DeviceCommandRequest): Promise<SyncStatusResult>;
  /** Writable copies of the target devices for a test, presented to the recovery hosts. */
  testFailoverStart(request: DeviceCommandRequest): Promise<DeviceCommandResult>;
  testFailoverStop(request: DeviceCommandRequest): Promise<DeviceCommandResult>;
  /** Protected site: final snapshot, source made read-only and unpresented. */
  prepareFailover(request: DeviceCommandRequest): Promise<DeviceCommandResult>;
  /** Recovery site: promote the target, writable, presented to the recovery hosts. */
  failover(request: DeviceCommandRequest): Promise<DeviceCommandResult>;
  /** On the old source: get ready to receive replication from the new source. */
  prepareReverseReplication(request: DeviceCommandRequest): Promise<DeviceCommandResult>;
  /** Replicate from the new source back to the old one. */
  reverseReplication(request: DeviceCommandRequest): Promise<DeviceCommandResult>;
  /** Restore replication in the original direction after a failed/aborted operation. */
  restoreReplication(request: DeviceCommandRequest): Promise<DeviceCommandResult>;
  /** Releases sessions and connections. */
  close?(): Promise<void>;
}

export const STORAGE_COMMANDS = [
  'queryInfo',
  'queryCapabilities',
  'discoverArrays',
  'discoverDevices',
  'syncOnce',
  'querySyncStatus',
  'testFailoverStart',
  'testFailoverStop',
  'prepareFailover',
  'failover',
  'prepareReverseReplication',
  'reverseReplication',
  'restoreReplication',
] as const;
export type StorageCommand = (typeof STORAGE_COMMANDS)[number];

/** Commands that change the storage: the ones a journal must never run twice. */
export const STATE_CHANGING_COMMANDS: ReadonlySet<StorageCommand> = new Set<StorageCommand>([
  'syncOnce',
  'testFailoverStart',
  'testFailoverStop',
  'prepareFailover',
  'failover',
  'prepareReverseReplication',
  'reverseReplication',
  'restoreReplication',
]);

export interface BaseRequest {
  signal: AbortSignal;
}

export interface DiscoverDevicesRequest extends BaseRequest {
  /** Array to discover on (an array id as the environment names it). */
  arrayId: string;
  /** Peer array of the pair; only devices replicating with it are returned. */
  peerArrayId?: string;
}

/** Why a command runs, so adapters can apply rules such as SRM selectable snapshot (Table 1). */
export interface CommandContext {
  workflow: string;
  plan: string;
  runId: string;
  /** Test: whether "replicate recent changes" is on. */
  syncData?: boolean;
  /** Disaster recovery: whether the protected site is reachable. */
  protectedSiteUp?: boolean;
  snapshotMode?: SnapshotMode;
  /** Per-restore-point mode: device id → snapshot name. */
  restorePoints?: Record<string, string>;
  /** Hosts at the recovery (or, for prepare, protected) site to present devices to. */
  hosts?: string[];
  /**
   * Device id → consistency group, for the command's devices that belong to one (§5.7): an
   * adapter that supports consistency groups snapshots a group together and recovers its devices
   * from one common point in time.
   */
  consistencyGroups?: Record<string, string>;
}

export interface DeviceCommandRequest extends BaseRequest {
  /** Device ids as discovered. */
  devices: string[];
  /** Array the command targets: the source for sync/prepare, the target for (test)failover. */
  arrayId: string;
  /** Same key for a repeat of the same logical command (after a crash): adapters may dedupe on it. */
  idempotencyKey: string;
  context: CommandContext;
  /** Progress callback for long commands (0–100). */
  onProgress?: (progress: { device?: string; percent: number; message?: string }) => void;
}

export interface DeviceError {
  code: string;
  description: string;
  fixHint?: string;
}

export interface DeviceResult {
  device: string;
  /** `success` may still carry warnings; `error` means the device did not reach the state. */
  status: 'success' | 'error';
  error?: DeviceError;
  warnings: string[];
  /** Adapter facts worth a line in the report, e.g. which snapshot was used and why. */
  details?: Record<string, string>;
  /** Read-write state of the device after the command, where known. */
  state?: 'read-only' | 'read-write';
}

export interface DeviceCommandResult {
  devices: DeviceResult[];
}

export interface SyncStatusResult extends DeviceCommandResult {
  /** Per device: complete or in progress with a percentage. */
  progress: Array<{
    device: string;
    status: 'complete' | 'in-progress';
    percent: number;
    /** Bytes still to copy, where the array says: progress finer than the percentage. */
    remaining?: number;
  }>;
}

export interface AdapterInfo {
  name: string;
  version: string;
  vendor: string;
}

export interface AdapterCapabilities {
  commands: StorageCommand[];
  replicationTypes: ReplicationType[];
  supportsConsistencyGroups: boolean;
  supportsStretchedStorage: boolean;
}

export interface DiscoveredArray {
  id: string;
  name: string;
  site?: string;
  serial?: number;
  /** Peer arrays this array replicates with. */
  peers: string[];
}

export interface DiscoveredDevice {
  id: string;
  /** Array this device lives on in this discovery. */
  arrayId: string;
  peerArrayId: string;
  /** Direction seen from `arrayId`: source replicates out, target receives. */
  role: 'source' | 'target';
  /** Current read-write state as the array reports it. */
  state: 'read-only' | 'read-write';
  replicationType: ReplicationType;
  replicateActiveSnapshot: boolean;
  consistencyGroup?: string;
  liveVolume?: {
    autoFailover: boolean;
    autoRoleSwap: boolean;
    uniformMapping: boolean;
    /** Manages a replication to a third Storage Center (§3.3, §5.4: not recovered by SRM). */
    managedReplication?: boolean;
  };
  qosProfile?: string;
  peerQosProfile?: string;
  /** When the last frozen snapshot finished replicating (ISO-8601). */
  lastReplicatedAt?: string;
  /** Whether the device is currently failed over / promoted at the target. */
  promoted?: boolean;
}
