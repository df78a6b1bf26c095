import { badRequest, ok, refuse, type Outcome } from '../protocol/outcome.js';
import { mapToRemoteStorageCenter, removeRemoteStorageCenterMapping } from './mapping-operations.js';
import type { LiveVolumeRecord, ReplicationRecord } from './records.js';
import { checkReplicationEnds, createReplication, resolveReplicationMode } from './replication-operations.js';
import type { DsmState } from './state.js';

export interface CreateLiveVolumeInput {
  ssn: number;
  primaryVolumeId: string;
  secondarySsn: number;
  primaryQosNodeId: string;
  secondaryQosNodeId: string;
  type?: string;
  syncMode?: string;
  replicateActiveReplay?: boolean;
  failoverAutomaticallyEnabled?: boolean;
  restoreAutomaticallyEnabled?: boolean;
  swapRolesAutomaticallyEnabled?: boolean;
  managingReplications?: boolean;
  secondaryName?: string;
  secondaryNotes?: string;
  createSourceVolumeFolderPath?: boolean;
}

/**
 * POST ScLiveVolume (201): a secondary volume on the other SC with the primary's identity, kept
 * in step by a replication the Live Volume manages (`managedByLiveVolume: true`).
 */
export function createLiveVolume(state: DsmState, input: CreateLiveVolumeInput): Outcome<LiveVolumeRecord> {
  const ends = checkReplicationEnds(state, input.ssn, state.volumes.get(input.primaryVolumeId), input.secondarySsn);
  if (!ends.ok) return ends;
  const primary = ends.value;
  if (state.liveVolumeOf(primary.id)) return badRequest(`Volume ${primary.name} is already part of a Live Volume.`);
  if (state.replicationsFrom(primary.id).some((r) => r.destinationSsn === input.secondarySsn)) {
    return badRequest(`Volume ${primary.name} already replicates to Storage Center ${input.secondarySsn}.`);
  }
  const secondaryQos = state.qosNodes.get(input.secondaryQosNodeId);
  if (!secondaryQos || secondaryQos.ssn !== input.secondarySsn) {
    return badRequest(
      `Replication QoS node ${input.secondaryQosNodeId} was not found on Storage Center ${input.secondarySsn}.`,
    );
  }
  const mode = resolveReplicationMode(input);
  if (!mode.ok) return mode;

  const id = `${input.ssn}.${state.nextIndex(input.ssn, 'liveVolume', 10001)}`;
  const replication = createReplication(state, {
    ssn: input.ssn,
    sourceVolumeId: primary.id,
    destinationSsn: input.secondarySsn,
    qosNodeId: input.primaryQosNodeId,
    type: mode.value.type,
    syncMode: mode.value.syncMode,
    replicateActiveReplay: input.replicateActiveReplay,
    destinationAttributes: {
      name: input.secondaryName ?? primary.name,
      notes: input.secondaryNotes,
      createSourceVolumeFolderPath: input.createSourceVolumeFolderPath,
    },
    liveVolumeId: id,
  });
  if (!replication.ok) return replication;
  const liveVolume: LiveVolumeRecord = {
    id,
    primaryVolumeId: primary.id,
    secondaryVolumeId: replication.value.destinationVolumeId,
    type: mode.value.type,
    syncMode: mode.value.syncMode,
    replicateActiveReplay: input.replicateActiveReplay ?? false,
    failoverAutomaticallyEnabled: input.failoverAutomaticallyEnabled ?? false,
    restoreAutomaticallyEnabled: input.restoreAutomaticallyEnabled ?? false,
    swapRolesAutomaticallyEnabled: input.swapRolesAutomaticallyEnabled ?? false,
    ...(input.managingReplications ? { managingReplications: true } : {}),
    primaryQosNodeId: input.primaryQosNodeId,
    secondaryQosNodeId: secondaryQos.id,
    replicationId: replication.value.id,
    secondaryRole: 'Secondary',
  };
  state.addLiveVolume(liveVolume);
  return ok(liveVolume);
}

export function requireLiveVolume(state: DsmState, liveVolumeId: string): Outcome<LiveVolumeRecord> {
  const liveVolume = state.liveVolumes.get(liveVolumeId);
  return liveVolume ? ok(liveVolume) : refuse(404, `Live Volume ${liveVolumeId} was not found.`);
}

function ssnOf(volumeId: string, state: DsmState): number {
  return state.volumes.get(volumeId)?.ssn ?? Number(volumeId.split('.')[0]);
}

/**
 * POST ScLiveVolume/{id}/SwapRoles. With both arrays up the roles swap: the secondary becomes
 * primary and the managed replication runs the other way (a new ScReplication on the new
 * primary). With the primary array down the secondary is activated in place
 * (`secondaryRole: "Activated"`, as in Cinder's failed-over fixture) and swaps properly once the
 * old primary is back.
 */
export function swapLiveVolumeRoles(state: DsmState, liveVolume: LiveVolumeRecord): Outcome<LiveVolumeRecord> {
  const primarySsn = ssnOf(liveVolume.primaryVolumeId, state);
  const secondarySsn = ssnOf(liveVolume.secondaryVolumeId, state);
  const secondaryDown = state.requireConnected(secondarySsn);
  if (secondaryDown) return secondaryDown;
  if (!state.storageCenters.get(primarySsn)?.connected) {
    liveVolume.secondaryRole = 'Activated';
    const replication = state.replications.get(liveVolume.replicationId);
    if (replication) replication.state = 'Down';
    return ok(liveVolume);
  }
  const old = state.replications.get(liveVolume.replicationId);
  const newPrimary = state.volumes.get(liveVolume.secondaryVolumeId);
  const newSecondary = state.volumes.get(liveVolume.primaryVolumeId);
  if (!old || !newPrimary || !newSecondary)
    return badRequest(`Live Volume ${liveVolume.id} is missing its replication or a volume.`);

  state.removeReplication(old.id);
  removeRemoteStorageCenterMapping(state, newPrimary, primarySsn);
  const reversed: ReplicationRecord = {
    ...old,
    id: `${secondarySsn}.${state.nextIndex(secondarySsn, 'replication', 1)}`,
    ssn: secondarySsn,
    sourceVolumeId: newPrimary.id,
    destinationVolumeId: newSecondary.id,
    destinationSsn: primarySsn,
    qosNodeId: liveVolume.secondaryQosNodeId,
    state: 'Up',
    transfers: [],
    createdAt: state.now(),
  };
  state.addReplication(reversed);
  mapToRemoteStorageCenter(state, newSecondary, secondarySsn);
  Object.assign(liveVolume, {
    primaryVolumeId: newPrimary.id,
    secondaryVolumeId: newSecondary.id,
    primaryQosNodeId: liveVolume.secondaryQosNodeId,
    secondaryQosNodeId: liveVolume.primaryQosNodeId,
    replicationId: reversed.id,
    secondaryRole: 'Secondary',
  });
  return ok(liveVolume);
}

export interface ModifyLiveVolumeInput {
  swapRolesAutomaticallyEnabled?: boolean;
  failoverAutomaticallyEnabled?: boolean;
  restoreAutomaticallyEnabled?: boolean;
  replicateActiveReplay?: boolean;
}

/** PUT ScLiveVolume/{id}: the automatic behaviour flags. */
export function modifyLiveVolume(
  state: DsmState,
  liveVolume: LiveVolumeRecord,
  input: ModifyLiveVolumeInput,
): Outcome<LiveVolumeRecord> {
  const refused = state.requireConnected(ssnOf(liveVolume.primaryVolumeId, state));
  if (refused) return refused;
  if (
    input.failoverAutomaticallyEnabled &&
    !(liveVolume.type === 'Synchronous' && liveVolume.syncMode === 'HighAvailability')
  ) {
    return badRequest('Automatic failover needs a synchronous High Availability Live Volume.');
  }
  for (const key of [
    'swapRolesAutomaticallyEnabled',
    'failoverAutomaticallyEnabled',
    'restoreAutomaticallyEnabled',
    'replicateActiveReplay',
  ] as const) {
    if (input[key] !== undefined) liveVolume[key] = input[key];
  }
  const replication = state.replications.get(liveVolume.replicationId);
  if (replication && input.replicateActiveReplay !== undefined)
    replication.replicateActiveReplay = input.replicateActiveReplay;
  return ok(liveVolume);
}

export interface DeleteLiveVolumeInput {
  convertToReplication?: boolean;
  deleteSecondaryVolume?: boolean;
  recycleSecondaryVolume?: boolean;
  deleteRestorePoint?: boolean;
}

/** DELETE ScLiveVolume/{id} with a body; `ConvertToReplication` keeps an ordinary replication. */
export function deleteLiveVolume(
  state: DsmState,
  liveVolume: LiveVolumeRecord,
  input: DeleteLiveVolumeInput,
): Outcome<true> {
  const refused = state.requireConnected(ssnOf(liveVolume.primaryVolumeId, state));
  if (refused) return refused;
  state.removeLiveVolume(liveVolume.id);
  const replication = state.replications.get(liveVolume.replicationId);
  const secondary = state.volumes.get(liveVolume.secondaryVolumeId);
  if (input.convertToReplication && replication) {
    delete replication.liveVolumeId;
  } else {
    if (replication) state.removeReplication(replication.id);
    if (secondary) {
      removeRemoteStorageCenterMapping(state, secondary, ssnOf(liveVolume.primaryVolumeId, state));
      const unused = state.hostMappingsOfVolume(secondary.id).length === 0;
      if (input.deleteSecondaryVolume && unused) state.removeVolume(secondary.id);
      else if (input.recycleSecondaryVolume && unused) secondary.inRecycleBin = true;
    }
  }
  for (const point of [...state.restorePoints.values()]) {
    if (point.liveVolumeId !== liveVolume.id) continue;
    if (input.deleteRestorePoint) state.restorePoints.delete(point.id);
    else point.liveVolumeId = undefined;
  }
  return ok(true);
}
