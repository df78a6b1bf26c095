import {
  DEFAULT_SNAPSHOT_MODE,
  selectableSnapshotHonoured,
  type CommandContext,
  type DeviceError,
  type Volume,
} from '@drctl/domain';
import type { DeviceState, Replay } from './state.js';

/**
 * Which point in time a test copy or a recovery presents, as SC Series does it: SRM selectable
 * snapshot where Table 1 honours it (§5.8), and for a device of a consistency group the newest
 * snapshot the whole group took together and that reached the target (§5.7), or an error for the
 * group when there is none. `undefined` leaves the simulator's default: the replica as it is.
 */
export type PointInTime =
  { kind: 'last-frozen'; replay: Replay; reason: string } | { kind: 'error'; error: DeviceError };

export const NO_COMMON_POINT = 'SIM_NO_COMMON_POINT';

function wantsLastFrozen(context: CommandContext, volume: Volume, device: string): boolean {
  const mode = context.snapshotMode ?? DEFAULT_SNAPSHOT_MODE;
  if (mode === 'always-last-frozen') return true;
  if (mode === 'active-if-replicating-active') return !volume.replicateActiveSnapshot;
  if (mode === 'per-restore-point') {
    // A named snapshot is the test's own rule (chooseTestReplay); no entry is DSM's default: last frozen.
    const entry = context.restorePoints?.[device]?.trim().toLowerCase();
    return entry === undefined || entry === '' || entry === 'last-frozen' || entry === 'frozen';
  }
  return false;
}

/** Freeze times of a device's replays that reached its target by `now`. */
function replicatedTimes(device: DeviceState, now: number): Map<number, Replay> {
  const times = new Map<number, Replay>();
  for (const r of device.replays)
    if (r.replicatedAt !== undefined && r.replicatedAt <= now && r.array === device.source) times.set(r.takenAt, r);
  return times;
}

export function pointInTime(
  device: DeviceState,
  volume: Volume,
  context: CommandContext,
  now: number,
  deviceOf: (id: string) => DeviceState | undefined,
): PointInTime | undefined {
  // A Live Volume's recovery swaps roles on live data: no frozen point applies (as on SC Series).
  if (volume.liveVolume) return undefined;
  const verdict = selectableSnapshotHonoured(context);
  if (!verdict.honoured || !wantsLastFrozen(context, volume, device.id)) return undefined;
  const group = context.consistencyGroups?.[device.id];
  const own = replicatedTimes(device, now);
  if (group === undefined) {
    const newest = [...own.keys()].sort((a, b) => b - a)[0];
    return newest === undefined
      ? undefined
      : { kind: 'last-frozen', replay: own.get(newest)!, reason: `last frozen snapshot, ${verdict.reason}` };
  }
  const members = Object.entries(context.consistencyGroups ?? {})
    .filter(([, g]) => g === group)
    .map(([id]) => id)
    .sort();
  let common = new Set(own.keys());
  for (const id of members) {
    const member = deviceOf(id);
    const times = member ? replicatedTimes(member, now) : new Map<number, Replay>();
    common = new Set([...common].filter((t) => times.has(t)));
  }
  const newest = [...common].sort((a, b) => b - a)[0];
  if (newest === undefined)
    return {
      kind: 'error',
      error: {
        code: NO_COMMON_POINT,
        description: `Consistency group ${group} (${members.join(', ')}) has no snapshot taken together that reached its target for all its devices: recovering them from different points in time would break the application that spans them (§5.7).`,
        fixHint:
          'Synchronize the group (one consistent snapshot of all its volumes) and run again, or choose the active snapshot.',
      },
    };
  return {
    kind: 'last-frozen',
    replay: own.get(newest)!,
    reason: `last frozen snapshot common to consistency group ${group}, ${verdict.reason}`,
  };
}
