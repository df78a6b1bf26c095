import type { Replay } from '../dsm/objects.js';
import { DeviceFailure, cachedFirst, performOnce, type Core } from '../core.js';
import type { SnapshotChoice } from '../snapshot-selection.js';

/**
 * Descriptions of replays the adapter creates; DSM keeps about 30 characters of a description.
 * A test replay is recognised as this test's own through the test's view volume, whose notes
 * carry the run (see test-failover.ts): one without that view is a leftover.
 */
export const TEST_REPLAY_DESCRIPTION = 'drctl test copy';
/** Prefix of the marker a failover leaves on the replication's destination volume. */
export const FAILOVER_MARKER_PREFIX = 'drctl failover';

export function isTestReplay(r: Replay): boolean {
  return r.description === TEST_REPLAY_DESCRIPTION;
}

/** Replays that are the adapter's own bookkeeping, never a recovery point. */
export function isAdapterMarker(r: Replay): boolean {
  return isTestReplay(r) || r.description.startsWith(FAILOVER_MARKER_PREFIX);
}

function usable(r: Replay): boolean {
  return !r.active && !r.markedForExpiration;
}

/** The newest frozen snapshot on the volume that is not one of the adapter's test replays. */
export function lastFrozen(replays: Replay[]): Replay | undefined {
  return replays
    .filter((r) => usable(r) && !isAdapterMarker(r))
    .sort((a, b) => (b.freezeTime ?? 0) - (a.freezeTime ?? 0) || b.id.localeCompare(a.id, 'en', { numeric: true }))[0];
}

/** A snapshot named by a restore point: description (DSM may have truncated it), name, global index or id. */
export function namedReplay(replays: Replay[], name: string): Replay | undefined {
  const candidates = replays.filter((r) => usable(r) && !isAdapterMarker(r));
  return (
    candidates.find(
      (r) => r.description === name || r.instanceName === name || r.globalIndex === name || r.id === name,
    ) ?? candidates.find((r) => r.description.length >= 20 && name.startsWith(r.description))
  );
}

export function describeReplay(r: Replay): string {
  const when = r.freezeTime !== undefined ? ` frozen ${new Date(r.freezeTime).toISOString()}` : '';
  return `${r.description || r.instanceName || r.id} (${r.globalIndex || r.id}${when})`;
}

/**
 * The frozen replay a choice points at on the destination volume: the active snapshot is frozen
 * now (one replay, reused if a crashed attempt already made it); the others are looked up.
 */
export async function replayForChoice(
  core: Core,
  volumeId: string,
  choice: SnapshotChoice,
  signal: AbortSignal,
  /** Test replays on the volume that are not this test's (leftovers): never taken for its own. */
  leftovers: ReadonlySet<string> = new Set(),
): Promise<Replay> {
  if (choice.source === 'active') {
    const own = (replays: Replay[]) => replays.find((r) => usable(r) && isTestReplay(r) && !leftovers.has(r.id));
    const { value } = await performOnce(
      cachedFirst(
        async () => own(await core.reads.replays(volumeId)),
        async () => own(await core.api.replays(volumeId, signal)),
      ),
      () => core.api.createReplay(volumeId, TEST_REPLAY_DESCRIPTION, 0, signal),
      core.logger,
      `freeze active snapshot of ${volumeId}`,
    );
    return value;
  }
  const replays = await core.reads.replays(volumeId);
  if (choice.source === 'last-frozen') {
    const replay = lastFrozen(replays);
    if (!replay) {
      throw new DeviceFailure(
        'SC_NO_FROZEN_SNAPSHOT',
        'No frozen snapshot has finished replicating to the recovery site for this device.',
        'Wait for a scheduled snapshot to replicate, or choose the active snapshot (SRM selectable snapshot).',
      );
    }
    return replay;
  }
  const replay = namedReplay(replays, choice.snapshot ?? '');
  if (!replay) {
    throw new DeviceFailure(
      'SC_SNAPSHOT_NOT_FOUND',
      `The snapshot "${choice.snapshot ?? ''}" chosen for this restore point is not on the recovery-site volume.`,
      'Name a snapshot that has replicated (its description, name or global index), or "active" / "last-frozen".',
    );
  }
  return replay;
}
