import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, cachedFirst, performOnce, shortTag, type Core, type DeviceOutcome } from '../core.js';
import type { Replay } from '../dsm/objects.js';
import type { DevicePair, Topology } from '../topology.js';
import { groupOf, groupSnapshotReplay } from './consistency.js';
import { assertProtectable, notFound } from './locate.js';
import { describeReplay } from './replays.js';
import { readProgress, type SyncProgress } from './sync.js';

/**
 * SRA's split of a sync: `syncOnce` starts it and returns, `querySyncStatus` reads its progress
 * (the engine polls, each poll under the command timeout, and judges whether it still moves).
 * The whole transfer never has to fit in one command's timeout.
 */

function pairOn(topology: Topology, device: string, serial: number): DevicePair {
  const pair = topology.findOn(device, serial);
  if (!pair) throw notFound(device, serial);
  return pair;
}

function replicationIdOf(pair: DevicePair): string | undefined {
  return pair.replication?.id ?? pair.managedReplication?.id;
}

export function replicationDownFailure(device: string): DeviceFailure {
  return new DeviceFailure(
    'SC_REPLICATION_DOWN',
    `Replication of ${device} is down (failed over, or its peer array or link is down): nothing can be synchronized.`,
    'Reprotect a failed-over device; otherwise restore the link or the peer array in Dell Storage Manager and synchronize again.',
  );
}

/** What a device's first round of syncOnce leaves for its second: its replication and replay. */
export interface SyncReplayTaken {
  pair: DevicePair;
  replay: Replay;
  already: boolean;
}

/**
 * syncOnce, first round: takes a replay on the source (tagged with the command's idempotency
 * key, so a repeat after a crash finds it instead of taking another), which DSM then
 * replicates. A broken or down replication fails at once.
 */
export async function takeSyncReplay(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<SyncReplayTaken> {
  const { signal } = request;
  const pair = pairOn(topology, device, serial);
  await assertProtectable(core, pair, request.signal);
  if (!pair.sourceVolume) throw new DeviceFailure('SC_DSM_INCOMPLETE', `DSM reports no source volume for ${device}.`);
  if (pair.broken) throw replicationDownFailure(device);
  const sourceId = pair.sourceVolume.id;
  const description = `drctl sync ${shortTag(request.idempotencyKey)}`;
  const isSyncReplay = (r: { description: string; markedForExpiration: boolean }) =>
    r.description === description && !r.markedForExpiration;
  const group = groupOf(request, device);
  const taken = group ? (await core.reads.replays(sourceId)).find(isSyncReplay) : undefined;
  const { value: replay, already } = group
    ? // A consistency group is snapshotted together: one consistent snapshot of all its volumes (§5.7).
      {
        value:
          taken ?? (await groupSnapshotReplay(core, topology, request, serial, group, device, description, 24 * 60)),
        already: taken !== undefined,
      }
    : await performOnce(
        cachedFirst(
          async () => (await core.reads.replays(sourceId)).find(isSyncReplay),
          async () => (await core.api.replays(sourceId, signal)).find(isSyncReplay),
        ),
        () => core.api.createReplay(sourceId, description, 24 * 60, signal),
        core.logger,
        `sync replay of ${device}`,
      );
  return { pair, replay, already };
}

/**
 * syncOnce, second round (after every device's replay): returns with the first progress
 * reading, taken after the replays, so one list of the Storage Center's replications serves
 * every device of the command.
 */
export async function reportSyncStart(
  core: Core,
  request: DeviceCommandRequest,
  device: string,
  taken: SyncReplayTaken,
  after: number,
): Promise<DeviceOutcome> {
  const { pair, replay, already } = taken;
  // Readings taken before this device's replay existed say nothing about it.
  const progress = await readProgress(core, pair, after);
  if (progress.down) throw replicationDownFailure(device);
  const replicationId = replicationIdOf(pair);
  // What is left now is the baseline the percentage of later readings counts against.
  if (replicationId && progress.amountRemaining !== undefined && !core.syncBaselines.has(replicationId)) {
    core.syncBaselines.set(replicationId, progress.amountRemaining);
  }
  const warnings: string[] = [];
  if (already) {
    warnings.push(
      progress.complete
        ? 'This synchronization already ran (same idempotency key) and the replication is synced: nothing new was done.'
        : 'This synchronization was already started (same idempotency key): following it, no new replay taken.',
    );
  }
  request.onProgress?.({ device, percent: progress.percent, message: `replicating ${device}` });
  return {
    warnings,
    details: { syncSnapshot: describeReplay(replay), syncStartedAtPercent: String(progress.percent) },
  };
}

/** querySyncStatus for one device: its progress; a replication that went down fails the device. */
export async function readSyncStatus(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<SyncProgress> {
  const pair = pairOn(topology, device, serial);
  const progress = await readProgress(core, pair);
  if (progress.down) throw replicationDownFailure(device);
  const replicationId = replicationIdOf(pair);
  if (progress.complete && replicationId) core.syncBaselines.delete(replicationId);
  return progress;
}
