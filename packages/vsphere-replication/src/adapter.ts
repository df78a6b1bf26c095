import {
  DrError,
  STORAGE_COMMANDS,
  abortReason,
  type AdapterCapabilities,
  type AdapterInfo,
  type BaseRequest,
  type Clock,
  type DeviceCommandRequest,
  type DeviceCommandResult,
  type DeviceResult,
  type DiscoverDevicesRequest,
  type DiscoveredArray,
  type DiscoveredDevice,
  type Environment,
  type StorageAdapter,
  type SyncStatusResult,
} from '@drctl/domain';
import { MAX_INSTANCES, parseSnapshot, type ReplicationSnapshot, type VmReplication } from './state.js';

export interface VsphereReplicationOptions {
  env: Environment;
  clock: Clock;
  /** Seeds the simulated synchronization times. @default env.seed */
  seed?: number;
  /** Only the protection groups naming this array manager (all vSphere-replication groups when unset). */
  arrayManager?: string;
}

export interface VsphereReplicationAdapter extends StorageAdapter {
  readonly kind: 'vsphere-replication';
  /** The replication state as JSON, for the engine to persist. */
  snapshot(): ReplicationSnapshot;
  /** Puts back a state taken by `snapshot()`; syncs that were running are simply not finished. */
  restore(snapshot: unknown): void;
}

/** The id of the replication "array" at a site: vSphere Replication runs per site, not per array. */
export function vrArrayId(site: string): string {
  return `vr-${site}`;
}

/** Small deterministic hash (FNV-1a) for seeded per-VM timings. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

class Failure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fixHint?: string,
  ) {
    super(message);
  }
}

interface Outcome {
  warnings?: string[];
  details?: Record<string, string>;
  state?: 'read-only' | 'read-write';
}

/**
 * vSphere Replication behind the storage port, in memory: one device per replicated VM (the VM's
 * name), grouped by the environment's vSphere-replication protection groups, with the group's RPO,
 * point-in-time instances at the target, test copies, failover and reverse. Every command is
 * idempotent: a repeat that finds its effect in place succeeds with a warning and changes nothing.
 */
export function createVsphereReplicationAdapter(options: VsphereReplicationOptions): VsphereReplicationAdapter {
  const { env, clock } = options;
  const seed = options.seed ?? env.seed;
  const sites = env.sites.map((s) => s.name);
  let vms = new Map<string, VmReplication>();
  let completedSyncs = new Map<string, string>();
  /** Running syncs: VM → start and end (not persisted: a restored run syncs again). */
  const running = new Map<string, { startedAt: number; endsAt: number; done: Promise<void> }>();

  for (const group of env.protectionGroups) {
    if (group.type !== 'vsphere-replication') continue;
    if (options.arrayManager && group.arrayManager && group.arrayManager !== options.arrayManager) continue;
    for (const name of group.vms) {
      const vm = env.vms.find((v) => v.name === name);
      if (!vm) continue;
      const targetSite = sites.find((s) => s !== vm.site) ?? vm.site;
      vms.set(name, {
        vm: name,
        group: group.name,
        rpoMinutes: group.rpoMinutes,
        sourceSite: vm.site,
        targetSite,
        status: 'replicating',
        lastSyncAt: clock.now(),
        instances: [{ id: `${name}@0`, at: clock.now() }],
        syncSeconds: 15 + (hash(`${seed}:${name}`) % 106),
        instanceCounter: 1,
      });
    }
  }

  function siteOf(arrayId: string): string {
    if (sites.includes(arrayId)) return arrayId;
    const prefixed = /^vr[-:](.+)$/.exec(arrayId)?.[1];
    if (prefixed && sites.includes(prefixed)) return prefixed;
    const array = env.arrays.find((a) => a.id === arrayId);
    if (array) return array.site;
    throw new DrError('DR_INPUT_INVALID', `Array ${arrayId} is not a vSphere Replication site.`, {
      issues: [{ path: 'arrayId', message: `use a site name or ${sites.map(vrArrayId).join(', ')}` }],
    });
  }

  function vmOf(device: string): VmReplication {
    const vm = vms.get(device);
    if (!vm)
      throw new Failure(
        'VR_NOT_REPLICATED',
        `VM ${device} is not replicated by vSphere Replication.`,
        'Add it to a vSphere-replication protection group.',
      );
    return vm;
  }

  function wrongSite(vm: VmReplication, site: string, expected: 'source' | 'target'): Failure {
    return new Failure(
      'VR_WRONG_SITE',
      `VM ${vm.vm} replicates from ${vm.sourceSite} to ${vm.targetSite}; ${site} is not its ${expected} site.`,
      'Check the site the command targets and the replication direction (a reprotect may be pending).',
    );
  }

  function latestInstance(vm: VmReplication) {
    return vm.instances[vm.instances.length - 1]!;
  }

  /** The instance a recovery uses: the latest, or the one the plan names for this VM. */
  function chosenInstance(vm: VmReplication, request: DeviceCommandRequest) {
    const wanted = request.context.restorePoints?.[vm.vm];
    if (!wanted) return latestInstance(vm);
    const found = vm.instances.find((i) => i.id === wanted);
    if (!found)
      throw new Failure(
        'VR_INSTANCE_NOT_FOUND',
        `VM ${vm.vm} has no point-in-time instance ${wanted}.`,
        `Choose one of ${vm.instances.map((i) => i.id).join(', ')}.`,
      );
    return found;
  }

  function rpoWarning(vm: VmReplication, at: number): string[] {
    const ageMinutes = (clock.now() - at) / 60_000;
    return ageMinutes > vm.rpoMinutes
      ? [`The recovered data is ${Math.round(ageMinutes)} min old, beyond the group's RPO of ${vm.rpoMinutes} min.`]
      : [];
  }

  async function perDevice(
    request: DeviceCommandRequest,
    handler: (vm: VmReplication, site: string) => Promise<Outcome> | Outcome,
  ): Promise<DeviceCommandResult> {
    if (request.signal.aborted) throw abortReason(request.signal);
    const site = siteOf(request.arrayId);
    const results = await Promise.all(
      request.devices.map(async (device): Promise<DeviceResult> => {
        try {
          const outcome = await handler(vmOf(device), site);
          return {
            device,
            status: 'success',
            warnings: outcome.warnings ?? [],
            ...(outcome.details ? { details: outcome.details } : {}),
            ...(outcome.state ? { state: outcome.state } : {}),
          };
        } catch (error) {
          if (request.signal.aborted) throw abortReason(request.signal);
          const failure =
            error instanceof Failure
              ? error
              : new Failure('VR_INTERNAL', error instanceof Error ? error.message : String(error));
          return {
            device,
            status: 'error',
            error: {
              code: failure.code,
              description: failure.message,
              ...(failure.fixHint ? { fixHint: failure.fixHint } : {}),
            },
            warnings: [],
          };
        }
      }),
    );
    return { devices: results };
  }

  /** One synchronization: takes the VM's sync time on the clock, then adds a point-in-time instance. */
  function startSync(vm: VmReplication): Promise<void> {
    const existing = running.get(vm.vm);
    if (existing) return existing.done;
    const startedAt = clock.now();
    const endsAt = startedAt + vm.syncSeconds * 1000;
    const done = new Promise<void>((resolve) => {
      clock.setTimer(vm.syncSeconds * 1000, () => {
        vm.lastSyncAt = clock.now();
        vm.instances.push({ id: `${vm.vm}@${vm.instanceCounter++}`, at: vm.lastSyncAt });
        if (vm.instances.length > MAX_INSTANCES) vm.instances.shift();
        running.delete(vm.vm);
        resolve();
      });
    });
    running.set(vm.vm, { startedAt, endsAt, done });
    return done;
  }

  async function waitSync(vm: VmReplication, request: DeviceCommandRequest): Promise<void> {
    const sync = running.get(vm.vm)!;
    const { signal } = request;
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(abortReason(signal));
      signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
    });
    aborted.catch(() => undefined);
    request.onProgress?.({ device: vm.vm, percent: 0, message: `replicating ${vm.vm}` });
    await Promise.race([sync.done, aborted]);
    request.onProgress?.({ device: vm.vm, percent: 100, message: `${vm.vm} synchronized` });
  }

  const adapter: VsphereReplicationAdapter = {
    kind: 'vsphere-replication',
    async queryInfo(request: BaseRequest): Promise<AdapterInfo> {
      if (request.signal.aborted) throw abortReason(request.signal);
      return { name: 'drctl vSphere Replication (in-memory stub)', version: '0.1.0', vendor: 'VMware' };
    },
    async queryCapabilities(request: BaseRequest): Promise<AdapterCapabilities> {
      if (request.signal.aborted) throw abortReason(request.signal);
      return {
        commands: [...STORAGE_COMMANDS],
        replicationTypes: ['async'],
        supportsConsistencyGroups: false,
        supportsStretchedStorage: false,
      };
    },
    async discoverArrays(request: BaseRequest): Promise<DiscoveredArray[]> {
      if (request.signal.aborted) throw abortReason(request.signal);
      return sites.map((site) => ({
        id: vrArrayId(site),
        name: `vSphere Replication at ${site}`,
        site,
        peers: sites.filter((s) => s !== site).map(vrArrayId),
      }));
    },
    async discoverDevices(request: DiscoverDevicesRequest): Promise<DiscoveredDevice[]> {
      if (request.signal.aborted) throw abortReason(request.signal);
      const site = siteOf(request.arrayId);
      const peer = request.peerArrayId === undefined ? undefined : siteOf(request.peerArrayId);
      const out: DiscoveredDevice[] = [];
      for (const vm of vms.values()) {
        // After a failover the target copy is the live VM: seen from there it is the source.
        const liveSite = vm.status === 'failed-over' || vm.status === 'reverse-ready' ? vm.targetSite : vm.sourceSite;
        const otherSite = liveSite === vm.sourceSite ? vm.targetSite : vm.sourceSite;
        if (site !== liveSite && site !== otherSite) continue;
        const peerSite = site === liveSite ? otherSite : liveSite;
        if (peer !== undefined && peer !== peerSite) continue;
        out.push({
          id: vm.vm,
          arrayId: request.arrayId,
          peerArrayId: vrArrayId(peerSite),
          role: site === liveSite ? 'source' : 'target',
          state: site === liveSite && vm.status !== 'prepared' ? 'read-write' : 'read-only',
          replicationType: 'async',
          replicateActiveSnapshot: false,
          consistencyGroup: vm.group,
          lastReplicatedAt: new Date(vm.lastSyncAt).toISOString(),
          promoted: vm.status === 'failed-over' || vm.status === 'reverse-ready',
        });
      }
      return out;
    },

    syncOnce: (request) =>
      perDevice(request, async (vm, site): Promise<Outcome> => {
        if (site !== vm.sourceSite && site !== vm.targetSite) throw wrongSite(vm, site, 'source');
        if (vm.status === 'failed-over' || vm.status === 'reverse-ready') {
          throw new Failure(
            'VR_FAILED_OVER',
            `VM ${vm.vm} is failed over; replication resumes after reprotect.`,
            'Run reprotect.',
          );
        }
        if (completedSyncs.get(vm.vm) === request.idempotencyKey && !running.has(vm.vm)) {
          return {
            warnings: ['This synchronization already ran (same idempotency key): nothing new was replicated.'],
            details: { instance: latestInstance(vm).id },
          };
        }
        void startSync(vm);
        await waitSync(vm, request);
        completedSyncs.set(vm.vm, request.idempotencyKey);
        return { details: { instance: latestInstance(vm).id, rpoMinutes: String(vm.rpoMinutes) } };
      }),

    async querySyncStatus(request: DeviceCommandRequest): Promise<SyncStatusResult> {
      const progress: SyncStatusResult['progress'] = [];
      const result = await perDevice(request, (vm) => {
        const sync = running.get(vm.vm);
        const percent = sync
          ? Math.min(99, Math.floor((100 * (clock.now() - sync.startedAt)) / Math.max(1, sync.endsAt - sync.startedAt)))
          : 100;
        progress.push({ device: vm.vm, status: sync ? 'in-progress' : 'complete', percent });
        return {};
      });
      return { ...result, progress };
    },

    testFailoverStart: (request) =>
      perDevice(request, (vm, site): Outcome => {
        if (site !== vm.targetSite) throw wrongSite(vm, site, 'target');
        if (vm.testCopy)
          return {
            warnings: ['A test copy of this VM already exists: nothing new was created.'],
            details: { instance: vm.testCopy.instance },
            state: 'read-write',
          };
        if (vm.status !== 'replicating')
          throw new Failure('VR_NOT_REPLICATING', `VM ${vm.vm} is ${vm.status}; a test needs running replication.`);
        const instance = chosenInstance(vm, request);
        vm.testCopy = { instance: instance.id, createdAt: clock.now() };
        return {
          warnings: rpoWarning(vm, instance.at),
          details: { instance: instance.id, instanceTime: new Date(instance.at).toISOString() },
          state: 'read-write',
        };
      }),

    testFailoverStop: (request) =>
      perDevice(request, (vm, site): Outcome => {
        if (site !== vm.targetSite) throw wrongSite(vm, site, 'target');
        if (!vm.testCopy)
          return { warnings: ['No test copy of this VM exists: nothing to discard.'], state: 'read-only' };
        delete vm.testCopy;
        return { state: 'read-only' };
      }),

    prepareFailover: (request) =>
      perDevice(request, (vm, site): Outcome => {
        if (site !== vm.sourceSite) throw wrongSite(vm, site, 'source');
        if (vm.status === 'prepared')
          return { warnings: ['The protected VM is already prepared: nothing new was done.'], state: 'read-only' };
        if (vm.status !== 'replicating') throw new Failure('VR_FAILED_OVER', `VM ${vm.vm} is already ${vm.status}.`);
        vm.status = 'prepared';
        return { state: 'read-only' };
      }),

    failover: (request) =>
      perDevice(request, (vm, site): Outcome => {
        if (site !== vm.targetSite) throw wrongSite(vm, site, 'target');
        if (vm.status === 'failed-over' || vm.status === 'reverse-ready') {
          return {
            warnings: ['The VM is already failed over to this site: nothing was recovered again.'],
            details: { instance: vm.recoveredFrom ?? '' },
            state: 'read-write',
          };
        }
        if (vm.testCopy)
          throw new Failure('VR_TEST_RUNNING', `A test copy of ${vm.vm} exists.`, 'Run cleanup before recovery.');
        const instance = chosenInstance(vm, request);
        vm.status = 'failed-over';
        vm.recoveredFrom = instance.id;
        return {
          warnings: rpoWarning(vm, instance.at),
          details: { instance: instance.id, instanceTime: new Date(instance.at).toISOString() },
          state: 'read-write',
        };
      }),

    prepareReverseReplication: (request) =>
      perDevice(request, (vm, site): Outcome => {
        if (site !== vm.sourceSite) throw wrongSite(vm, site, 'source');
        if (vm.status === 'reverse-ready')
          return {
            warnings: ['The old source is already prepared to receive replication: nothing new was done.'],
            state: 'read-only',
          };
        if (vm.status !== 'failed-over')
          throw new Failure(
            'VR_NOT_FAILED_OVER',
            `VM ${vm.vm} has not been failed over.`,
            'Run a recovery before reprotecting.',
          );
        vm.status = 'reverse-ready';
        return { state: 'read-only' };
      }),

    reverseReplication: (request) =>
      perDevice(request, (vm, site): Outcome => {
        // Addressed to the new source (the site the VM now runs at).
        if (vm.status === 'replicating' && vm.sourceSite === site) {
          return {
            warnings: ['Replication already runs from this site: nothing new was done.'],
            details: { target: vrArrayId(vm.targetSite) },
          };
        }
        if (site !== vm.targetSite) throw wrongSite(vm, site, 'target');
        if (vm.status !== 'reverse-ready' && vm.status !== 'failed-over')
          throw new Failure(
            'VR_NOT_FAILED_OVER',
            `VM ${vm.vm} has not been failed over.`,
            'Run a recovery before reprotecting.',
          );
        const oldSource = vm.sourceSite;
        vm.sourceSite = vm.targetSite;
        vm.targetSite = oldSource;
        vm.status = 'replicating';
        vm.lastSyncAt = clock.now();
        // The old site's instances belong to the old direction: the reversed replication starts afresh.
        vm.instances = [{ id: `${vm.vm}@${vm.instanceCounter++}`, at: clock.now() }];
        delete vm.recoveredFrom;
        return { details: { target: vrArrayId(vm.targetSite) } };
      }),

    restoreReplication: (request) =>
      perDevice(request, (vm, site): Outcome => {
        if (vm.status === 'replicating') {
          if (site !== vm.sourceSite) throw wrongSite(vm, site, 'source');
          return {
            warnings: ['Replication already runs in the original direction: nothing new was done.'],
            state: 'read-write',
          };
        }
        if (site !== vm.sourceSite) throw wrongSite(vm, site, 'source');
        vm.status = 'replicating';
        delete vm.recoveredFrom;
        return { state: 'read-write' };
      }),

    snapshot(): ReplicationSnapshot {
      return structuredClone({
        version: 1 as const,
        vms: [...vms.values()],
        completedSyncs: [...completedSyncs.entries()],
      });
    },
    restore(snapshot: unknown): void {
      const parsed = parseSnapshot(snapshot);
      vms = new Map(parsed.vms.map((v) => [v.vm, v]));
      completedSyncs = new Map(parsed.completedSyncs);
      running.clear();
    },
  };
  return adapter;
}
