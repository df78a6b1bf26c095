import type { Core } from '../core.js';
import type { DevicePair } from '../topology.js';

export interface SyncProgress {
  complete: boolean;
  percent: number;
  amountRemaining?: number;
  /** DSM reports the replication Down: nothing moves until it is up again. */
  down?: boolean;
}

function replicationIdOf(pair: DevicePair): string | undefined {
  return pair.replication?.id ?? pair.managedReplication?.id;
}

/**
 * One reading of a device's replication progress, as a percentage of what was left when the sync
 * began, taken after `after` (a stamp of the command's reads: see `CommandReads.progress`).
 */
export async function readProgress(core: Core, pair: DevicePair, after = 0): Promise<SyncProgress & { stamp: number }> {
  const id = replicationIdOf(pair);
  // A Live Volume without a visible managed replication: DSM reports no progress to wait on.
  if (!id) return { complete: true, percent: 100, stamp: after };
  const { stamp, progress } = await core.reads.progress(id, after);
  const down = progress.state?.toLowerCase() === 'down';
  if (progress.synced)
    return {
      stamp,
      complete: true,
      percent: 100,
      ...(progress.amountRemaining !== undefined ? { amountRemaining: progress.amountRemaining } : {}),
    };
  let percent: number;
  if (progress.percentComplete !== undefined) percent = progress.percentComplete;
  else {
    const remaining = progress.amountRemaining ?? 0;
    const baseline = Math.max(core.syncBaselines.get(id) ?? remaining, remaining);
    percent = baseline > 0 ? (100 * (baseline - remaining)) / baseline : 0;
  }
  percent = Math.max(0, Math.min(99, Math.floor(percent)));
  return {
    stamp,
    complete: false,
    percent,
    ...(progress.amountRemaining !== undefined ? { amountRemaining: progress.amountRemaining } : {}),
    ...(down ? { down } : {}),
  };
}
