import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, performOnce, type Core, type DeviceOutcome } from '../core.js';
import type { Volume } from '../dsm/objects.js';
import type { DevicePair, Topology } from '../topology.js';
import { notFound } from './locate.js';
import { presentToHosts, unpresent } from './presentation.js';
import { readStamp, replicationBody, type ReplicationStamp } from './stamp.js';

function notFailedOver(device: string, serial: number): DeviceFailure {
  return new DeviceFailure(
    'SC_NOT_FAILED_OVER',
    `Device ${device} has not been failed over away from Storage Center ${serial}.`,
    'Run a planned migration or disaster recovery before reprotecting.',
  );
}

/** A stamped (promoted) volume of the device on any Storage Center other than `exclude`. */
async function promotedElsewhere(core: Core, device: string, exclude: number, signal: AbortSignal, peerOf?: number): Promise<{ volume: Volume; stamp: ReplicationStamp } | undefined> {
  for (const serial of core.ids.serials) {
    if (serial === exclude) continue;
    for (const volume of await core.api.volumesNamed(serial, device, signal)) {
      const stamp = readStamp(volume.notes);
      if (stamp && (peerOf === undefined || stamp.peerSerial === peerOf)) return { volume, stamp };
    }
  }
  return undefined;
}

async function qosNodeFor(core: Core, serial: number, wanted: string | undefined, signal: AbortSignal): Promise<string> {
  const nodes = await core.api.qosNodes(serial, signal);
  const node = nodes.find((n) => n.name === wanted) ?? nodes.find((n) => n.name === core.settings.qosNode) ?? nodes[0];
  if (!node) {
    throw new DeviceFailure(
      'SC_NO_QOS_NODE',
      `Storage Center ${serial} has no replication QoS node to replicate with.`,
      `Create a replication QoS node on Storage Center ${serial} matching the one on its peer (best practice: same QoS definitions on both arrays).`,
    );
  }
  return node.id;
}

/**
 * On the old source (about to receive): drop what is left of the old direction (a replication
 * that could not be removed while its site was down) and make sure the old volume is unpresented.
 */
export async function prepareReverseDevice(core: Core, topology: Topology, request: DeviceCommandRequest, serial: number, device: string): Promise<DeviceOutcome> {
  const { signal } = request;
  const pairs = topology.find(device);
  const lv = pairs.find((p) => p.kind === 'live-volume');
  if (lv) {
    if (lv.sourceSerial === serial) throw notFailedOver(device, serial);
    return { warnings: [], details: { liveVolume: lv.liveVolume!.id, role: 'secondary' }, state: 'read-only' };
  }
  const incoming = pairs.find((p) => p.destinationSerial === serial);
  if (incoming) {
    return { warnings: ['Replication already runs into this array: nothing to prepare.'], details: {}, state: 'read-only' };
  }
  const outgoing = pairs.find((p) => p.sourceSerial === serial);
  let leftover = false;
  if (outgoing) {
    // Only remove the old replication when its peer was really promoted: never on a plain mistake.
    const promoted = await promotedElsewhere(core, device, serial, signal, serial);
    if (!promoted) throw notFailedOver(device, serial);
    leftover = true;
    const id = outgoing.replication!.id;
    await performOnce(
      async () => ((await core.api.replicationExists(id, signal)) ? undefined : true),
      async () => {
        await core.api.deleteReplication(id, { DeleteDestinationVolume: false, RecycleDestinationVolume: false, DeleteRestorePoint: true }, signal);
        return true;
      },
      core.logger,
      `remove old replication of ${device}`,
    );
  }
  const oldVolume = outgoing?.sourceVolume ?? (await core.api.volumesNamed(serial, device, signal))[0];
  if (!oldVolume) throw notFound(device, serial);
  const removed = await unpresent(core, serial, oldVolume.id, undefined, signal);
  const warnings = !leftover && removed === 0 ? ['The old source is already unpresented and free of replication: nothing new was done.'] : [];
  return { warnings, details: { oldVolume: oldVolume.id }, state: 'read-only' };
}

/**
 * On the new source (the array failover promoted the device on): replicate back to the old
 * volume with the original replication's settings. Live Volume replication follows its roles.
 */
export async function reverseDevice(core: Core, topology: Topology, request: DeviceCommandRequest, serial: number, device: string): Promise<DeviceOutcome> {
  const { signal } = request;
  const pairs = topology.find(device);
  const lv = pairs.find((p) => p.kind === 'live-volume');
  if (lv) {
    if (lv.sourceSerial !== serial) throw notFailedOver(device, lv.sourceSerial);
    return { warnings: [], details: { liveVolume: lv.liveVolume!.id, primary: core.ids.idOf(serial), note: 'Live Volume replication follows the swapped roles' } };
  }
  const outgoing = pairs.find((p) => p.sourceSerial === serial);
  if (outgoing) return alreadyReversed(core, outgoing, serial, device, signal);
  const promoted = (await core.api.volumesNamed(serial, device, signal)).find((v) => readStamp(v.notes) !== undefined);
  if (!promoted) throw notFailedOver(device, serial);
  const stamp = readStamp(promoted.notes)!;
  const old = (await core.api.volume(stamp.peerVolume, signal)) ?? (await core.api.volumesNamed(stamp.peerSerial, device, signal))[0];
  if (!old) {
    throw new DeviceFailure(
      'SC_OLD_VOLUME_MISSING',
      `The original volume of ${device} on Storage Center ${stamp.peerSerial} is gone; replication cannot be reversed onto it.`,
      'Create the replication back to the original site in Dell Storage Manager.',
    );
  }
  const qos = await qosNodeFor(core, serial, stamp.qos, signal);
  const { value: replication } = await performOnce(
    async () => (await core.api.replicationsFrom(serial, signal)).find((r) => r.sourceVolume.id === promoted.id && r.destinationVolume.id === old.id),
    () => core.api.createReplication(replicationBody(stamp, { serial, volume: promoted.id }, { serial: stamp.peerSerial, volume: old.id }, qos), signal),
    core.logger,
    `reverse replication of ${device}`,
  );
  // The replication now holds the settings again: the stamp would only mislead a later call.
  await core.api.renameVolume(promoted.id, { Notes: '' }, signal);
  return { warnings: [], details: { replication: replication.id, destination: core.ids.idOf(stamp.peerSerial) } };
}

async function alreadyReversed(core: Core, outgoing: DevicePair, serial: number, device: string, signal: AbortSignal): Promise<DeviceOutcome> {
  const source = outgoing.sourceVolume ? await core.api.volume(outgoing.sourceVolume.id, signal) : undefined;
  if (source && readStamp(source.notes)) await core.api.renameVolume(source.id, { Notes: '' }, signal);
  return {
    warnings: ['Replication already runs from this array: nothing new was done.'],
    details: { replication: outgoing.replication?.id ?? '', destination: core.ids.idOf(outgoing.destinationSerial) },
  };
}

/**
 * On the original source, after an aborted recovery: replication in the original direction again,
 * the source presented to the protected hosts. A Live Volume gets its roles swapped back.
 */
export async function restoreDevice(core: Core, topology: Topology, request: DeviceCommandRequest, serial: number, device: string): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const pairs = topology.find(device);
  const lv = pairs.find((p) => p.kind === 'live-volume');
  if (lv) {
    const { already } = await performOnce(
      async () => ((await core.api.liveVolume(lv.liveVolume!.id, signal)).primarySerial === serial ? true : undefined),
      async () => {
        await core.api.swapRoles(lv.liveVolume!.id, signal);
        return true;
      },
      core.logger,
      `swap roles of ${device} back`,
    );
    const volumeId = lv.sourceSerial === serial ? lv.sourceVolume?.id : lv.destinationVolume?.id;
    const presented = volumeId && context.hosts?.length ? await presentToHosts(core, serial, volumeId, context.hosts, signal) : { mapped: 0, warnings: [] };
    const warnings = already ? ['The Live Volume is already primary on this array: nothing was swapped.'] : [];
    return { warnings: [...warnings, ...presented.warnings], details: { liveVolume: lv.liveVolume!.id }, state: 'read-write' };
  }
  const incoming = pairs.find((p) => p.destinationSerial === serial);
  if (incoming) {
    throw new DeviceFailure(
      'SC_REPLICATION_REVERSED',
      `Replication of ${device} already runs from ${core.ids.idOf(incoming.sourceSerial)} to this array.`,
      'Use failback (planned migration, then reprotect) to return to the original site.',
    );
  }
  const outgoing = pairs.find((p) => p.sourceSerial === serial);
  if (outgoing) {
    const presented = context.hosts?.length && outgoing.sourceVolume ? await presentToHosts(core, serial, outgoing.sourceVolume.id, context.hosts, signal) : { mapped: 0, warnings: [] };
    const warnings = presented.mapped === 0 ? ['Replication already runs in the original direction: nothing new was done.'] : [];
    return { warnings: [...warnings, ...presented.warnings], details: {}, state: 'read-write' };
  }
  const promoted = await promotedElsewhere(core, device, serial, signal, serial);
  if (!promoted) throw notFound(device, serial);
  const original = (await core.api.volume(promoted.stamp.peerVolume, signal)) ?? (await core.api.volumesNamed(serial, device, signal))[0];
  if (!original) throw notFound(device, serial);
  await unpresent(core, promoted.volume.serial, promoted.volume.id, undefined, signal);
  const qos = await qosNodeFor(core, serial, promoted.stamp.qos, signal);
  const { value: replication } = await performOnce(
    async () => (await core.api.replicationsFrom(serial, signal)).find((r) => r.sourceVolume.id === original.id && r.destinationVolume.id === promoted.volume.id),
    () => core.api.createReplication(replicationBody(promoted.stamp, { serial, volume: original.id }, { serial: promoted.volume.serial, volume: promoted.volume.id }, qos), signal),
    core.logger,
    `restore replication of ${device}`,
  );
  await core.api.renameVolume(promoted.volume.id, { Notes: '' }, signal);
  const presented = context.hosts?.length ? await presentToHosts(core, serial, original.id, context.hosts, signal) : { mapped: 0, warnings: [] };
  return { warnings: presented.warnings, details: { replication: replication.id }, state: 'read-write' };
}

