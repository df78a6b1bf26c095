import {
  DrError,
  REPLICATION_TYPES,
  STORAGE_COMMANDS,
  type AdapterCapabilities,
  type AdapterInfo,
  type BaseRequest,
  type DeviceCommandRequest,
  type DeviceCommandResult,
  type DeviceResult,
  type DiscoverDevicesRequest,
  type DiscoveredArray,
  type DiscoveredDevice,
  type StorageAdapter,
  type StorageCommand,
  type SyncStatusResult,
} from '@drctl/domain';
import { throwIfAborted, untilAborted } from './abort.js';
import { liveVolumeError, LIVE_VOLUME_CHECKED } from './live-volume-support.js';
import { lostDataCollector } from './data-collector.js';
import { pointInTime } from './point-in-time.js';
import type { WorldCore } from './core.js';
import type { DeviceState } from './state.js';
import {
  SIM_ERROR_CODES,
  TRANSITIONS,
  accessOn,
  lastReplicated,
  notOnArray,
  roleOn,
  startSync,
  type Transition,
  type TransitionCommand,
} from './transitions.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The SRA command set over the simulated arrays (adapter kind `simulated`). Commands take
 * virtual time per device (devices of one call side by side), apply their change when a
 * device's work finishes, answer per device, and are idempotent: a repeat that finds the change
 * already made returns success with a warning and records no effect.
 */
export class SimulatedStorage implements StorageAdapter {
  readonly kind = 'simulated';

  constructor(private readonly core: WorldCore) {}

  async queryInfo({ signal }: BaseRequest): Promise<AdapterInfo> {
    await this.plainCommand('queryInfo', signal);
    return { name: 'drctl simulated storage', version: '1.0.0', vendor: 'drctl' };
  }

  async queryCapabilities({ signal }: BaseRequest): Promise<AdapterCapabilities> {
    await this.plainCommand('queryCapabilities', signal);
    return {
      commands: [...STORAGE_COMMANDS],
      replicationTypes: [...REPLICATION_TYPES],
      // A group's syncs freeze its devices together and a frozen recovery finds the group's
      // common point, or fails the group (point-in-time.ts), as SC Series does (§5.7).
      supportsConsistencyGroups: true,
      supportsStretchedStorage: true,
    };
  }

  /** Arrays whose site answers, with the peers of their enabled array pairs. */
  async discoverArrays({ signal }: BaseRequest): Promise<DiscoveredArray[]> {
    await this.plainCommand('discoverArrays', signal);
    return this.core.env.arrays
      .filter((a) => !this.core.isSiteDown(a.site))
      .map((a) => {
        const peers = this.core.env.arrayPairs
          .filter((p) => p.enabled && p.arrays.includes(a.id))
          .map((p) => (p.arrays[0] === a.id ? p.arrays[1] : p.arrays[0]));
        return { id: a.id, name: a.id, site: a.site, ...(a.serial === undefined ? {} : { serial: a.serial }), peers };
      });
  }

  /** Devices replicating on the array (as source or target, in the current direction). */
  async discoverDevices({ signal, arrayId, peerArrayId }: DiscoverDevicesRequest): Promise<DiscoveredDevice[]> {
    await this.plainCommand('discoverDevices', signal, arrayId);
    const out: DiscoveredDevice[] = [];
    for (const volume of this.core.env.volumes) {
      const device = this.core.devices.get(volume.id)!;
      const role = roleOn(device, arrayId);
      if (role === undefined) continue;
      const peer = role === 'source' ? device.target : device.source;
      if (peerArrayId !== undefined && peer !== peerArrayId) continue;
      const onOriginalSource = arrayId === volume.sourceArray;
      const qos = onOriginalSource ? volume.qosProfile : volume.targetQosProfile;
      const peerQos = onOriginalSource ? volume.targetQosProfile : volume.qosProfile;
      const replicated = lastReplicated(device, this.core.clock.now());
      out.push({
        id: volume.id,
        arrayId,
        peerArrayId: peer,
        role,
        state: accessOn(device, arrayId),
        replicationType: volume.replication,
        replicateActiveSnapshot: volume.replicateActiveSnapshot,
        ...(volume.consistencyGroup === undefined ? {} : { consistencyGroup: volume.consistencyGroup }),
        ...(volume.liveVolume === undefined ? {} : { liveVolume: { ...volume.liveVolume } }),
        ...(qos === undefined ? {} : { qosProfile: qos }),
        ...(peerQos === undefined ? {} : { peerQosProfile: peerQos }),
        ...(replicated?.replicatedAt === undefined ? {} : { lastReplicatedAt: iso(replicated.replicatedAt) }),
        promoted: role === 'target' && device.targetPromoted,
      });
    }
    return out;
  }

  /**
   * Starts a sync, as SRA's `syncOnce` does: takes a replay on the source, which then replicates
   * for the volume's `syncSeconds`, and returns; `querySyncStatus` follows its progress. A repeat
   * with the same idempotency key is a no-op for the sync already started.
   */
  async syncOnce(request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    const groupFrozenAt = this.core.clock.now();
    return this.deviceCommand(
      'syncOnce',
      request,
      async (id, device) => {
        const { signal } = request;
        const core = this.core;
        const volume = core.volumes.get(id)!;
        const transition = startSync({
          ...this.transitionInput(device, request),
          key: request.idempotencyKey,
          syncMs: core.timing(volume.syncSeconds, 'sync', id),
          ...(request.context.consistencyGroups?.[id] !== undefined ? { takenAt: groupFrozenAt } : {}),
        });
        if (transition.kind === 'error') return transition;
        if (transition.kind === 'effect') this.apply('syncOnce', request.arrayId, transition.next);
        signal.throwIfAborted();
        request.onProgress?.({ device: id, percent: 0, message: 'replicating' });
        return transition;
      },
      'syncStart',
    );
  }

  /** Per device: `complete`, or `in-progress` with the share of the sync's time elapsed. */
  async querySyncStatus(request: DeviceCommandRequest): Promise<SyncStatusResult> {
    const ids = await this.enter('querySyncStatus', request);
    await this.core.sleep(this.core.duration('querySyncStatus', request.arrayId), request.signal);
    this.checkReachable('querySyncStatus', request.arrayId);
    const now = this.core.clock.now();
    const devices: DeviceResult[] = [];
    const progress: SyncStatusResult['progress'] = [];
    for (const id of ids) {
      const device = this.core.devices.get(id);
      const failure = this.precheck('querySyncStatus', id, device, request.arrayId);
      if (failure) {
        devices.push(failure);
        continue;
      }
      const job = device!.sync;
      // A stalled replication stops half way and stays there (sync-stalls fault).
      const stalled = job !== undefined && this.core.syncStalls(id);
      const seen = stalled ? Math.min(now, (job.startedAt + job.finishesAt) / 2) : now;
      const running = job !== undefined && (stalled || job.finishesAt > now);
      const percent = running ? (100 * (seen - job.startedAt)) / Math.max(1, job.finishesAt - job.startedAt) : 100;
      progress.push({ device: id, status: running ? 'in-progress' : 'complete', percent });
      devices.push({
        device: id,
        status: 'success',
        warnings: [],
        state: accessOn(device!, request.arrayId),
        ...(job ? { details: { replay: job.replay } } : {}),
      });
    }
    return { devices, progress };
  }

  testFailoverStart(request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    return this.transitionCommand('testFailoverStart', request);
  }

  async testFailoverStop(request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    const result = await this.transitionCommand('testFailoverStop', request);
    // Discarding a view volume a datastore still uses is allowed (force cleanup does it), but said.
    const site = this.core.arraySite(request.arrayId);
    const mounts =
      site === undefined ? [] : [...(this.core.sites.get(site)?.mounts.values() ?? [])].filter((m) => m.test);
    for (const r of result.devices) {
      const users = mounts.filter((m) => m.devices.includes(r.device)).map((m) => m.datastore);
      if (r.status === 'success' && users.length > 0)
        r.warnings.push(`The test copy of ${r.device} was still mounted as ${users.join(', ')} at ${site}.`);
    }
    return result;
  }

  prepareFailover(request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    return this.transitionCommand('prepareFailover', request);
  }

  failover(request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    return this.transitionCommand('failover', request);
  }

  prepareReverseReplication(request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    return this.transitionCommand('prepareReverseReplication', request);
  }

  reverseReplication(request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    return this.transitionCommand('reverseReplication', request);
  }

  restoreReplication(request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    return this.transitionCommand('restoreReplication', request);
  }

  async close(): Promise<void> {}

  // ---- machinery ----------------------------------------------------------------------------

  private transitionCommand(command: TransitionCommand, request: DeviceCommandRequest): Promise<DeviceCommandResult> {
    return this.deviceCommand(command, request, async (_id, device) => {
      const transition = TRANSITIONS[command](this.transitionInput(device, request));
      if (transition.kind === 'effect') this.apply(command, request.arrayId, transition.next);
      return transition;
    });
  }

  private transitionInput(device: DeviceState, request: DeviceCommandRequest) {
    const peer = request.arrayId === device.source ? device.target : device.source;
    const peerSite = this.core.arraySite(peer);
    return {
      device,
      volume: this.core.volumes.get(device.id)!,
      array: request.arrayId,
      now: this.core.clock.now(),
      peerReachable: peerSite !== undefined && !this.core.isSiteDown(peerSite),
      context: request.context,
      point: pointInTime(device, this.core.volumes.get(device.id)!, request.context, this.core.clock.now(), (id) =>
        this.core.devices.get(id),
      ),
    };
  }

  private apply(command: StorageCommand, array: string, next: DeviceState): void {
    this.core.changed('devices');
    this.core.devices.set(next.id, next);
    this.core.recordEffect(command, next.id, array);
  }

  /**
   * Runs a device command: checks the array, honours hang faults, then works on each device
   * for its own (jittered) time and settles it with `act` — errors from injected faults and
   * unknown devices come first. Results keep the request's device order.
   */
  private async deviceCommand(
    command: StorageCommand,
    request: DeviceCommandRequest,
    act: (id: string, device: DeviceState) => Promise<Transition>,
    durationName: 'syncStart' | Exclude<StorageCommand, 'syncOnce'> = command as Exclude<StorageCommand, 'syncOnce'>,
  ): Promise<DeviceCommandResult> {
    const ids = await this.enter(command, request);
    const { signal } = request;
    const results = await Promise.all(
      ids.map(async (id): Promise<DeviceResult> => {
        await this.core.sleep(this.core.duration(durationName, id), signal);
        this.checkReachable(command, request.arrayId);
        const device = this.core.devices.get(id);
        const failure = this.precheck(command, id, device, request.arrayId);
        const result = failure ?? this.toResult(id, await act(id, device!), request.arrayId, command);
        request.onProgress?.({ device: id, percent: 100 });
        return result;
      }),
    );
    return { devices: results };
  }

  /** Common entry of device commands: abort, array and site checks, call counts, hang faults. */
  private async enter(command: StorageCommand, request: DeviceCommandRequest): Promise<string[]> {
    throwIfAborted(request.signal);
    this.checkReachable(command, request.arrayId);
    const ids = [...new Set(request.devices)];
    for (const id of ids) this.core.tally(command, id, 'call');
    if (
      ids.some((id) => this.core.storageFault('hang', command, id)) ||
      (ids.length === 0 && this.core.storageFault('hang', command))
    ) {
      await untilAborted(request.signal);
    }
    return ids;
  }

  /** Per-device failures that do not depend on the command's own logic. */
  private precheck(
    command: StorageCommand,
    id: string,
    device: DeviceState | undefined,
    arrayId: string,
  ): DeviceResult | undefined {
    let error: DeviceResult['error'];
    if (!device)
      error = {
        code: SIM_ERROR_CODES.deviceUnknown,
        description: `Array ${arrayId} has no replicated device ${id}.`,
        fixHint: 'Use the device ids discoverDevices returns.',
      };
    else if (roleOn(device, arrayId) === undefined)
      error = (notOnArray(id, arrayId) as Extract<Transition, { kind: 'error' }>).error;
    else if (LIVE_VOLUME_CHECKED.has(command)) error = liveVolumeError(id, this.core.volumes.get(id));
    if (!error && this.core.storageFault('error', command, id)) {
      error = {
        code: SIM_ERROR_CODES.injected,
        description: `${command} failed on device ${id} (injected fault).`,
        fixHint: `Remove the --inject error:${command} fault.`,
      };
    }
    if (!error) return undefined;
    this.core.tally(command, id, 'error');
    return { device: id, status: 'error', error, warnings: [] };
  }

  private toResult(id: string, transition: Transition, arrayId: string, command: StorageCommand): DeviceResult {
    if (transition.kind === 'error') {
      this.core.tally(command, id, 'error');
      return { device: id, status: 'error', error: transition.error, warnings: [] };
    }
    const device = this.core.devices.get(id)!;
    // After testFailoverStart what the hosts get is the writable test copy, not the replica.
    const state =
      command === 'testFailoverStart' && device.testCopy?.array === arrayId ? 'read-write' : accessOn(device, arrayId);
    if (transition.kind === 'settled') {
      this.core.tally(command, id, 'call');
      return { device: id, status: 'success', warnings: [], state, details: transition.details };
    }
    if (transition.kind === 'no-op') {
      this.core.tally(command, id, 'no-op');
      return {
        device: id,
        status: 'success',
        warnings: [transition.warning],
        state,
        ...(transition.details ? { details: transition.details } : {}),
      };
    }
    return {
      device: id,
      status: 'success',
      warnings: [...transition.warnings],
      state,
      ...(transition.details ? { details: transition.details } : {}),
    };
  }

  /** Non-device commands: a short wait, site checks on the array if any, injected faults. */
  private async plainCommand(command: StorageCommand, signal: AbortSignal, arrayId?: string): Promise<void> {
    throwIfAborted(signal);
    if (arrayId !== undefined) this.checkReachable(command, arrayId);
    this.core.tally(command, undefined, 'call');
    if (this.core.storageFault('hang', command)) await untilAborted(signal);
    await this.core.sleep(
      this.core.duration(command as Exclude<StorageCommand, 'syncOnce'>, arrayId ?? command),
      signal,
    );
    if (arrayId !== undefined) this.checkReachable(command, arrayId);
    if (this.core.storageFault('error', command)) {
      this.core.tally(command, undefined, 'error');
      throw new DrError(
        'DR_STORAGE_ERROR',
        `${command} failed${arrayId === undefined ? '' : ` on array ${arrayId}`} (injected fault).`,
        { details: { command, ...(arrayId === undefined ? {} : { array: arrayId }) } },
      );
    }
  }

  /** Unknown array: DR_STORAGE_ERROR; array at a site that is down: DR_SITE_UNREACHABLE. */
  private checkReachable(command: StorageCommand, arrayId: string): void {
    const site = this.core.arraySite(arrayId);
    if (site === undefined) {
      throw new DrError('DR_STORAGE_ERROR', `${command}: unknown array ${arrayId}.`, {
        details: { command, array: arrayId, known: [...this.core.arrays.keys()] },
      });
    }
    if (this.core.isSiteDown(site)) {
      throw new DrError('DR_SITE_UNREACHABLE', `${command}: array ${arrayId} at site ${site} does not answer.`, {
        details: { command, array: arrayId, site },
      });
    }
    // §4.1: the Data Collector relays every SRA call; one lost with its site reaches no array,
    // even one at the surviving site (a Remote Data Collector there keeps its manager going).
    const collector = lostDataCollector(this.core.env, arrayId, (s) => this.core.isSiteDown(s));
    if (collector) {
      throw new DrError(
        'DR_SITE_UNREACHABLE',
        `${command}: array ${arrayId} is managed through the Data Collector ${collector.host} of array manager ${collector.manager}, which runs at site ${collector.site}, and that site is down (§4.1).`,
        { details: { command, array: arrayId, arrayManager: collector.manager, dataCollectorSite: collector.site } },
      );
    }
  }
}
