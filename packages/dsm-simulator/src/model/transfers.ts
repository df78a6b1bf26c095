import type { ReplicationRecord, ReplayRecord, TransferRecord } from './records.js';
import type { DsmState } from './state.js';

/**
 * Replication transfer progress, computed from the clock rather than driven by timers: a replay
 * taken on a source volume queues a transfer; transfers of one replication run one after the
 * other, each taking the replication's `transferSeconds` (none for synchronous replication); a
 * finished transfer puts a copy of the replay (same `globalIndex`) on the destination volume.
 * Nothing moves while the replication is down or paused or either array is disconnected.
 */
export function transferDurationMs(replication: ReplicationRecord): number {
  return replication.type === 'Synchronous' ? 0 : Math.max(0, replication.transferSeconds) * 1000;
}

export function replicationMoving(state: DsmState, replication: ReplicationRecord): boolean {
  if (replication.state !== 'Up') return false;
  return Boolean(
    state.storageCenters.get(replication.ssn)?.connected &&
    state.storageCenters.get(replication.destinationSsn)?.connected,
  );
}

export function enqueueTransfer(
  state: DsmState,
  replication: ReplicationRecord,
  sourceReplayId: string | undefined,
  bytes: number,
): void {
  const now = state.now();
  const previous = replication.transfers[replication.transfers.length - 1];
  const startAt = Math.max(now, previous?.endAt ?? now);
  replication.transfers.push({ sourceReplayId, bytes, startAt, endAt: startAt + transferDurationMs(replication) });
  // A synchronous copy (or a zero-second transfer) is there at once.
  completeDueTransfers(state, replication, now);
}

/**
 * After a pause, an outage or a resume the queue restarts from now. A transfer that was cut off
 * starts over: SC resends the replay's data, so partial progress is not kept.
 */
export function replanTransfers(state: DsmState, replication: ReplicationRecord): void {
  let cursor = state.now();
  const duration = transferDurationMs(replication);
  for (const transfer of replication.transfers) {
    transfer.startAt = cursor;
    transfer.endAt = cursor + duration;
    cursor = transfer.endAt;
  }
  completeDueTransfers(state, replication, state.now());
}

/** Brings every replication up to the clock. Called before each request is answered. */
export function advanceTransfers(state: DsmState): void {
  const now = state.now();
  for (const replication of state.replications.values()) {
    if (replication.transfers.length > 0) completeDueTransfers(state, replication, now);
  }
}

function completeDueTransfers(state: DsmState, replication: ReplicationRecord, now: number): void {
  if (!replicationMoving(state, replication)) return;
  while (replication.transfers.length > 0 && replication.transfers[0]!.endAt <= now) {
    const transfer = replication.transfers.shift()!;
    if (transfer.sourceReplayId) copyReplayToDestination(state, replication, transfer.sourceReplayId);
  }
}

/** Everything frozen on the source is on the destination now (a replication that has long been running). */
export function completeAllTransfers(state: DsmState, replication: ReplicationRecord): void {
  replication.transfers = [];
  for (const replay of state.replaysOf(replication.sourceVolumeId)) {
    if (!replay.markedForExpiration) copyReplayToDestination(state, replication, replay.id);
  }
}

function copyReplayToDestination(state: DsmState, replication: ReplicationRecord, sourceReplayId: string): void {
  const source = state.replays.get(sourceReplayId);
  const destination = state.volumes.get(replication.destinationVolumeId);
  if (!source || !destination) return;
  if (state.replaysOf(destination.id).some((r) => r.globalIndex === source.globalIndex)) return;
  const index = destination.nextReplayIndex++;
  const parent = state.latestReplayOf(destination.id);
  const copy: ReplayRecord = {
    ...source,
    id: `${destination.ssn}.${destination.index}.${index}`,
    ssn: destination.ssn,
    volumeId: destination.id,
    index,
    markedForExpiration: false,
    parentId: parent?.id,
    // A consistent snapshot stays consistent where it replicates to: the members arrive as one set.
    consistencyGroupId: source.consistencyGroupId,
  };
  state.addReplay(copy);
}

export interface TransferProgress {
  synced: boolean;
  amountRemainingBytes: number;
  totalBytes: number;
  percentComplete: number;
}

export function transferProgress(state: DsmState, replication: ReplicationRecord): TransferProgress {
  const now = state.now();
  const moving = replicationMoving(state, replication);
  let remaining = 0;
  let total = 0;
  for (const transfer of replication.transfers) {
    total += transfer.bytes;
    remaining += transfer.bytes * (moving ? remainingFraction(transfer, now) : 1);
  }
  remaining = Math.round(remaining);
  const percentComplete = total === 0 ? 100 : Math.floor(((total - remaining) / total) * 100);
  const synced = replication.transfers.length === 0 && replication.state === 'Up' && moving;
  return { synced, amountRemainingBytes: remaining, totalBytes: total, percentComplete };
}

function remainingFraction(transfer: TransferRecord, now: number): number {
  if (now <= transfer.startAt) return 1;
  if (now >= transfer.endAt || transfer.endAt === transfer.startAt) return 0;
  return (transfer.endAt - now) / (transfer.endAt - transfer.startAt);
}
