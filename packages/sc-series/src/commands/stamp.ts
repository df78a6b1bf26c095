/**
 * What a failover removes but a reverse or restore needs again: the original replication's type,
 * mode, active-snapshot setting and QoS node, and the peer volume. DSM offers no public call to
 * read a deleted replication's restore point, so the adapter keeps these in the Notes of the
 * volume it promotes, the one place on the array that outlives the replication.
 */
export const STAMP_PREFIX = 'drctl-replication ';

export interface ReplicationStamp {
  type: string;
  syncMode: string;
  activeReplay: boolean;
  qos?: string;
  /** The volume on the other side (the old source) and its Storage Center. */
  peerSerial: number;
  peerVolume: string;
}

export function writeStamp(stamp: ReplicationStamp): string {
  return STAMP_PREFIX + JSON.stringify(stamp);
}

export function readStamp(notes: string): ReplicationStamp | undefined {
  if (!notes.startsWith(STAMP_PREFIX)) return undefined;
  try {
    const value = JSON.parse(notes.slice(STAMP_PREFIX.length)) as Partial<ReplicationStamp>;
    if (typeof value.peerSerial !== 'number' || typeof value.peerVolume !== 'string') return undefined;
    return {
      type: typeof value.type === 'string' ? value.type : 'Asynchronous',
      syncMode: typeof value.syncMode === 'string' ? value.syncMode : 'None',
      activeReplay: value.activeReplay === true,
      ...(typeof value.qos === 'string' ? { qos: value.qos } : {}),
      peerSerial: value.peerSerial,
      peerVolume: value.peerVolume,
    };
  } catch {
    return undefined;
  }
}

/** The body of `POST ScReplication` to an existing destination volume, with the stamp's settings. */
export function replicationBody(
  stamp: ReplicationStamp,
  from: { serial: number; volume: string },
  to: { serial: number; volume: string },
  qosNodeId: string,
): Record<string, unknown> {
  const synchronous = stamp.type.toLowerCase() === 'synchronous';
  return {
    StorageCenter: from.serial,
    SourceVolume: from.volume,
    DestinationStorageCenter: to.serial,
    DestinationVolume: to.volume,
    QosNode: qosNodeId,
    ReplicateActiveReplay: stamp.activeReplay || synchronous,
    Type: synchronous ? 'Synchronous' : 'Asynchronous',
    ...(synchronous && stamp.syncMode && stamp.syncMode !== 'None' ? { SyncMode: stamp.syncMode } : {}),
  };
}
