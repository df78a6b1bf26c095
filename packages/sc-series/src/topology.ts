import type { ReplicationType } from '@drctl/domain';
import type { DsmApi } from './dsm/api.js';
import type { LiveVolume, Replication } from './dsm/objects.js';
import type { Ref } from './dsm/wire.js';

/**
 * One replicated device as the adapter sees it: a plain replication or a Live Volume, reduced to
 * "source volume on one Storage Center replicates to destination volume on another".
 */
export interface DevicePair {
  device: string;
  kind: 'replication' | 'live-volume';
  sourceSerial: number;
  destinationSerial: number;
  sourceVolume?: Ref;
  destinationVolume?: Ref;
  replicationType: ReplicationType;
  replicateActiveSnapshot: boolean;
  qosNode?: string;
  replication?: Replication;
  liveVolume?: LiveVolume;
  /** With a Live Volume: the replication it manages, for progress. */
  managedReplication?: Replication;
  /** A plain replication that is no longer running (a failover broke it, or its link is down). */
  broken: boolean;
}

export function replicationTypeOf(type: string, syncMode: string): ReplicationType {
  if (type.toLowerCase() !== 'synchronous') return 'async';
  // Synchronous without a mode is high consistency, DSM's default.
  return syncMode.toLowerCase() === 'highavailability' ? 'sync-high-availability' : 'sync-high-consistency';
}

/**
 * The device name of a replication: the environment names a device after its volume. A DSM
 * destination often carries a derived name ("Repl of X"); when one name contains the other the
 * shorter is the device, otherwise the source's name is. After a failover the adapter renames the
 * promoted volume to the device name, so both directions keep the same device id.
 */
export function deviceNameOf(sourceName: string, destinationName: string): string {
  if (sourceName && destinationName && sourceName !== destinationName) {
    if (destinationName.includes(sourceName)) return sourceName;
    if (sourceName.includes(destinationName)) return destinationName;
  }
  return sourceName || destinationName;
}

export function pairOfReplication(r: Replication): DevicePair {
  return {
    device: deviceNameOf(r.sourceVolume.name, r.destinationVolume.name),
    kind: 'replication',
    sourceSerial: r.sourceSerial,
    destinationSerial: r.destinationSerial,
    sourceVolume: r.sourceVolume,
    destinationVolume: r.destinationVolume,
    replicationType: replicationTypeOf(r.type, r.syncMode),
    replicateActiveSnapshot: r.replicateActiveReplay,
    ...(r.qosNode ? { qosNode: r.qosNode.name } : {}),
    replication: r,
    broken: r.state.toLowerCase() !== 'up',
  };
}

export function pairOfLiveVolume(lv: LiveVolume, managed: Replication | undefined): DevicePair {
  return {
    device: lv.name,
    kind: 'live-volume',
    sourceSerial: lv.primarySerial,
    destinationSerial: lv.secondarySerial,
    ...(lv.primaryVolume ? { sourceVolume: lv.primaryVolume } : {}),
    ...(lv.secondaryVolume ? { destinationVolume: lv.secondaryVolume } : {}),
    replicationType: replicationTypeOf(lv.type, lv.syncMode),
    replicateActiveSnapshot: lv.replicateActiveReplay,
    ...(lv.primaryQosNode ? { qosNode: lv.primaryQosNode.name } : {}),
    liveVolume: lv,
    ...(managed ? { managedReplication: managed } : {}),
    broken: false,
  };
}

/** Every replicated device touching a set of Storage Centers, read fresh for one command. */
export class Topology {
  private constructor(readonly pairs: DevicePair[]) {}

  static async load(api: DsmApi, serials: number[], signal: AbortSignal): Promise<Topology> {
    const replications = new Map<string, Replication>();
    const liveVolumes = new Map<string, LiveVolume>();
    for (const serial of new Set(serials)) {
      for (const r of await api.replicationsFrom(serial, signal)) replications.set(r.id, r);
      for (const r of await api.replicationsTo(serial, signal)) replications.set(r.id, r);
      for (const lv of await api.liveVolumes(serial, signal)) liveVolumes.set(lv.id, lv);
    }
    const pairs: DevicePair[] = [];
    const managedBySource = new Map<string, Replication>();
    for (const r of replications.values()) {
      if (r.managedByLiveVolume) managedBySource.set(r.sourceVolume.id, r);
      else pairs.push(pairOfReplication(r));
    }
    for (const lv of liveVolumes.values()) {
      pairs.push(pairOfLiveVolume(lv, lv.primaryVolume ? managedBySource.get(lv.primaryVolume.id) : undefined));
    }
    return new Topology(pairs);
  }

  /** Pairs of a device: matched by device name or by either volume's name. */
  find(device: string): DevicePair[] {
    return this.pairs.filter(
      (p) => p.device === device || p.sourceVolume?.name === device || p.destinationVolume?.name === device,
    );
  }

  /** The device's pair on a given Storage Center, on either side. */
  findOn(device: string, serial: number): DevicePair | undefined {
    return this.find(device).find((p) => p.sourceSerial === serial || p.destinationSerial === serial);
  }

  /** Every pair touching one of the serials, once. */
  onSerials(serials: readonly number[]): DevicePair[] {
    const wanted = new Set(serials);
    return this.pairs.filter((p) => wanted.has(p.sourceSerial) || wanted.has(p.destinationSerial));
  }

  onSerial(serial: number): DevicePair[] {
    return this.pairs.filter((p) => p.sourceSerial === serial || p.destinationSerial === serial);
  }
}
