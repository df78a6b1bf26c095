import { badRequest, ok, refuse, type Outcome } from '../protocol/outcome.js';
import { ensureRootFolders } from './folder-operations.js';
import type { ReplayRecord, VolumeRecord } from './records.js';
import type { DsmState } from './state.js';
import { enqueueTransfer } from './transfers.js';

export interface CreateVolumeInput {
  ssn: number;
  name: string;
  sizeBytes: number;
  folderId?: string;
  notes?: string;
  replayProfileIds?: string[];
  /** Seeded volumes in use by hosts are active; a new volume is not until first mapped. */
  active?: boolean;
  replayDeltaBytes?: number;
  transferSeconds?: number;
  /** Reuse another volume's identity: a Live Volume secondary presents the primary's device id. */
  identityOf?: VolumeRecord;
  viewOfReplayId?: string;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Device id and serial number derived like the fixture's (`6000d31000` + SC serial + VPD id). */
function volumeIdentity(ssn: number, vpdId: number): { deviceId: string; serialNumber: string } {
  return {
    deviceId: `6000d31000${hex(ssn, 4)}${hex(vpdId, 18)}`,
    serialNumber: `${hex(ssn, 8)}-${hex(vpdId, 8)}`,
  };
}

export function createVolume(state: DsmState, input: CreateVolumeInput): Outcome<VolumeRecord> {
  const refused = state.requireConnected(input.ssn);
  if (refused) return refused;
  if (!input.name.trim()) return badRequest('Invalid attribute value format: Name is required.');
  if (!(input.sizeBytes > 0))
    return badRequest('Invalid attribute value format: Size must be a positive size such as "10 GB".');
  ensureRootFolders(state, input.ssn);
  const folderId = input.folderId ?? state.rootVolumeFolderId(input.ssn);
  const folder = state.volumeFolders.get(folderId);
  if (!folder || folder.ssn !== input.ssn)
    return badRequest(`Volume folder ${folderId} was not found on Storage Center ${input.ssn}.`);
  for (const profileId of input.replayProfileIds ?? []) {
    const profile = state.replayProfiles.get(profileId);
    if (!profile || profile.ssn !== input.ssn)
      return badRequest(`Replay profile ${profileId} was not found on Storage Center ${input.ssn}.`);
  }
  const index = state.nextIndex(input.ssn, 'volume', 101);
  const vpdId = index + 2;
  const identity = input.identityOf
    ? { deviceId: input.identityOf.deviceId, serialNumber: input.identityOf.serialNumber }
    : volumeIdentity(input.ssn, vpdId);
  const volume: VolumeRecord = {
    id: `${input.ssn}.${index}`,
    ssn: input.ssn,
    index,
    name: input.name,
    notes: input.notes ?? '',
    sizeBytes: input.sizeBytes,
    folderId,
    active: input.active ?? false,
    inRecycleBin: false,
    vpdId,
    ...identity,
    nextReplayIndex: 1,
    createdAt: state.now(),
    replayProfileIds: input.replayProfileIds ?? [],
    replayDeltaBytes: input.replayDeltaBytes ?? state.config.defaultReplayDeltaBytes,
    ...(input.transferSeconds !== undefined ? { transferSeconds: input.transferSeconds } : {}),
    ...(input.viewOfReplayId ? { viewOfReplayId: input.viewOfReplayId } : {}),
  };
  state.addVolume(volume);
  return ok(volume);
}

export function requireVolume(state: DsmState, volumeId: string): Outcome<VolumeRecord> {
  const volume = state.volumes.get(volumeId);
  return volume ? ok(volume) : refuse(404, `Volume ${volumeId} was not found.`);
}

export interface ModifyVolumeInput {
  name?: string;
  folderId?: string;
}

/** PUT ScVolume/{id}: rename and/or move (Cinder's rename, manage and unmanage). */
export function modifyVolume(state: DsmState, volume: VolumeRecord, input: ModifyVolumeInput): Outcome<VolumeRecord> {
  const refused = state.requireConnected(volume.ssn);
  if (refused) return refused;
  if (input.name !== undefined) {
    if (!input.name.trim()) return badRequest('Invalid attribute value format: Name cannot be empty.');
    volume.name = input.name;
  }
  if (input.folderId !== undefined) {
    const folder = state.volumeFolders.get(input.folderId);
    if (!folder || folder.ssn !== volume.ssn)
      return badRequest(`Volume folder ${input.folderId} was not found on Storage Center ${volume.ssn}.`);
    volume.folderId = folder.id;
  }
  return ok(volume);
}

/** Why a volume cannot go away, or undefined. */
function busyReason(state: DsmState, volume: VolumeRecord): string | undefined {
  if (state.mappingsOfVolume(volume.id).length > 0) return `Volume ${volume.name} is mapped.`;
  if (state.replicationsFrom(volume.id).length > 0 || state.replicationsTo(volume.id).length > 0)
    return `Volume ${volume.name} is part of a replication.`;
  if (state.liveVolumeOf(volume.id)) return `Volume ${volume.name} is part of a Live Volume.`;
  for (const replay of state.replaysOf(volume.id)) {
    if (state.viewVolumesOf(replay.id).length > 0) return `Volume ${volume.name} has view volumes.`;
  }
  return undefined;
}

/**
 * DELETE ScVolume/{id}: the body is `true` when deleted and `false` when the volume is busy
 * (Cinder: "json return should be true or false"; false becomes VolumeIsBusy).
 */
export function deleteVolume(state: DsmState, volume: VolumeRecord): Outcome<boolean> {
  const refused = state.requireConnected(volume.ssn);
  if (refused) return refused;
  if (busyReason(state, volume)) return ok(false);
  state.removeVolume(volume.id);
  return ok(true);
}

/** POST ScVolume/{id}/Recycle: to the recycle bin (204). */
export function recycleVolume(state: DsmState, volume: VolumeRecord): Outcome<VolumeRecord> {
  const refused = state.requireConnected(volume.ssn);
  if (refused) return refused;
  const busy = busyReason(state, volume);
  if (busy) return badRequest(busy);
  volume.inRecycleBin = true;
  return ok(volume);
}

export function expandVolume(state: DsmState, volume: VolumeRecord, newSizeBytes: number): Outcome<VolumeRecord> {
  const refused = state.requireConnected(volume.ssn);
  if (refused) return refused;
  if (!(newSizeBytes > 0))
    return badRequest('Invalid attribute value format: the new size must be a size such as "20 GB".');
  if (newSizeBytes < volume.sizeBytes) return badRequest(`Volume ${volume.name} cannot shrink.`);
  volume.sizeBytes = newSizeBytes;
  return ok(volume);
}

export interface CreateReplayInput {
  description: string;
  /** Minutes; 0 or absent = never expires. */
  expireMinutes?: number;
  consistencyGroupId?: string;
}

/**
 * POST ScVolume/{id}/CreateReplay: freezes the active replay. A replay of a replication source
 * starts travelling to each destination. A never-mapped (inactive) volume cannot take a replay
 * (Cinder maps and unmaps such a volume first).
 */
export function createReplay(state: DsmState, volume: VolumeRecord, input: CreateReplayInput): Outcome<ReplayRecord> {
  const refused = state.requireConnected(volume.ssn);
  if (refused) return refused;
  if (volume.inRecycleBin) return badRequest(`Volume ${volume.name} is in the recycle bin.`);
  if (!volume.active)
    return badRequest(
      `Unable to create a replay of volume ${volume.name}: the volume is not active (it has never been mapped).`,
    );
  const now = state.now();
  const index = volume.nextReplayIndex++;
  const parent = state.latestReplayOf(volume.id);
  const replay: ReplayRecord = {
    id: `${volume.ssn}.${volume.index}.${index}`,
    ssn: volume.ssn,
    volumeId: volume.id,
    index,
    globalIndex: `${volume.ssn}-${volume.index}-${index}`,
    description: input.description,
    freezeTime: now,
    expireAt: input.expireMinutes ? now + input.expireMinutes * 60_000 : undefined,
    markedForExpiration: false,
    source: 'Manual',
    parentId: parent?.id,
    sizeBytes: volume.replayDeltaBytes,
    writesHeldDuration: 7900,
    ...(input.consistencyGroupId ? { consistencyGroupId: input.consistencyGroupId } : {}),
  };
  state.addReplay(replay);
  for (const replication of state.replicationsFrom(volume.id)) {
    if (replication.state !== 'Down') enqueueTransfer(state, replication, replay.id, volume.replayDeltaBytes);
  }
  return ok(replay);
}
