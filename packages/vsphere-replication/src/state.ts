import { DrError } from '@drctl/domain';

/** A point-in-time instance kept at the target site (vSphere Replication's MPIT). */
export interface PointInTimeInstance {
  id: string;
  /** Epoch ms (the injected clock) of the data it holds. */
  at: number;
}

/**
 * One replicated VM. `replicating`: source site writable, copies flowing to the target;
 * `prepared`: source made read-only for a planned migration; `failed-over`: the target copy is
 * the writable VM; `reverse-ready`: the old source was prepared to receive replication.
 */
export type VmReplicationStatus = 'replicating' | 'prepared' | 'failed-over' | 'reverse-ready';

export interface VmReplication {
  vm: string;
  group: string;
  rpoMinutes: number;
  sourceSite: string;
  targetSite: string;
  status: VmReplicationStatus;
  /** When the latest instance finished replicating. */
  lastSyncAt: number;
  instances: PointInTimeInstance[];
  /** The instance a test copy was made from, while a test runs. */
  testCopy?: { instance: string; createdAt: number };
  /** The instance a failover recovered, once failed over. */
  recoveredFrom?: string;
  /** Seconds one synchronization takes (derived from the seed). */
  syncSeconds: number;
  instanceCounter: number;
}

export interface ReplicationSnapshot {
  version: 1;
  vms: VmReplication[];
  /** Idempotency keys of syncs that finished, per VM. */
  completedSyncs: Array<[string, string]>;
}

/** vSphere Replication keeps at most 24 point-in-time instances per VM. */
export const MAX_INSTANCES = 24;

export function parseSnapshot(value: unknown): ReplicationSnapshot {
  const snapshot = value as Partial<ReplicationSnapshot> | null;
  if (!snapshot || snapshot.version !== 1 || !Array.isArray(snapshot.vms) || !Array.isArray(snapshot.completedSyncs)) {
    throw new DrError('DR_INPUT_INVALID', 'Not a vSphere replication state snapshot.', {
      issues: [{ path: 'version', message: 'expected a snapshot written by snapshot() (version 1)' }],
    });
  }
  return structuredClone(snapshot as ReplicationSnapshot);
}
