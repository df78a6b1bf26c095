import type { ReplicationType } from '@drctl/domain';
import type { Core } from '../core.js';
import type { Replay } from '../dsm/objects.js';
import { FAILOVER_MARKER_PREFIX } from './replays.js';

/**
 * The failover marker: a replay on the replication's destination volume whose description says
 * that the adapter failed the device over, with the replication's type and active-snapshot
 * setting ("drctl failover h1"). With the broken (Down) replication object that Cinder's
 * failover also leaves in place, it tells later calls the device is failed over, and it still
 * holds the settings should a reverse be interrupted after the old replication was removed.
 * DSM keeps about 30 characters of a description: the marker fits.
 */
export interface MarkerSettings {
  replicationType: ReplicationType;
  activeReplay: boolean;
}

const TYPE_CODES: Record<ReplicationType, string> = {
  async: 'a',
  'sync-high-availability': 'h',
  'sync-high-consistency': 'c',
};

export function markerDescription(settings: MarkerSettings): string {
  return `${FAILOVER_MARKER_PREFIX} ${TYPE_CODES[settings.replicationType]}${settings.activeReplay ? '1' : '0'}`;
}

export function readMarker(description: string): MarkerSettings | undefined {
  const match = /^drctl failover ([ahc])([01])$/.exec(description);
  if (!match) return undefined;
  const type = (Object.entries(TYPE_CODES).find(([, code]) => code === match[1])?.[0] ?? 'async') as ReplicationType;
  return { replicationType: type, activeReplay: match[2] === '1' };
}

/** `fresh`: read the array now rather than take what the command already read. */
export async function findMarker(
  core: Core,
  volumeId: string,
  signal: AbortSignal,
  fresh = false,
): Promise<Replay | undefined> {
  const replays = fresh ? await core.api.replays(volumeId, signal) : await core.reads.replays(volumeId);
  return replays.find((r) => !r.markedForExpiration && readMarker(r.description) !== undefined);
}

/** `POST ScReplication` body fields for a replication type. */
export function replicationTypeBody(type: ReplicationType, activeReplay: boolean): Record<string, unknown> {
  if (type === 'async') return { Type: 'Asynchronous', ReplicateActiveReplay: activeReplay };
  return {
    Type: 'Synchronous',
    SyncMode: type === 'sync-high-availability' ? 'HighAvailability' : 'HighConsistency',
    ReplicateActiveReplay: true,
  };
}
