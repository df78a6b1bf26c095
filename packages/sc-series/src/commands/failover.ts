import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, performOnce, shortTag, type Core, type DeviceOutcome } from '../core.js';
import { chooseSnapshot } from '../snapshot-selection.js';
import type { DevicePair, Topology } from '../topology.js';
import { assertProtectable, notFound, pairWith } from './locate.js';
import { presentToHosts, unpresent } from './presentation.js';
import { describeReplay, replayForChoice } from './replays.js';
import { readStamp, writeStamp, type ReplicationStamp } from './stamp.js';

/** DSM's restore points are saved from its console: no public REST call exists (see README). */
export const RESTORE_POINT_NOTE =
  'not saved by the adapter: DSM has no public REST call for restore points; save them in DSM (Actions > Save Restore Points) before and after a recovery';

const SOURCE_LABEL = { active: 'active snapshot', 'last-frozen': 'last frozen snapshot', 'restore-point': 'restore-point snapshot' } as const;

/** Protected site: a final replay on the source, then the source unpresented from the protected hosts. */
export async function prepareFailoverDevice(core: Core, topology: Topology, request: DeviceCommandRequest, serial: number, device: string): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const pair = pairWith(topology, device, serial, 'source');
  assertProtectable(pair);
  if (!pair.sourceVolume) throw new DeviceFailure('SC_DSM_INCOMPLETE', `DSM reports no source volume for ${device}.`);
  const sourceId = pair.sourceVolume.id;
  const description = `drctl final ${shortTag(request.idempotencyKey)}`;
  const { value: replay, already } = await performOnce(
    async () => (await core.api.replays(sourceId, signal)).find((r) => r.description === description && !r.markedForExpiration),
    () => core.api.createReplay(sourceId, description, 0, signal),
    core.logger,
    `final replay of ${device}`,
  );
  const removed = await unpresent(core, serial, sourceId, context.hosts, signal);
  const warnings = already && removed === 0 ? ['The protected site was already prepared for this device: nothing new was done.'] : [];
  return { warnings, details: { finalSnapshot: describeReplay(replay), unmapped: String(removed) }, state: 'read-only' };
}

/** A volume named like the device on this array that a failover promoted (it carries the stamp). */
async function promotedVolume(core: Core, serial: number, device: string, signal: AbortSignal) {
  const volumes = await core.api.volumesNamed(serial, device, signal);
  return volumes.find((v) => readStamp(v.notes) !== undefined && !v.replicationDestination) ?? volumes.find((v) => !v.replicationDestination);
}

/** Recovery site: make the destination writable (break the replication or swap Live Volume roles) and present it. */
export async function failoverDevice(core: Core, topology: Topology, request: DeviceCommandRequest, serial: number, device: string): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const pairs = topology.find(device);
  const pair = pairs.find((p) => p.destinationSerial === serial);
  if (!pair) return alreadyFailedOver(core, pairs, request, serial, device);
  assertProtectable(pair);
  return pair.kind === 'live-volume' ? failoverLiveVolume(core, pair, request, serial, device) : failoverReplication(core, pair, request, serial, device);
}

async function alreadyFailedOver(core: Core, pairs: DevicePair[], request: DeviceCommandRequest, serial: number, device: string): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const outgoing = pairs.find((p) => p.sourceSerial === serial);
  let volumeId: string | undefined;
  if (outgoing?.kind === 'live-volume') volumeId = outgoing.sourceVolume?.id;
  else {
    const promoted = await promotedVolume(core, serial, device, signal);
    if (promoted && readStamp(promoted.notes)) volumeId = promoted.id;
    else if (outgoing) volumeId = outgoing.sourceVolume?.id;
  }
  if (!volumeId) throw notFound(device, serial);
  const presented = await presentToHosts(core, serial, volumeId, context.hosts, signal);
  return {
    warnings: ['The device is already failed over to this array: nothing was promoted again.', ...presented.warnings],
    details: { promotedVolume: volumeId, restorePoints: RESTORE_POINT_NOTE },
    state: 'read-write',
  };
}

async function failoverReplication(core: Core, pair: DevicePair, request: DeviceCommandRequest, serial: number, device: string): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const replication = pair.replication!;
  const destinationId = replication.destinationVolume.id;
  const warnings: string[] = [];
  const choice = chooseSnapshot({ context, device, replicateActiveSnapshot: pair.replicateActiveSnapshot });
  const stamp: ReplicationStamp = {
    type: replication.type,
    syncMode: replication.syncMode,
    activeReplay: replication.replicateActiveReplay,
    ...(replication.qosNode ? { qos: replication.qosNode.name } : {}),
    peerSerial: replication.sourceSerial,
    peerVolume: replication.sourceVolume.id,
  };
  const details: Record<string, string> = { snapshotSource: SOURCE_LABEL[choice.source], snapshotReason: choice.reason };
  let promotedId: string;
  if (choice.source === 'active') {
    // The destination volume itself is presented (§5.6): it becomes the device, named like it.
    const destination = await core.api.volume(destinationId, signal);
    if (!destination) throw new DeviceFailure('SC_DSM_INCOMPLETE', `The destination volume of ${device} is missing.`);
    if (destination.name !== device || readStamp(destination.notes) === undefined) {
      await core.api.renameVolume(destinationId, { Name: device, Notes: writeStamp(stamp) }, signal);
    }
    promotedId = destinationId;
    details.snapshot = 'active snapshot of the destination volume';
  } else {
    // A frozen snapshot: a view volume of it becomes the device; the replica keeps its data.
    const replay = await replayForChoice(core, destinationId, choice, signal);
    details.snapshot = describeReplay(replay);
    const destination = await core.api.volume(destinationId, signal);
    if (destination?.name === device) await core.api.renameVolume(destinationId, { Name: `${device} (replica)` }, signal);
    const { value: view } = await performOnce(
      async () => (await core.api.volumesNamed(serial, device, signal)).find((v) => v.id !== destinationId),
      () => core.api.createView(replay.id, device, writeStamp(stamp), signal),
      core.logger,
      `recovery view of ${device}`,
    );
    promotedId = view.id;
  }
  details.promotedVolume = promotedId;
  try {
    await performOnce(
      async () => ((await core.api.replicationExists(replication.id, signal)) ? undefined : true),
      async () => {
        await core.api.deleteReplication(replication.id, { DeleteDestinationVolume: false, RecycleDestinationVolume: false, DeleteRestorePoint: false }, signal);
        return true;
      },
      core.logger,
      `break replication of ${device}`,
    );
  } catch (error) {
    if (signal.aborted || context.protectedSiteUp !== false) throw error;
    // With the protected site down DSM may be unable to remove the replication held there.
    warnings.push(`The replication could not be removed while the protected site is down (${(error as Error).message}); reprotect removes it.`);
  }
  const presented = await presentToHosts(core, serial, promotedId, context.hosts, signal);
  warnings.push(...presented.warnings);
  details.restorePoints = RESTORE_POINT_NOTE;
  return { warnings, details, state: 'read-write' };
}

async function failoverLiveVolume(core: Core, pair: DevicePair, request: DeviceCommandRequest, serial: number, device: string): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const lv = pair.liveVolume!;
  const warnings: string[] = [];
  const choice = chooseSnapshot({ context, device, replicateActiveSnapshot: pair.replicateActiveSnapshot });
  if (choice.source !== 'active') {
    warnings.push(`Live Volume: a role swap presents the live data; the ${SOURCE_LABEL[choice.source]} chosen by SRM selectable snapshot cannot apply.`);
  }
  try {
    await performOnce(
      async () => ((await core.api.liveVolume(lv.id, signal)).primarySerial === serial ? true : undefined),
      async () => {
        await core.api.swapRoles(lv.id, signal);
        return true;
      },
      core.logger,
      `swap roles of ${device}`,
    );
  } catch (error) {
    if (signal.aborted || context.protectedSiteUp !== false) throw error;
    throw new DeviceFailure(
      'SC_LV_SWAP_FAILED',
      `Live Volume roles of ${device} cannot be swapped while the protected site is down: ${(error as Error).message}`,
      'Bring the secondary Live Volume online from Dell Storage Manager, then run the recovery again.',
    );
  }
  const volumeId = pair.destinationVolume?.id;
  if (!volumeId) throw new DeviceFailure('SC_DSM_INCOMPLETE', `DSM reports no secondary volume for Live Volume ${device}.`);
  const presented = await presentToHosts(core, serial, volumeId, context.hosts, signal);
  warnings.push(...presented.warnings);
  return {
    warnings,
    details: { liveVolume: lv.id, role: 'primary', snapshotReason: choice.reason, restorePoints: RESTORE_POINT_NOTE },
    state: 'read-write',
  };
}
