import { badRequest, ok, refuse, type Outcome } from '../protocol/outcome.js';
import type { ReplayRecord, VolumeRecord } from './records.js';
import type { DsmState } from './state.js';
import { createVolume } from './volume-operations.js';

/** How long an expired replay stays listed with `markedForExpiration: true` before it is gone. */
export const EXPIRED_REPLAY_LINGER_MS = 1000;

export type ReplayLookup = { kind: 'frozen'; replay: ReplayRecord } | { kind: 'active'; volume: VolumeRecord };

/** A replay id names a frozen replay or a volume's active replay (`<ssn>.<volumeIndex>.<next>`). */
export function findReplay(state: DsmState, replayId: string): Outcome<ReplayLookup> {
  const replay = state.replays.get(replayId);
  if (replay) return ok({ kind: 'frozen', replay });
  const [ssn, volumeIndex, index] = replayId.split('.');
  const volume = state.volumes.get(`${ssn}.${volumeIndex}`);
  if (volume && String(volume.nextReplayIndex) === index) return ok({ kind: 'active', volume });
  return refuse(404, `Replay ${replayId} was not found.`);
}

export function requireFrozenReplay(state: DsmState, replayId: string, action: string): Outcome<ReplayRecord> {
  const found = findReplay(state, replayId);
  if (!found.ok) return found;
  if (found.value.kind === 'active')
    return badRequest(`${action} is not possible on the active replay; create a replay first.`);
  return ok(found.value.replay);
}

/**
 * POST ScReplay/{id}/Expire. A replay with view volumes cannot expire; an expired one lingers
 * as `markedForExpiration` (which clients treat as gone) and is then purged.
 */
export function expireReplay(state: DsmState, replay: ReplayRecord): Outcome<ReplayRecord> {
  const refused = state.requireConnected(replay.ssn);
  if (refused) return refused;
  if (state.viewVolumesOf(replay.id).length > 0)
    return badRequest(`Replay ${replay.id} has view volumes; delete them before expiring it.`);
  if (!replay.markedForExpiration) {
    replay.markedForExpiration = true;
    state.expiryMarkedAt.set(replay.id, state.now());
    state.noteExpiry(replay);
    for (const replication of state.replicationsFrom(replay.volumeId)) {
      replication.transfers = replication.transfers.filter((t) => t.sourceReplayId !== replay.id);
    }
  }
  return ok(replay);
}

export interface ModifyReplayInput {
  description?: string;
  /** Minutes from now; 0 = never. */
  expireMinutes?: number;
}

/** PUT ScReplay/{id}: `{description, expireTime: 0}` (manage) or `{expireTime: 1440}` (unmanage). */
export function modifyReplay(state: DsmState, replay: ReplayRecord, input: ModifyReplayInput): Outcome<ReplayRecord> {
  const refused = state.requireConnected(replay.ssn);
  if (refused) return refused;
  if (replay.markedForExpiration) return badRequest(`Replay ${replay.id} is marked for expiration.`);
  if (input.description !== undefined) replay.description = input.description;
  if (input.expireMinutes !== undefined)
    replay.expireAt = input.expireMinutes > 0 ? state.now() + input.expireMinutes * 60_000 : undefined;
  state.noteExpiry(replay);
  return ok(replay);
}

export interface CreateViewInput {
  name: string;
  notes?: string;
  folderId?: string;
  replayProfileIds?: string[];
}

/** POST ScReplay/{id}/CreateView: a new volume from a frozen replay (a test failover's copy). */
export function createViewVolume(state: DsmState, replay: ReplayRecord, input: CreateViewInput): Outcome<VolumeRecord> {
  if (replay.markedForExpiration) return badRequest(`Replay ${replay.id} is marked for expiration.`);
  const source = state.volumes.get(replay.volumeId);
  if (!source) return refuse(404, `Volume ${replay.volumeId} was not found.`);
  return createVolume(state, {
    ssn: replay.ssn,
    name: input.name,
    notes: input.notes,
    sizeBytes: source.sizeBytes,
    folderId: input.folderId,
    replayProfileIds: input.replayProfileIds,
    viewOfReplayId: replay.id,
    replayDeltaBytes: source.replayDeltaBytes,
  });
}

/** Drops replays whose expire time passed (unless views hold them) and expired ones past their linger. */
export function purgeExpiredReplays(state: DsmState): void {
  if (state.expiringReplayIds.size === 0) return;
  const now = state.now();
  for (const id of [...state.expiringReplayIds]) {
    const replay = state.replays.get(id);
    if (!replay) {
      state.expiringReplayIds.delete(id);
      continue;
    }
    const markedAt = state.expiryMarkedAt.get(id);
    if (markedAt !== undefined && now - markedAt >= EXPIRED_REPLAY_LINGER_MS) {
      state.removeReplay(id);
    } else if (!replay.markedForExpiration && replay.expireAt === undefined) {
      state.expiringReplayIds.delete(id);
    } else if (
      replay.expireAt !== undefined &&
      replay.expireAt <= now &&
      !replay.markedForExpiration &&
      state.viewVolumesOf(id).length === 0
    ) {
      replay.markedForExpiration = true;
      state.expiryMarkedAt.set(id, now);
    }
  }
}
