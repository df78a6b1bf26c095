import { badRequest, ok, refuse, type Outcome } from '../protocol/outcome.js';
import type { RestorePointRecord } from './records.js';
import type { DsmState } from './state.js';

/**
 * DSM "Save Restore Points" / "Validate Restore Points" (source §4.4–4.6). No public client
 * shows the REST calls, so the endpoints are the simulator's assumption (see the README); the
 * behaviour follows the source: saving records every replication and Live Volume, validating
 * drops restore points whose replication is gone.
 */
export function saveRestorePoints(state: DsmState, onlySsn?: number): Outcome<RestorePointRecord[]> {
  if (onlySsn !== undefined && !state.storageCenters.has(onlySsn))
    return badRequest(`Storage Center ${onlySsn} is not managed by this Data Collector.`);
  const saved: RestorePointRecord[] = [];
  for (const replication of state.replications.values()) {
    if (onlySsn !== undefined && replication.ssn !== onlySsn && replication.destinationSsn !== onlySsn) continue;
    const liveVolumeId = replication.liveVolumeId;
    const existing = [...state.restorePoints.values()].find((p) =>
      liveVolumeId ? p.liveVolumeId === liveVolumeId : p.replicationId === replication.id,
    );
    const point: RestorePointRecord = existing ?? {
      id: `${replication.ssn}.${state.nextIndex(replication.ssn, 'restorePoint', 1)}`,
      ssn: replication.ssn,
      sourceVolumeId: replication.sourceVolumeId,
      destinationVolumeId: replication.destinationVolumeId,
      savedAt: state.now(),
      useActiveReplay: false,
    };
    point.replicationId = replication.id;
    point.liveVolumeId = liveVolumeId;
    point.sourceVolumeId = replication.sourceVolumeId;
    point.destinationVolumeId = replication.destinationVolumeId;
    point.savedAt = state.now();
    state.restorePoints.set(point.id, point);
    saved.push(point);
  }
  return ok(saved);
}

export function validateRestorePoints(state: DsmState): RestorePointRecord[] {
  for (const point of [...state.restorePoints.values()]) {
    const alive = point.liveVolumeId
      ? state.liveVolumes.has(point.liveVolumeId)
      : point.replicationId !== undefined && state.replications.has(point.replicationId);
    if (!alive) state.restorePoints.delete(point.id);
  }
  return [...state.restorePoints.values()];
}

export function requireRestorePoint(state: DsmState, id: string): Outcome<RestorePointRecord> {
  const point = state.restorePoints.get(id);
  return point ? ok(point) : refuse(404, `Restore point ${id} was not found.`);
}

/** The per-restore-point "Use Active Snapshot" checkbox that SRM's "Use Restore Point Settings" reads. */
export function setRestorePointUseActiveReplay(
  point: RestorePointRecord,
  useActiveReplay: boolean,
): RestorePointRecord {
  point.useActiveReplay = useActiveReplay;
  return point;
}
