import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, cachedFirst, performOnce, shortTag, type Core, type DeviceOutcome } from '../core.js';
import type { DevicePair, Topology } from '../topology.js';
import { assertProtectable, notFound } from './locate.js';
import { describeReplay } from './replays.js';
import { groupOf, groupSnapshotReplay } from './consistency.js';

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

/** The pair of a device that has `serial` on either side (sync may be addressed to either array). */
function pairFor(topology: Topology, device: string, serial: number): DevicePair {
  const pair = topology.findOn(device, serial);
  if (!pair) throw notFound(device, serial);
  return pair;
}

/**
 * syncOnce: a replay on the source (tagged with the command's idempotency key, so a repeat after a
 * crash finds it instead of taking another), then waiting until DSM reports the replication synced.
 */
export async function syncDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal } = request;
  const pair = pairFor(topology, device, serial);
  assertProtectable(pair);
  if (!pair.sourceVolume) throw new DeviceFailure('SC_DSM_INCOMPLETE', `DSM reports no source volume for ${device}.`);
  // A broken replication replicates nothing: fail now instead of waiting out the command timeout.
  if (pair.broken) throw replicationDown(device);
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
  const warnings: string[] = [];
  const replicationId = replicationIdOf(pair);
  // Readings taken before this device's replay existed say nothing about it.
  let progress = await readProgress(core, pair, core.reads.stamp());
  if (already && progress.complete) {
    warnings.push(
      'This synchronization already ran (same idempotency key) and the replication is synced: nothing new was done.',
    );
  }
  if (replicationId && progress.amountRemaining !== undefined && !core.syncBaselines.has(replicationId)) {
    core.syncBaselines.set(replicationId, progress.amountRemaining);
  }
  let lastRemaining = progress.amountRemaining;
  let lastChange = core.clock.now();
  while (!progress.complete) {
    if (progress.down) throw replicationDown(device);
    request.onProgress?.({ device, percent: progress.percent, message: `replicating ${device}` });
    await core.clock.sleep(core.settings.syncPollIntervalMs, signal);
    progress = await readProgress(core, pair, progress.stamp);
    if (progress.amountRemaining !== lastRemaining || progress.amountRemaining === undefined) {
      lastRemaining = progress.amountRemaining;
      lastChange = core.clock.now();
    } else if (core.clock.now() - lastChange >= core.settings.syncStallTimeoutMs) {
      throw new DeviceFailure(
        'SC_SYNC_STALLED',
        `Replication of ${device} made no progress for ${Math.round(core.settings.syncStallTimeoutMs / 1000)} s (${lastRemaining} bytes remaining).`,
        'Check the replication link and QoS node in Dell Storage Manager.',
      );
    }
  }
  if (replicationId) core.syncBaselines.delete(replicationId);
  request.onProgress?.({ device, percent: 100, message: `${device} synchronized` });
  return { warnings, details: { syncSnapshot: describeReplay(replay) } };
}

function replicationDown(device: string): DeviceFailure {
  return new DeviceFailure(
    'SC_REPLICATION_DOWN',
    `Replication of ${device} is down (failed over, or its peer array or link is down): nothing can be synchronized.`,
    'Reprotect a failed-over device; otherwise restore the link or the peer array in Dell Storage Manager and synchronize again.',
  );
}

export async function syncStatusDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<SyncProgress> {
  const pair = pairFor(topology, device, serial);
  return readProgress(core, pair);
}
