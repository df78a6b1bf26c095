import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, cachedFirst, performOnce, type Core, type DeviceOutcome } from '../core.js';
import type { DevicePair, Topology } from '../topology.js';
import type { QosNode } from '../dsm/api.js';
import type { Ref } from '../dsm/wire.js';
import { activatedOn, failedOver, promotedVolumeId } from './failover.js';
import { notFound } from './locate.js';
import { findMarker, readMarker, replicationTypeBody, type MarkerSettings } from './marker.js';
import { presentToHosts, unpresent } from './presentation.js';
import { groupOf, joinGroupOnNewSource } from './consistency.js';

function notFailedOver(device: string, serial: number): DeviceFailure {
  return new DeviceFailure(
    'SC_NOT_FAILED_OVER',
    `Device ${device} has not been failed over away from Storage Center ${serial}.`,
    'Run a planned migration or disaster recovery before reprotecting.',
  );
}

const limitsOf = (node: QosNode) =>
  `${node.linkSpeed ?? 'link speed unknown'}${node.bandwidthLimited ? ', bandwidth limited' : ''}`;
const sameLimits = (a: QosNode, b: QosNode) =>
  (a.linkSpeed ?? '') === (b.linkSpeed ?? '') && (a.bandwidthLimited ?? false) === (b.bandwidthLimited ?? false);

/**
 * The QoS node a reversed replication uses on its new source (§5.3): the replication keeps its
 * QoS definition — the node of the same name, with the same limits. A node of that name that is
 * missing is created with the original's limits; one whose limits differ is used and said so.
 * Without the original definition the configured `qosNode` is used, with a warning; a node is
 * never swapped for another silently.
 */
async function qosNodeFor(
  core: Core,
  serial: number,
  original: { node?: Ref; serial: number } | undefined,
  signal: AbortSignal,
): Promise<{ id: string; warnings: string[] }> {
  const nodes = await core.reads.qosNodes(serial);
  const name = original?.node?.name;
  if (name) {
    const definition = (await core.reads.qosNodes(original.serial)).find(
      (n) => n.id === original.node?.id || n.name === name,
    );
    const here = nodes.find((n) => n.name === name);
    if (here) {
      if (!definition || sameLimits(here, definition)) return { id: here.id, warnings: [] };
      return {
        id: here.id,
        warnings: [
          `The replication QoS node ${name} on Storage Center ${serial} limits to ${limitsOf(here)}, not ${limitsOf(definition)} as on Storage Center ${original.serial}; it is used as named (§5.3). Align the two definitions in Dell Storage Manager.`,
        ],
      };
    }
    if (definition) {
      // Created once per command, whatever the number of devices that need it.
      const created = await core.reads.once(`qos ${serial} ${name}`, async () => {
        const find = async () => (await core.api.qosNodes(serial, signal)).find((n) => n.name === name);
        return (
          await performOnce(
            cachedFirst(async () => undefined, find),
            () => core.api.createQosNode(serial, definition, signal),
            core.logger,
            `create QoS node ${name} on ${serial}`,
          )
        ).value;
      });
      return {
        id: created.id,
        warnings: [
          `Storage Center ${serial} had no replication QoS node ${name}: it was created with the original's limits (${limitsOf(definition)}), so the reversed replication keeps its QoS (§5.3).`,
        ],
      };
    }
    throw new DeviceFailure(
      'SC_QOS_NODE_MISSING',
      `The replication's QoS node ${name} does not exist on Storage Center ${serial}, and its definition cannot be read on Storage Center ${original.serial}: the reversed replication would change its bandwidth limits.`,
      `Create the replication QoS node ${name} on Storage Center ${serial} with the limits it has on Storage Center ${original.serial} (§5.3), then reprotect again.`,
    );
  }
  const configured = nodes.find((n) => n.name === core.settings.qosNode);
  const chosen = configured ?? nodes[0];
  if (!chosen) {
    throw new DeviceFailure(
      'SC_NO_QOS_NODE',
      `Storage Center ${serial} has no replication QoS node to replicate with.`,
      `Create a replication QoS node on Storage Center ${serial} matching the one on its peer (best practice: the same QoS definitions on both arrays).`,
    );
  }
  return {
    id: chosen.id,
    warnings: [
      `The replication's original QoS node is not known here; the reversed replication uses ${chosen.name} (${limitsOf(chosen)})${configured ? ", the adapter's configured qosNode" : ', the first node of the array'}. Check it in Dell Storage Manager (§5.3).`,
    ],
  };
}

const deleteBody = { DeleteDestinationVolume: false, RecycleDestinationVolume: false, DeleteRestorePoint: true };

/** Removes a replication the command's topology holds: the first check is that read. */
async function removeReplication(core: Core, id: string, what: string, signal: AbortSignal): Promise<void> {
  await performOnce(
    cachedFirst(
      async () => undefined,
      async () => ((await core.api.replication(id, signal)) ? undefined : true),
    ),
    async () => {
      await core.api.deleteReplication(id, deleteBody, signal);
      return true;
    },
    core.logger,
    what,
  );
}

/** On the old source (about to receive replication): unpresent the old volume from every host. */
export async function prepareReverseDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal } = request;
  const pairs = topology.find(device);
  const lv = pairs.find((p) => p.kind === 'live-volume');
  if (lv) {
    // Activated on the other array while this one was down: still primary in name, no longer serving.
    if (lv.sourceSerial === serial && !activatedOn(lv.liveVolume!, lv.destinationSerial))
      throw notFailedOver(device, serial);
    return {
      warnings: [],
      details: {
        liveVolume: lv.liveVolume!.id,
        role: lv.sourceSerial === serial ? 'primary, activated on its peer' : 'secondary',
      },
      state: 'read-only',
    };
  }
  const incoming = pairs.find((p) => p.destinationSerial === serial && !p.broken);
  if (incoming)
    return {
      warnings: ['Replication already runs into this array: nothing to prepare.'],
      details: {},
      state: 'read-only',
    };
  const outgoing = pairs.find((p) => p.sourceSerial === serial);
  if (!outgoing) throw notFound(device, serial);
  if (!(await failedOver(core, outgoing, signal))) throw notFailedOver(device, serial);
  // After a planned migration prepareFailover has already unpresented the old source: that is the
  // state this command expects, not a repeat, so it is no warning (reprotect would always warn).
  const removed = await unpresent(core, serial, outgoing.sourceVolume!.id, undefined, signal);
  return {
    warnings: [],
    details: { oldVolume: outgoing.sourceVolume!.id, unmapped: String(removed) },
    state: 'read-only',
  };
}

/**
 * On the new source (where failover promoted the device): the broken replication gives way to one
 * from the promoted volume back to the old source volume, with the original type, active-snapshot
 * setting and QoS node name. Live Volume replication already follows the swapped roles.
 */
export async function reverseDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal } = request;
  const pairs = topology.find(device);
  const lv = pairs.find((p) => p.kind === 'live-volume');
  if (lv) {
    if (lv.sourceSerial !== serial) {
      if (!activatedOn(lv.liveVolume!, serial)) throw notFailedOver(device, lv.sourceSerial);
      return completeRoleSwap(core, lv, serial, device, signal);
    }
    return {
      warnings: [],
      details: {
        liveVolume: lv.liveVolume!.id,
        primary: core.ids.idOf(serial),
        note: 'Live Volume replication follows the swapped roles',
      },
    };
  }
  const running = pairs.find((p) => p.sourceSerial === serial && !p.broken);
  if (running) {
    return {
      warnings: ['Replication already runs from this array: nothing new was done.'],
      details: { replication: running.replication!.id, destination: core.ids.idOf(running.destinationSerial) },
    };
  }
  const broken = pairs.find((p) => p.destinationSerial === serial && p.broken);
  if (broken) {
    if (!(await failedOver(core, broken, signal))) throw notFailedOver(device, broken.sourceSerial);
    const old = broken.replication!;
    const promoted = (await promotedVolumeId(core, serial, device)) ?? old.destinationVolume.id;
    const settings: MarkerSettings = {
      replicationType: broken.replicationType,
      activeReplay: broken.replicateActiveSnapshot,
    };
    const qos = await qosNodeFor(
      core,
      serial,
      { ...(old.qosNode ? { node: old.qosNode } : {}), serial: old.sourceSerial },
      signal,
    );
    await removeReplication(core, old.id, `remove broken replication of ${device}`, signal);
    return createReverse(
      core,
      device,
      serial,
      promoted,
      { serial: old.sourceSerial, volume: old.sourceVolume.id },
      settings,
      qos.id,
      qos.warnings,
      request,
    );
  }
  // A reverse interrupted after the broken replication was removed: the marker still holds the settings.
  const promoted = await promotedVolumeId(core, serial, device);
  const marker = promoted ? await findMarker(core, promoted, signal) : undefined;
  const old = promoted ? await oldVolumeElsewhere(core, device, serial) : undefined;
  if (!promoted || !old) throw notFailedOver(device, serial);
  const settings = (marker && readMarker(marker.description)) ?? { replicationType: 'async', activeReplay: false };
  const qos = await qosNodeFor(core, serial, undefined, signal);
  const warnings = [
    ...(marker ? [] : ['The original replication settings were not found; asynchronous replication was created.']),
    ...qos.warnings,
  ];
  return createReverse(core, device, serial, promoted, old, settings, qos.id, warnings, request);
}

/**
 * A Live Volume activated here while its primary array was down: with both arrays up again the
 * role swap can complete, which makes this array primary and mirrors back to the old one.
 */
async function completeRoleSwap(
  core: Core,
  pair: DevicePair,
  serial: number,
  device: string,
  signal: AbortSignal,
): Promise<DeviceOutcome> {
  const id = pair.liveVolume!.id;
  const pending = new DeviceFailure(
    'SC_LV_SWAP_PENDING',
    `Live Volume ${device} is still activated on Storage Center ${serial}: its old primary array is not back, so the roles cannot swap yet.`,
    'Reprotect again once both Storage Centers are connected to the Data Collector.',
  );
  if (!(await core.api.liveVolume(id, signal)).primaryUp) throw pending;
  await performOnce(
    async () => ((await core.api.liveVolume(id, signal)).primarySerial === serial ? true : undefined),
    async () => {
      await core.api.swapRoles(id, signal);
      return true;
    },
    core.logger,
    `complete role swap of ${device}`,
  );
  if ((await core.api.liveVolume(id, signal)).primarySerial !== serial) throw pending;
  return {
    warnings: [],
    details: { liveVolume: id, primary: core.ids.idOf(serial), note: 'roles swapped now that both arrays are up' },
  };
}

async function oldVolumeElsewhere(
  core: Core,
  device: string,
  serial: number,
): Promise<{ serial: number; volume: string } | undefined> {
  for (const other of core.ids.serials) {
    if (other === serial) continue;
    const volume = (await core.reads.volumesNamed(other, device))[0];
    if (volume) return { serial: other, volume: volume.id };
  }
  return undefined;
}

async function createReverse(
  core: Core,
  device: string,
  serial: number,
  promoted: string,
  old: { serial: number; volume: string },
  settings: MarkerSettings,
  qos: string,
  warnings: string[],
  request: DeviceCommandRequest,
): Promise<DeviceOutcome> {
  const { signal } = request;
  // The command's topology found no running replication of the device from this array: that is
  // the first check; after a lost answer the array's replications are read again.
  const found = async () =>
    (await core.api.replicationsFrom(serial, signal)).find(
      (r) => r.sourceVolume.id === promoted && r.destinationVolume.id === old.volume,
    );
  const { value: replication } = await performOnce(
    cachedFirst(async () => undefined, found),
    () =>
      core.api.createReplication(
        {
          StorageCenter: serial,
          SourceVolume: promoted,
          DestinationStorageCenter: old.serial,
          DestinationVolume: old.volume,
          QosNode: qos,
          ...replicationTypeBody(settings.replicationType, settings.activeReplay),
        },
        signal,
      ),
    core.logger,
    `reverse replication of ${device}`,
  );
  const details: Record<string, string> = { replication: replication.id, destination: core.ids.idOf(old.serial) };
  const group = groupOf(request, device);
  if (group) details.consistencyGroup = await joinGroupOnNewSource(core, serial, group, promoted, signal);
  return { warnings, details };
}

/**
 * On the original source, after an aborted or failed recovery: the failover undone (recovery-side
 * copy unpresented, the replication created again in the original direction) and the source
 * presented to the protected hosts. A Live Volume gets its roles swapped back.
 */
export async function restoreDevice(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const pairs = topology.find(device);
  const lv = pairs.find((p) => p.kind === 'live-volume');
  if (lv) return restoreLiveVolume(core, lv, request, serial, device);
  const reversed = pairs.find((p) => p.destinationSerial === serial && !p.broken);
  if (reversed) {
    throw new DeviceFailure(
      'SC_REPLICATION_REVERSED',
      `Replication of ${device} already runs from ${core.ids.idOf(reversed.sourceSerial)} to this array.`,
      'Use failback (planned migration, then reprotect) to return to the original site.',
    );
  }
  const outgoing = pairs.find((p) => p.sourceSerial === serial);
  if (!outgoing) throw notFound(device, serial);
  const warnings: string[] = [];
  const details: Record<string, string> = {};
  if (outgoing.broken && (await failedOver(core, outgoing, signal))) {
    const old = outgoing.replication!;
    const destinationSerial = old.destinationSerial;
    const promoted = (await promotedVolumeId(core, destinationSerial, device)) ?? old.destinationVolume.id;
    await unpresent(core, destinationSerial, promoted, undefined, signal);
    await unpresent(core, destinationSerial, old.destinationVolume.id, undefined, signal);
    // Back on the original source: the replication's own QoS node is there.
    const qos = old.qosNode?.id ?? (await qosNodeFor(core, serial, undefined, signal)).id;
    await removeReplication(core, old.id, `remove broken replication of ${device}`, signal);
    const restored = (r: { sourceVolume: { id: string }; destinationVolume: { id: string } }) =>
      r.sourceVolume.id === old.sourceVolume.id && r.destinationVolume.id === old.destinationVolume.id;
    const { value: replication } = await performOnce(
      cachedFirst(
        async () => pairs.map((p) => p.replication).find((r) => r !== undefined && r.id !== old.id && restored(r)),
        async () => (await core.api.replicationsFrom(serial, signal)).find(restored),
      ),
      () =>
        core.api.createReplication(
          {
            StorageCenter: serial,
            SourceVolume: old.sourceVolume.id,
            DestinationStorageCenter: destinationSerial,
            DestinationVolume: old.destinationVolume.id,
            QosNode: qos,
            ...replicationTypeBody(outgoing.replicationType, outgoing.replicateActiveSnapshot),
          },
          signal,
        ),
      core.logger,
      `restore replication of ${device}`,
    );
    details.replication = replication.id;
    const marker = await findMarker(core, old.destinationVolume.id, signal);
    if (marker) await core.api.expireReplay(marker.id, signal);
  } else if (outgoing.broken) {
    warnings.push('The replication is down but was not failed over by drctl: check its link in Dell Storage Manager.');
  }
  const presented =
    context.hosts?.length && outgoing.sourceVolume
      ? await presentToHosts(core, serial, outgoing.sourceVolume.id, context.hosts, signal)
      : { mapped: 0, warnings: [] };
  if (!details.replication && presented.mapped === 0)
    warnings.push('Replication already runs in the original direction: nothing new was done.');
  return { warnings: [...warnings, ...presented.warnings], details, state: 'read-write' };
}

async function restoreLiveVolume(
  core: Core,
  lv: DevicePair,
  request: DeviceCommandRequest,
  serial: number,
  device: string,
): Promise<DeviceOutcome> {
  const { signal, context } = request;
  const id = lv.liveVolume!.id;
  const { already } = await performOnce(
    async () => ((await core.api.liveVolume(id, signal)).primarySerial === serial ? true : undefined),
    async () => {
      await core.api.swapRoles(id, signal);
      return true;
    },
    core.logger,
    `swap roles of ${device} back`,
  );
  const volumeId = lv.sourceSerial === serial ? lv.sourceVolume?.id : lv.destinationVolume?.id;
  const presented =
    volumeId && context.hosts?.length
      ? await presentToHosts(core, serial, volumeId, context.hosts, signal)
      : { mapped: 0, warnings: [] };
  const warnings = already ? ['The Live Volume is already primary on this array: nothing was swapped.'] : [];
  return { warnings: [...warnings, ...presented.warnings], details: { liveVolume: id }, state: 'read-write' };
}
