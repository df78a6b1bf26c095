import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, cachedFirst, performOnce, shortTag, type Core, type DeviceOutcome } from '../core.js';
import { chooseSnapshot } from '../snapshot-selection.js';
import type { DevicePair, Topology } from '../topology.js';
import { assertProtectable, notFound, pairWith } from './locate.js';
import { presentToHosts, unpresent } from './presentation.js';
import { describeReplay, replayForChoice } from './replays.js';
import { findMarker, markerDescription } from './marker.js';
import { commonPointDetail, commonPointReplay, groupOf, groupSnapshotReplay } from './consistency.js';

/** DSM's restore points are saved from its console: no public REST call exists (see README). */
export const RESTORE_POINT_NOTE =
  'not saved by the adapter: DSM has no public REST call for restore points; save them in DSM (Actions > Save Restore Points) before and after a recovery';

const SOURCE_LABEL = {
  active: 'active snapshot',
  'last-frozen': 'last frozen snapshot',
  'restore-point': 'restore-point snapshot',
} as const;

/** Protected site: a final replay on the source, then the source unpresented from the protected hosts. */
export async function prepareFailoverDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal } = request;
  const pair = pairWith(topology, device, serial, 'source');
  await assertProtectable(core, pair, request.signal);
  if (!pair.sourceVolume) throw new DeviceFailure('SC_DSM_INCOMPLETE', `DSM reports no source volume for ${device}.`);
  const sourceId = pair.sourceVolume.id;
  const description = `drctl final ${shortTag(request.idempotencyKey)}`;
  const isFinal = (r: { description: string; markedForExpiration: boolean }) =>
    r.description === description && !r.markedForExpiration;
  const group = groupOf(request, device);
  const taken = group ? (await core.reads.replays(sourceId)).find(isFinal) : undefined;
  const { value: replay, already } = group
    ? // The final snapshot of a consistency group is one consistent snapshot of all its volumes (§5.7).
      {
        value: taken ?? (await groupSnapshotReplay(core, topology, request, serial, group, device, description, 0)),
        already: taken !== undefined,
      }
    : await performOnce(
        cachedFirst(
          async () => (await core.reads.replays(sourceId)).find(isFinal),
          async () => (await core.api.replays(sourceId, signal)).find(isFinal),
        ),
        () => core.api.createReplay(sourceId, description, 0, signal),
        core.logger,
        `final replay of ${device}`,
      );
  // Every host mapping goes: the source may be mapped to a cluster object rather than to each host.
  const removed = await unpresent(core, serial, sourceId, undefined, signal);
  const warnings =
    already && removed === 0 ? ['The protected site was already prepared for this device: nothing new was done.'] : [];
  return {
    warnings,
    details: { finalSnapshot: describeReplay(replay), unmapped: String(removed) },
    state: 'read-only',
  };
}

/** Recovery site: make the destination writable (break the replication or swap Live Volume roles) and present it. */
export async function failoverDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const pairs = topology.find(device);
  const pair =
    pairs.find((p) => p.destinationSerial === serial) ??
    pairs.find((p) => p.kind === 'live-volume' && p.sourceSerial === serial);
  if (!pair) {
    if (pairs.length > 0) return pairWith(topology, device, serial, 'destination') as never;
    throw notFound(device, serial);
  }
  await assertProtectable(core, pair, request.signal);
  return pair.kind === 'live-volume'
    ? failoverLiveVolume(core, pair, request, serial, device)
    : failoverReplication(core, topology, pair, request, serial, device);
}

/** The volume a failover presents: named like the device on the recovery array. */
export async function promotedVolumeId(core: Core, serial: number, device: string): Promise<string | undefined> {
  return (await core.reads.volumesNamed(serial, device))[0]?.id;
}

/** Whether a plain replication was broken by this adapter's failover (not merely a link down). */
export async function failedOver(core: Core, pair: DevicePair, signal: AbortSignal): Promise<boolean> {
  if (!pair.broken || !pair.destinationVolume) return false;
  return (await findMarker(core, pair.destinationVolume.id, signal)) !== undefined;
}

/**
 * Plain replication, as Cinder fails over: unmapping the destination breaks the replication and
 * leaves the ScReplication object (Down) as the record of the pair, which reprotect uses. The
 * presented volume is the destination itself (active snapshot, §5.6) or, when SRM selectable
 * snapshot picks a frozen snapshot, a view volume of that snapshot; either is named like the device.
 */
async function failoverReplication(
  core: Core,
  topology: Topology,
  pair: DevicePair,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const replication = pair.replication!;
  const destinationId = replication.destinationVolume.id;
  const warnings: string[] = [];
  if (await failedOver(core, pair, signal)) {
    // A failover cut off after its marker (or with the source array down) may not have detached the destination yet.
    await breakReplication(core, destinationId, device, signal);
    const promoted = (await promotedVolumeId(core, serial, device)) ?? destinationId;
    const presented = await presentToHosts(core, serial, promoted, context.hosts, signal);
    return {
      warnings: ['The device is already failed over to this array: nothing was promoted again.', ...presented.warnings],
      details: { promotedVolume: promoted, restorePoints: RESTORE_POINT_NOTE },
      state: 'read-write',
    };
  }
  const choice = chooseSnapshot({ context, device, replicateActiveSnapshot: pair.replicateActiveSnapshot });
  const details: Record<string, string> = {
    snapshotSource: SOURCE_LABEL[choice.source],
    snapshotReason: choice.reason,
  };
  let promotedId: string;
  if (choice.source === 'active') {
    details.snapshot = 'active snapshot of the destination volume';
    promotedId = destinationId;
    const destination = await core.reads.volume(destinationId);
    if (destination && destination.name !== device)
      await core.api.renameVolume(destinationId, { Name: device }, signal);
  } else {
    // A device of a consistency group recovers from the point common to the group (§5.7).
    const group = choice.source === 'last-frozen' ? groupOf(request, device) : undefined;
    const replay = group
      ? await commonPointReplay(core, topology, serial, group, device)
      : await replayForChoice(core, destinationId, choice, signal);
    details.snapshot = describeReplay(replay);
    if (group) details.consistencyGroup = commonPointDetail(group, replay);
    const destination = await core.reads.volume(destinationId);
    // The replica keeps its data under another name; the view of the chosen snapshot becomes the device.
    if (destination?.name === device)
      await core.api.renameVolume(destinationId, { Name: `${device} (replica)` }, signal);
    const { value: view } = await performOnce(
      cachedFirst(
        async () => (await core.reads.volumesNamed(serial, device)).find((v) => v.id !== destinationId),
        async () => (await core.api.volumesNamed(serial, device, signal)).find((v) => v.id !== destinationId),
      ),
      () =>
        core.api.createView(
          replay.id,
          device,
          `drctl recovery of ${device} from ${replay.globalIndex || replay.id}`,
          signal,
        ),
      core.logger,
      `recovery view of ${device}`,
    );
    promotedId = view.id;
  }
  await performOnce(
    cachedFirst(
      () => findMarker(core, destinationId, signal),
      () => findMarker(core, destinationId, signal, true),
    ),
    () =>
      core.api.createReplay(
        destinationId,
        markerDescription({ replicationType: pair.replicationType, activeReplay: pair.replicateActiveSnapshot }),
        0,
        signal,
      ),
    core.logger,
    `failover marker of ${device}`,
  );
  await breakReplication(core, destinationId, device, signal);
  details.promotedVolume = promotedId;
  const presented = await presentToHosts(core, serial, promotedId, context.hosts, signal);
  warnings.push(...presented.warnings);
  details.restorePoints = RESTORE_POINT_NOTE;
  return { warnings, details, state: 'read-write' };
}

/**
 * Breaks a replication as Cinder does: unmapping the destination removes its mapping to the
 * source Storage Center. Whether that is done shows in the destination's mappings, not in the
 * replication's state: with the source array down DSM reports the replication Down while the
 * destination is still attached (and cannot be presented to hosts).
 */
async function breakReplication(core: Core, destinationId: string, device: string, signal: AbortSignal): Promise<void> {
  const attached = (profiles: Array<{ toRemoteStorageCenter: boolean }>) =>
    profiles.some((p) => p.toRemoteStorageCenter) ? undefined : true;
  await performOnce(
    cachedFirst(
      async () => attached(await core.reads.mappingProfiles(destinationId)),
      async () => attached(await core.api.mappingProfiles(destinationId, signal)),
    ),
    async () => {
      await core.api.unmapAll(destinationId, signal);
      return true;
    },
    core.logger,
    `break replication of ${device}`,
  );
}

/** A Live Volume activated on its secondary while the primary array was down (DSM: secondaryRole Activated). */
export function activatedOn(liveVolume: { secondarySerial: number; secondaryRole: string }, serial: number): boolean {
  return liveVolume.secondarySerial === serial && liveVolume.secondaryRole.toLowerCase() === 'activated';
}

async function failoverLiveVolume(
  core: Core,
  pair: DevicePair,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const lv = pair.liveVolume!;
  const warnings: string[] = [];
  if (pair.sourceSerial === serial)
    warnings.push('The Live Volume is already primary on this array: roles were not swapped again.');
  const choice = chooseSnapshot({ context, device, replicateActiveSnapshot: pair.replicateActiveSnapshot });
  if (choice.source !== 'active') {
    warnings.push(
      `Live Volume: a role swap presents the live data; the ${SOURCE_LABEL[choice.source]} chosen by SRM selectable snapshot cannot apply.`,
    );
  }
  try {
    await performOnce(
      async () => {
        const now = await core.api.liveVolume(lv.id, signal);
        // Swapped, or activated here with the primary array down: either way this array serves the data.
        return now.primarySerial === serial || activatedOn(now, serial) ? true : undefined;
      },
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
  // The volume of this Live Volume on this array: the primary after a swap, or the activated
  // secondary (presented through the Live Volume) while the old primary's array is down.
  const after = await core.api.liveVolume(lv.id, signal);
  const activated = activatedOn(after, serial);
  const volumeId = after.primarySerial === serial ? after.primaryVolume?.id : after.secondaryVolume?.id;
  if (!volumeId)
    throw new DeviceFailure('SC_DSM_INCOMPLETE', `DSM reports no volume on this array for Live Volume ${device}.`);
  const presented = activated
    ? await presentToHosts(core, serial, volumeId, context.hosts, signal, (server) =>
        core.api.mapLiveVolumeSecondary(lv.id, server, signal),
      )
    : await presentToHosts(core, serial, volumeId, context.hosts, signal);
  warnings.push(...presented.warnings);
  if (activated)
    warnings.push(
      `The primary array of Live Volume ${device} is down: the secondary was activated here; reprotect swaps the roles once both arrays are up.`,
    );
  return {
    warnings,
    details: {
      liveVolume: lv.id,
      role: activated ? 'activated secondary' : 'primary',
      snapshotReason: choice.reason,
      restorePoints: RESTORE_POINT_NOTE,
    },
    state: 'read-write',
  };
}
