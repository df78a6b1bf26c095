import { resolvePlanVms, type Environment, type StorageCommand } from '@drctl/domain';

/**
 * The simulated world's state as plain JSON: what `world.snapshot()` returns and
 * `SimulatedWorld.restore` takes, so separate processes continue on the same environment.
 * Times are epoch milliseconds of the world's clock.
 */
export interface WorldState {
  format: typeof WORLD_STATE_FORMAT;
  version: 1;
  /** Name of the environment the state belongs to; restore refuses another. */
  environment: string;
  seed: number;
  /** When the world was first created. */
  createdAt: number;
  /** Clock time of the snapshot. */
  savedAt: number;
  devices: DeviceState[];
  sites: SiteState[];
  effects: StorageEffect[];
  calls: CallTally[];
}

export const WORLD_STATE_FORMAT = 'drctl.simulated-world';

/** A replay (SC Series snapshot) of a device. The active snapshot always exists and is implied. */
export interface Replay {
  /** Unique per device, e.g. `vol-1.r3`. */
  name: string;
  /** Array it was taken on. */
  array: string;
  reason: 'initial' | 'sync' | 'prepare-failover' | 'failsafe';
  /** When the replay was frozen. */
  takenAt: number;
  /** When it finished (or will finish) replicating to the peer; absent when it stays local. */
  replicatedAt?: number;
}

/** A writable view volume made from a replica for a test, presented at the target's site. */
export interface TestCopy {
  array: string;
  /** Replay the view was made from, or `active` for the active snapshot. */
  fromReplay: string;
  createdAt: number;
  /** The test run that made it: a later test recognises it as a leftover. Absent in older states. */
  runId?: string;
}

export interface SyncJob {
  key: string;
  replay: string;
  startedAt: number;
  finishesAt: number;
}

/**
 * One replicated device. Direction and access live here; the two arrays come from the volume.
 * - normal: `source` read-write, `target` read-only, replication running source → target;
 * - after prepareFailover: source read-only;
 * - after failover: target promoted read-write, replication broken (`failedOverTo` = target);
 *   a Live Volume instead swaps roles at failover and keeps replicating when it can;
 * - after prepareReverseReplication: the old source is ready to receive;
 * - after reverseReplication: `source`/`target` swapped, replication running again.
 */
export interface DeviceState {
  id: string;
  source: string;
  target: string;
  sourceWritable: boolean;
  targetPromoted: boolean;
  replication: 'running' | 'broken';
  reversePrepared: boolean;
  /** Array the last failover promoted; tells a repeated failover or reverse from a wrong one. */
  failedOverTo?: string;
  /** When the device was last presented read-write at each array; hosts see it after a rescan. */
  presentedAt: Record<string, number>;
  replays: Replay[];
  /** Count of replays ever taken, for unique names. */
  replayCount: number;
  testCopy?: TestCopy;
  sync?: SyncJob;
  /** Idempotency keys of syncs already started (most recent last, bounded). */
  syncKeys: string[];
}

export interface MountState {
  datastore: string;
  test: boolean;
  devices: string[];
  mountedAt: number;
}

export type PowerState = 'on' | 'off' | 'suspended';

/** A VM's presence at one site; a VM missing from a site's list is absent there. */
export interface VmState {
  vm: string;
  kind: 'placeholder' | 'registered';
  /** A test VM registered over the recovery site's copy (test failover). */
  test: boolean;
  host: string;
  power: PowerState;
  /** End of the last power-on task; the Tools heartbeat follows `toolsSeconds` later. */
  poweredOnAt?: number;
  /** Placeholder datastore holding a placeholder's files. */
  datastore?: string;
  /** Host of the placeholder a test registration replaced, put back when the test VM goes. */
  replacedPlaceholderHost?: string;
  /** Production network → network the NICs are connected to, once configured. */
  networks?: Record<string, string>;
}

export interface HostState {
  host: string;
  rescans: number;
  failedRescans: number;
  /** Start of the host's last storage scan (boot or rescan): it sees devices presented before it. */
  devicesSeenAt: number;
}

export interface SiteState {
  name: string;
  datastores: MountState[];
  vms: VmState[];
  hosts: HostState[];
}

/** One state change a storage command made. */
export interface StorageEffect {
  command: StorageCommand;
  device: string;
  /** Array the command was sent to. */
  array: string;
  at: number;
}

/** Calls of a storage command (per device for device commands), and how many changed nothing. */
export interface CallTally {
  command: StorageCommand;
  device?: string;
  calls: number;
  noOps: number;
  errors: number;
}

/** How long before the world's creation the initially running VMs were powered on. */
export const INITIAL_UPTIME_MS = 24 * 3600 * 1000;

export function initialDeviceState(env: Environment, volumeIndex: number, createdAt: number): DeviceState {
  const volume = env.volumes[volumeIndex]!;
  const replicatedAt =
    volume.lastReplicatedAt !== undefined && !Number.isNaN(Date.parse(volume.lastReplicatedAt))
      ? Date.parse(volume.lastReplicatedAt)
      : createdAt;
  return {
    id: volume.id,
    source: volume.sourceArray,
    target: volume.targetArray,
    sourceWritable: true,
    targetPromoted: false,
    replication: 'running',
    reversePrepared: false,
    presentedAt: { [volume.sourceArray]: Math.min(createdAt, replicatedAt) },
    replays: [
      { name: `${volume.id}.r1`, array: volume.sourceArray, reason: 'initial', takenAt: replicatedAt, replicatedAt },
    ],
    replayCount: 1,
    syncKeys: [],
  };
}

/**
 * The world as the environment file describes it: every datastore mounted at its site, every VM
 * registered on its host (running when `poweredOn`), and a placeholder at the recovery site of
 * the first plan protecting it, on the host `resolvePlanVms` assigns (mapped cluster, round-robin
 * in file order, or the plan's `recoveryHost`). Unprotected VMs get no placeholder.
 */
export function initialWorldState(env: Environment, seed: number, createdAt: number): WorldState {
  const sites = new Map<string, SiteState>();
  for (const site of env.sites) {
    sites.set(site.name, {
      name: site.name,
      datastores: [],
      vms: [],
      hosts: site.clusters.flatMap((c) =>
        c.hosts.map((h) => ({ host: h.name, rescans: 0, failedRescans: 0, devicesSeenAt: createdAt })),
      ),
    });
  }
  for (const ds of env.datastores) {
    sites
      .get(ds.site)
      ?.datastores.push({ datastore: ds.name, test: false, devices: [...ds.devices], mountedAt: createdAt });
  }
  for (const vm of env.vms) {
    sites.get(vm.site)?.vms.push({
      vm: vm.name,
      kind: 'registered',
      test: false,
      host: vm.host,
      power: vm.poweredOn ? 'on' : 'off',
      ...(vm.poweredOn ? { poweredOnAt: createdAt - INITIAL_UPTIME_MS } : {}),
    });
  }
  const homeSite = new Map(env.vms.map((v) => [v.name, v.site] as const));
  const placed = new Set<string>();
  for (const plan of env.plans) {
    for (const planVm of resolvePlanVms(env, plan)) {
      const at = planVm.placements[plan.recoverySite];
      const home = homeSite.get(planVm.name);
      if (!at || placed.has(planVm.name) || home === plan.recoverySite) continue;
      placed.add(planVm.name);
      sites
        .get(plan.recoverySite)
        ?.vms.push({ vm: planVm.name, kind: 'placeholder', test: false, host: at.host, power: 'off' });
    }
  }
  return {
    format: WORLD_STATE_FORMAT,
    version: 1,
    environment: env.name,
    seed,
    createdAt,
    savedAt: createdAt,
    devices: env.volumes.map((_, i) => initialDeviceState(env, i, createdAt)),
    sites: [...sites.values()],
    effects: [],
    calls: [],
  };
}
