import { badRequest, ok, refuse, type Outcome } from '../protocol/outcome.js';
import { ensureFolderPath, folderNames } from './folder-operations.js';
import { mapToRemoteStorageCenter, removeRemoteStorageCenterMapping } from './mapping-operations.js';
import type { QosNodeRecord, ReplicationRecord, ReplicationType, SyncMode, VolumeRecord } from './records.js';
import type { DsmState } from './state.js';
import { enqueueTransfer, replanTransfers } from './transfers.js';
import { createVolume } from './volume-operations.js';

export interface CreateQosNodeInput {
  ssn: number;
  name: string;
  linkSpeed?: string;
  bandwidthLimited?: boolean;
}

export function createQosNode(state: DsmState, input: CreateQosNodeInput): Outcome<QosNodeRecord> {
  const refused = state.requireConnected(input.ssn);
  if (refused) return refused;
  if (!input.name.trim()) return badRequest('Invalid attribute value format: Name is required.');
  const duplicate = [...state.qosNodes.values()].find(
    (q) => q.ssn === input.ssn && q.name.toLowerCase() === input.name.toLowerCase(),
  );
  if (duplicate)
    return badRequest(`A replication QoS node named ${input.name} already exists on Storage Center ${input.ssn}.`);
  const node: QosNodeRecord = {
    id: `${input.ssn}.${state.nextIndex(input.ssn, 'qos', 1)}`,
    ssn: input.ssn,
    name: input.name,
    linkSpeed: input.linkSpeed ?? '1 Gbps',
    bandwidthLimited: input.bandwidthLimited ?? false,
  };
  state.qosNodes.set(node.id, node);
  return ok(node);
}

export interface ReplicationModeInput {
  type?: string;
  syncMode?: string;
}

/**
 * `Type` Asynchronous or Synchronous; `SyncMode` only with Synchronous ("This is not supported
 * on the platform" for async, commits b15938b74/70b039cfe); synchronous without SyncMode is
 * High Consistency.
 */
export function resolveReplicationMode(
  input: ReplicationModeInput,
): Outcome<{ type: ReplicationType; syncMode: SyncMode }> {
  const type = input.type ?? 'Asynchronous';
  if (type !== 'Asynchronous' && type !== 'Synchronous')
    return badRequest(`Invalid attribute value format: Type must be Asynchronous or Synchronous, not ${type}.`);
  if (type === 'Asynchronous') {
    if (input.syncMode !== undefined && input.syncMode !== 'None')
      return badRequest('This is not supported on the platform: SyncMode applies to Synchronous replication only.');
    return ok({ type, syncMode: 'None' });
  }
  const syncMode = input.syncMode ?? 'HighConsistency';
  if (syncMode !== 'HighAvailability' && syncMode !== 'HighConsistency') {
    return badRequest(
      `Invalid attribute value format: SyncMode must be HighAvailability or HighConsistency, not ${syncMode}.`,
    );
  }
  return ok({ type, syncMode });
}

export interface DestinationAttributes {
  name?: string;
  notes?: string;
  createSourceVolumeFolderPath?: boolean;
}

export interface CreateReplicationInput {
  ssn: number;
  sourceVolumeId: string;
  destinationSsn: number;
  qosNodeId: string;
  type?: string;
  syncMode?: string;
  replicateActiveReplay?: boolean;
  destinationVolumeId?: string;
  destinationAttributes?: DestinationAttributes;
  dedup?: boolean;
  /** Set when a Live Volume creates its managed replication. */
  liveVolumeId?: string;
}

/** Common checks of a source volume and destination array (replications and Live Volumes). */
export function checkReplicationEnds(
  state: DsmState,
  ssn: number,
  source: VolumeRecord | undefined,
  destinationSsn: number,
): Outcome<VolumeRecord> {
  if (state.config.provider === 'StorageCenter')
    return badRequest(
      'Replication is not supported on a direct Storage Center connection; connect through the Data Collector.',
    );
  if (!source) return badRequest('Source volume was not found.');
  if (source.ssn !== ssn) return badRequest(`Volume ${source.name} is not on Storage Center ${ssn}.`);
  if (source.inRecycleBin) return badRequest(`Volume ${source.name} is in the recycle bin.`);
  if (!state.storageCenters.has(destinationSsn))
    return badRequest(`Destination Storage Center ${destinationSsn} is not managed by this Data Collector.`);
  if (destinationSsn === ssn) return badRequest('The destination Storage Center must differ from the source.');
  const refused = state.requireConnected(ssn) ?? state.requireConnected(destinationSsn);
  if (refused) return refused;
  return ok(source);
}

function checkExistingDestination(
  state: DsmState,
  source: VolumeRecord,
  destination: VolumeRecord | undefined,
  destinationSsn: number,
): string | undefined {
  if (!destination) return 'Destination volume was not found.';
  if (destination.ssn !== destinationSsn)
    return `Volume ${destination.name} is not on Storage Center ${destinationSsn}.`;
  if (destination.inRecycleBin) return `Volume ${destination.name} is in the recycle bin.`;
  if (state.hostMappingsOfVolume(destination.id).length > 0)
    return `Volume ${destination.name} is mapped to servers; unmap it before it can receive replication.`;
  if (state.replicationsTo(destination.id).length > 0)
    return `Volume ${destination.name} is already a replication destination.`;
  if (state.liveVolumeOf(destination.id)) return `Volume ${destination.name} is part of a Live Volume.`;
  const loop = state.replicationsFrom(destination.id).find((r) => r.destinationVolumeId === source.id);
  if (loop)
    return `Volume ${destination.name} replicates to ${source.name} (replication ${loop.id}); delete that replication first.`;
  return undefined;
}

function destinationFolder(
  state: DsmState,
  source: VolumeRecord,
  destinationSsn: number,
  mirrorPath: boolean,
): Outcome<string> {
  if (!mirrorPath) return ok(state.rootVolumeFolderId(destinationSsn));
  const path = folderNames(state, 'volume', source.folderId).join('/');
  const folder = ensureFolderPath(state, 'volume', destinationSsn, path);
  return folder.ok ? ok(folder.value.id) : folder;
}

/**
 * POST ScReplication (201). Creates the destination volume (`Repl of <name>` unless named) or
 * uses `DestinationVolume`, presents it to the source SC, and queues the initial transfer: the
 * whole volume, or only the changes when both volumes already share a replay (`globalIndex`).
 */
export function createReplication(state: DsmState, input: CreateReplicationInput): Outcome<ReplicationRecord> {
  const ends = checkReplicationEnds(state, input.ssn, state.volumes.get(input.sourceVolumeId), input.destinationSsn);
  if (!ends.ok) return ends;
  const source = ends.value;
  const qos = state.qosNodes.get(input.qosNodeId);
  if (!qos || qos.ssn !== input.ssn)
    return badRequest(`Replication QoS node ${input.qosNodeId} was not found on Storage Center ${input.ssn}.`);
  const mode = resolveReplicationMode(input);
  if (!mode.ok) return mode;
  const already = state.replicationsFrom(source.id).find((r) => r.destinationSsn === input.destinationSsn);
  if (already)
    return badRequest(
      `Volume ${source.name} already replicates to Storage Center ${input.destinationSsn} (replication ${already.id}).`,
    );
  if (!input.liveVolumeId && state.liveVolumeOf(source.id))
    return badRequest(`Volume ${source.name} is part of a Live Volume; its replication is managed by the Live Volume.`);

  let destination: VolumeRecord;
  let sharesReplay = false;
  if (input.destinationVolumeId !== undefined) {
    const existing = state.volumes.get(input.destinationVolumeId);
    const problem = checkExistingDestination(state, source, existing, input.destinationSsn);
    if (problem) return badRequest(problem);
    destination = existing!;
    const sourceIndexes = new Set(state.replaysOf(source.id).map((r) => r.globalIndex));
    sharesReplay = state.replaysOf(destination.id).some((r) => sourceIndexes.has(r.globalIndex));
  } else {
    const attributes = input.destinationAttributes ?? {};
    const folder = destinationFolder(
      state,
      source,
      input.destinationSsn,
      attributes.createSourceVolumeFolderPath ?? false,
    );
    if (!folder.ok) return folder;
    const created = createVolume(state, {
      ssn: input.destinationSsn,
      name: attributes.name ?? `Repl of ${source.name}`,
      notes: attributes.notes,
      sizeBytes: source.sizeBytes,
      folderId: folder.value,
      active: true,
      replayDeltaBytes: source.replayDeltaBytes,
      transferSeconds: source.transferSeconds,
      identityOf: input.liveVolumeId ? source : undefined,
    });
    if (!created.ok) return created;
    destination = created.value;
  }

  const replication: ReplicationRecord = {
    id: `${input.ssn}.${state.nextIndex(input.ssn, 'replication', 1)}`,
    ssn: input.ssn,
    sourceVolumeId: source.id,
    destinationVolumeId: destination.id,
    destinationSsn: input.destinationSsn,
    type: mode.value.type,
    syncMode: mode.value.syncMode,
    replicateActiveReplay: input.replicateActiveReplay ?? false,
    qosNodeId: qos.id,
    state: 'Up',
    dedup: input.dedup ?? false,
    transferSeconds: transferSecondsOf(state, source),
    transfers: [],
    createdAt: state.now(),
    ...(input.liveVolumeId ? { liveVolumeId: input.liveVolumeId } : {}),
  };
  state.addReplication(replication);
  destination.active = true;
  mapToRemoteStorageCenter(state, destination, input.ssn);
  enqueueTransfer(
    state,
    replication,
    state.latestReplayOf(source.id)?.id,
    sharesReplay ? source.replayDeltaBytes : source.sizeBytes,
  );
  return ok(replication);
}

/** Seeded volumes carry their environment's sync time; others use the simulator default. */
function transferSecondsOf(state: DsmState, source: VolumeRecord): number {
  return source.transferSeconds ?? state.config.defaultTransferSeconds;
}

export function requireReplication(state: DsmState, replicationId: string): Outcome<ReplicationRecord> {
  const replication = state.replications.get(replicationId);
  return replication ? ok(replication) : refuse(404, `Replication ${replicationId} was not found.`);
}

/** PUT ScReplication/{id}: `{ReplicateActiveReplay}` (Cinder's retype). */
export function modifyReplication(
  state: DsmState,
  replication: ReplicationRecord,
  input: { replicateActiveReplay?: boolean; qosNodeId?: string },
): Outcome<ReplicationRecord> {
  const refused = state.requireConnected(replication.ssn);
  if (refused) return refused;
  if (replication.liveVolumeId)
    return badRequest(`Replication ${replication.id} is managed by Live Volume ${replication.liveVolumeId}.`);
  if (input.qosNodeId !== undefined) {
    const qos = state.qosNodes.get(input.qosNodeId);
    if (!qos || qos.ssn !== replication.ssn)
      return badRequest(`Replication QoS node ${input.qosNodeId} was not found on Storage Center ${replication.ssn}.`);
    replication.qosNodeId = qos.id;
  }
  if (input.replicateActiveReplay !== undefined) replication.replicateActiveReplay = input.replicateActiveReplay;
  return ok(replication);
}

export interface DeleteReplicationInput {
  deleteDestinationVolume?: boolean;
  recycleDestinationVolume?: boolean;
  deleteRestorePoint?: boolean;
}

/**
 * DELETE ScReplication/{id} with a body. The destination stops receiving (its mapping to the
 * source SC goes) and becomes an ordinary volume unless it is deleted or recycled.
 */
export function deleteReplication(
  state: DsmState,
  replication: ReplicationRecord,
  input: DeleteReplicationInput,
): Outcome<true> {
  const refused = state.requireConnected(replication.ssn);
  if (refused) return refused;
  if (replication.liveVolumeId)
    return badRequest(
      `Replication ${replication.id} is managed by Live Volume ${replication.liveVolumeId}; delete the Live Volume instead.`,
    );
  state.removeReplication(replication.id);
  const destination = state.volumes.get(replication.destinationVolumeId);
  if (destination) {
    removeRemoteStorageCenterMapping(state, destination, replication.ssn);
    const unused =
      state.hostMappingsOfVolume(destination.id).length === 0 && state.replicationsFrom(destination.id).length === 0;
    if (input.deleteDestinationVolume && unused) state.removeVolume(destination.id);
    else if (input.recycleDestinationVolume && unused) destination.inRecycleBin = true;
  }
  for (const point of [...state.restorePoints.values()]) {
    if (point.replicationId !== replication.id) continue;
    if (input.deleteRestorePoint) state.restorePoints.delete(point.id);
    else point.replicationId = undefined;
  }
  return ok(true);
}

/** POST ScReplication/{id}/Pause and /Resume (older clients; asynchronous replication only). */
export function pauseReplication(
  state: DsmState,
  replication: ReplicationRecord,
  pause: boolean,
): Outcome<ReplicationRecord> {
  const refused = state.requireConnected(replication.ssn);
  if (refused) return refused;
  if (replication.type === 'Synchronous' || replication.liveVolumeId)
    return badRequest(`Replication ${replication.id} cannot be paused.`);
  if (replication.state === 'Down') return badRequest(`Replication ${replication.id} is down.`);
  const wasPaused = replication.state === 'Paused';
  replication.state = pause ? 'Paused' : 'Up';
  if (wasPaused && !pause) replanTransfers(state, replication);
  return ok(replication);
}
