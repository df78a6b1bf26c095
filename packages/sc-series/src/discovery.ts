import type { DiscoveredArray, DiscoveredDevice } from '@drctl/domain';
import type { Core } from './core.js';
import { lastFrozen } from './commands/replays.js';
import { failedOver } from './commands/failover.js';
import { Topology, type DevicePair } from './topology.js';

/** Storage Centers the adapter may use: those DSM manages, narrowed by the serial filter. */
export async function discoverArrays(
  core: Core,
  serialFilter: number[] | undefined,
  signal: AbortSignal,
): Promise<DiscoveredArray[]> {
  const centers = (await core.api.storageCenters(signal)).filter(
    (sc) => !serialFilter || serialFilter.includes(sc.serial),
  );
  const topology = await Topology.load(
    core.api,
    centers.map((sc) => sc.serial),
    signal,
  );
  return centers.map((sc) => {
    const peers = new Set<number>();
    for (const p of topology.onSerial(sc.serial))
      peers.add(p.sourceSerial === sc.serial ? p.destinationSerial : p.sourceSerial);
    return {
      id: core.ids.idOf(sc.serial),
      name: sc.name,
      serial: sc.serial,
      peers: [...peers].map((s) => core.ids.idOf(s)),
    };
  });
}

/** Replicated devices on one Storage Center, and devices a failover promoted there. */
export async function discoverDevices(
  core: Core,
  serial: number,
  peerSerial: number | undefined,
  signal: AbortSignal,
): Promise<DiscoveredDevice[]> {
  const topology = await Topology.load(core.api, [serial], signal);
  const qosNames = (s: number) => core.reads.qosNodes(s).catch(() => []);
  const devices: DiscoveredDevice[] = [];
  for (const pair of topology.onSerial(serial)) {
    const peer = pair.sourceSerial === serial ? pair.destinationSerial : pair.sourceSerial;
    if (peerSerial !== undefined && peer !== peerSerial) continue;
    devices.push(await deviceOf(core, pair, serial, peer, qosNames, signal));
  }
  return devices;
}

async function deviceOf(
  core: Core,
  pair: DevicePair,
  serial: number,
  peer: number,
  qosNames: (serial: number) => Promise<Array<{ id: string; name: string }>>,
  signal: AbortSignal,
): Promise<DiscoveredDevice> {
  // A replication this adapter failed over is reported from the promoted side's point of view.
  const promoted = pair.kind === 'replication' && (await failedOver(core, pair, signal));
  const role = (pair.sourceSerial === serial) !== promoted ? 'source' : 'target';
  let qosProfile: string | undefined;
  let peerQosProfile: string | undefined;
  if (pair.liveVolume) {
    const primary = pair.liveVolume.primaryQosNode?.name;
    const secondary = pair.liveVolume.secondaryQosNode?.name;
    [qosProfile, peerQosProfile] = pair.sourceSerial === serial ? [primary, secondary] : [secondary, primary];
  } else {
    // A plain replication names only the source's QoS node; the peer's is the one of the same name.
    const sourceQos = pair.qosNode;
    const onSource = pair.sourceSerial === serial;
    const nodes = await qosNames(onSource ? peer : serial);
    const otherQos = nodes.find((n) => n.name === sourceQos)?.name ?? nodes[0]?.name;
    [qosProfile, peerQosProfile] = onSource ? [sourceQos, otherQos] : [otherQos, sourceQos];
  }
  let lastReplicatedAt: string | undefined;
  if (pair.destinationVolume) {
    const replays = await core.reads.replays(pair.destinationVolume.id).catch(() => []);
    const frozen = lastFrozen(replays);
    if (frozen?.freezeTime !== undefined) lastReplicatedAt = new Date(frozen.freezeTime).toISOString();
  }
  const lv = pair.liveVolume;
  return {
    id: pair.device,
    arrayId: core.ids.idOf(serial),
    peerArrayId: core.ids.idOf(peer),
    role,
    state: role === 'source' ? 'read-write' : 'read-only',
    replicationType: pair.replicationType,
    replicateActiveSnapshot: pair.replicateActiveSnapshot,
    ...(lv
      ? {
          liveVolume: {
            autoFailover: lv.failoverAutomaticallyEnabled,
            autoRoleSwap: lv.swapRolesAutomaticallyEnabled,
            uniformMapping: false,
            ...(lv.managingReplications ? { managedReplication: true } : {}),
          },
        }
      : {}),
    ...(qosProfile ? { qosProfile } : {}),
    ...(peerQosProfile ? { peerQosProfile } : {}),
    ...(lastReplicatedAt ? { lastReplicatedAt } : {}),
    promoted,
  };
}
