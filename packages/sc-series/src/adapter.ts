import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
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
  type DiscoverDevicesRequest,
  type DiscoveredArray,
  type DiscoveredDevice,
  type InputIssue,
  type StorageAdapter,
  type SyncStatusResult,
} from '@drctl/domain';
import { DsmApi, type QosNode } from './dsm/api.js';
import { DsmClient } from './http/dsm-client.js';
import { adapterLogger } from './logging.js';
import { CommandReads } from './reads.js';
import { ArrayIds, perDevice, perDeviceInTwoRounds, toDeviceError, type Core, type DeviceOutcome } from './core.js';
import { loadTopology } from './commands/locate.js';
import { readSyncStatus, reportSyncStart, takeSyncReplay, type SyncReplayTaken } from './commands/sync-start.js';
import { testFailoverStartDevice, testFailoverStopDevice } from './commands/test-failover.js';
import { failoverDevice, prepareFailoverDevice } from './commands/failover.js';
import { prepareReverseDevice, restoreDevice, reverseDevice } from './commands/reverse.js';
import { discoverArrays, discoverDevices } from './discovery.js';
import type { Topology } from './topology.js';
import { readSelectableSnapshot, withDsmSelectableSnapshot } from './dsm/selectable-snapshot-setting.js';
import { selectableSnapshotHonoured } from './snapshot-selection.js';

export interface ScSeriesAdapterOptions {
  /** DSM Data Collector host. */
  host: string;
  /** @default 3033 */
  port?: number;
  username: string;
  /** Resolved from `passwordEnv` / `passwordFile` (see `resolveDsmPassword`); never logged. */
  password: string;
  /** CA bundle (PEM text) that signed the Data Collector's certificate. */
  caPem?: string;
  /** A file holding the CA bundle; read once at creation. */
  caFile?: string;
  /** Verify the Data Collector's certificate. Turning it off is logged as a warning. @default true */
  verifyTls?: boolean;
  /** Sent in `x-dell-api-version` until DSM asks for another. @default "4.0" */
  apiVersion?: string;
  /** Only these Storage Center serial numbers are used. */
  storageCenters?: number[];
  /** Environment array id → Storage Center serial number. */
  arrays: Record<string, number>;
  clock: Clock;
  logger?: Logger;
  /** Bound on one HTTP exchange. @default 30000 */
  requestTimeoutMs?: number;
  /** Wait between AsyncTask polls. @default 1000 */
  asyncPollIntervalMs?: number;
  /** Attempts for a transiently failing read. @default 3 */
  readAttempts?: number;
  /** First retry wait, doubled each time. @default 1000 */
  retryBaseDelayMs?: number;
  /** Devices handled at once within one command. @default 4 */
  deviceConcurrency?: number;
  /** QoS node used to reverse replication when the original's name is not found on the new source. */
  qosNode?: string;
  /** Replaces the HTTPS agent (tests: undici MockAgent). */
  dispatcher?: Dispatcher;
  /**
   * Share reads across a command's devices (one list per object type and Storage Center).
   * `false` reads per device, as the adapter did before: the benchmark's baseline. @default true
   */
  shareReads?: boolean;
}

/** The SC Series adapter plus a few extras for tests and benchmarks. */
export interface ScSeriesAdapter extends StorageAdapter {
  readonly kind: 'sc-series';
  close(): Promise<void>;
  /** HTTP counters of the session: requests sent, logins, read retries. */
  readonly stats: { requests: number; logins: number; retries: number };
  /** API version DSM reported (after negotiation). */
  readonly apiVersion: string;
  /** The replication QoS nodes defined on one array (read only; for `drctl check --live`). */
  qosNodes(request: { arrayId: string; signal: AbortSignal }): Promise<QosNode[]>;
}

/** Commands where DSM picks the snapshot to present (§5.8, Table 1). */
const SNAPSHOT_CHOOSING = new Set(['testFailoverStart', 'failover']);

function validate(options: ScSeriesAdapterOptions): void {
  const issues: InputIssue[] = [];
  if (typeof options.host !== 'string' || options.host.trim() === '')
    issues.push({ path: 'host', message: 'the Data Collector host is required' });
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535))
    issues.push({ path: 'port', message: 'must be a port number (1–65535)' });
  if (typeof options.username !== 'string' || options.username === '')
    issues.push({ path: 'username', message: 'required' });
  if (typeof options.password !== 'string' || options.password === '')
    issues.push({ path: 'password', message: 'required (from passwordEnv or passwordFile)' });
  if (typeof options.arrays !== 'object' || options.arrays === null)
    issues.push({ path: 'arrays', message: 'map of array id to Storage Center serial required' });
  else
    for (const [id, serial] of Object.entries(options.arrays))
      if (!Number.isInteger(serial))
        issues.push({ path: `arrays.${id}`, message: 'must be a Storage Center serial number' });
  if (!options.clock) issues.push({ path: 'clock', message: 'a Clock is required' });
  if (options.apiVersion !== undefined && !/^\d+(\.\d+)*$/.test(options.apiVersion))
    issues.push({ path: 'apiVersion', message: 'must look like "4.0"' });
  if (issues.length > 0) throw new DrError('DR_INPUT_INVALID', 'Invalid SC Series adapter options.', { issues });
}

export function createScSeriesAdapter(options: ScSeriesAdapterOptions): ScSeriesAdapter {
  validate(options);
  const port = options.port ?? 3033;
  const logger = adapterLogger(options.logger, { component: 'sc-series', dsm: `${options.host}:${port}` });
  let caPem = options.caPem;
  if (!caPem && options.caFile) {
    try {
      caPem = readFileSync(options.caFile, 'utf8');
    } catch (cause) {
      throw new DrError('DR_INPUT_INVALID', `The CA file ${options.caFile} cannot be read.`, {
        cause,
        issues: [{ path: 'caFile', message: 'file cannot be read' }],
      });
    }
  }
  const client = new DsmClient({
    host: options.host,
    port,
    username: options.username,
    password: options.password,
    apiVersion: options.apiVersion ?? '4.0',
    ...(caPem ? { caPem } : {}),
    verifyTls: options.verifyTls ?? true,
    clock: options.clock,
    logger,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    asyncPollIntervalMs: options.asyncPollIntervalMs ?? 1000,
    readAttempts: options.readAttempts ?? 3,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const api = new DsmApi(client);
  const core: Core = {
    api,
    client,
    ids: new ArrayIds(options.arrays),
    clock: options.clock,
    logger,
    settings: {
      deviceConcurrency: options.deviceConcurrency ?? 4,
      ...(options.qosNode ? { qosNode: options.qosNode } : {}),
    },
    syncBaselines: new Map(),
    // Replaced for each command and discovery; this one serves nothing but the type.
    reads: new CommandReads(api, false, new AbortController().signal),
  };

  type Handler = (
    core: Core,
    topology: Topology,
    request: DeviceCommandRequest,
    serial: number,
    device: string,
  ) => Promise<DeviceOutcome>;

  /**
   * A handler in two rounds: `first` for every device, then `then` for each that got through,
   * given the command's read stamp after every first round (see `perDeviceInTwoRounds`).
   */
  interface TwoRounds<T> {
    first: (
      core: Core,
      topology: Topology,
      request: DeviceCommandRequest,
      serial: number,
      device: string,
    ) => Promise<T>;
    then: (
      core: Core,
      request: DeviceCommandRequest,
      device: string,
      value: T,
      after: number,
    ) => Promise<DeviceOutcome>;
  }

  /** Loads the array's replications once, then runs the handler per device. */
  async function deviceCommand<T>(
    name: string,
    request: DeviceCommandRequest,
    handler: Handler | TwoRounds<T>,
  ): Promise<DeviceCommandResult> {
    const serial = core.ids.serialOf(request.arrayId);
    logger.info(
      {
        command: name,
        arrayId: request.arrayId,
        devices: request.devices.length,
        workflow: request.context.workflow,
        runId: request.context.runId,
      },
      'storage command',
    );
    let topology: Topology;
    try {
      topology = await loadTopology(core, serial, request.signal);
    } catch (error) {
      if (request.signal.aborted) throw abortReason(request.signal);
      // DSM is unreachable or refused us: every device shares the reason.
      const problem = toDeviceError(error);
      logger.warn({ command: name, code: problem.code }, 'storage command failed before any device');
      return { devices: request.devices.map((device) => ({ device, status: 'error', error: problem, warnings: [] })) };
    }
    // §5.8: DSM applies its own selectable-snapshot setting; read it where Table 1 honours it.
    let settingWarning: string | undefined;
    if (SNAPSHOT_CHOOSING.has(name) && selectableSnapshotHonoured(request.context).honoured) {
      try {
        const setting = withDsmSelectableSnapshot(
          request.context,
          await readSelectableSnapshot(client, request.signal),
        );
        request = { ...request, context: setting.context };
        settingWarning = setting.warning;
      } catch (error) {
        if (request.signal.aborted) throw abortReason(request.signal);
        const problem = toDeviceError(error);
        return {
          devices: request.devices.map((device) => ({ device, status: 'error', error: problem, warnings: [] })),
        };
      }
    }
    // One set of reads per command: several devices share list calls, one device reads its own objects.
    const shared = (options.shareReads ?? true) && request.devices.length > 1;
    const commandCore: Core = { ...core, reads: new CommandReads(api, shared, request.signal) };
    const commandRequest = request;
    const concurrency = core.settings.deviceConcurrency;
    const devices =
      typeof handler === 'function'
        ? await perDevice(request, concurrency, (device) =>
            handler(commandCore, topology, commandRequest, serial, device),
          )
        : await perDeviceInTwoRounds(
            request,
            concurrency,
            (device) => handler.first(commandCore, topology, commandRequest, serial, device),
            (() => {
              let after: number | undefined;
              return (device: string, value: T) => {
                // Every first round is over: readings from here on are after every device's work.
                after ??= commandCore.reads.stamp();
                return handler.then(commandCore, commandRequest, device, value, after);
              };
            })(),
          );
    if (settingWarning !== undefined) for (const d of devices) d.warnings.unshift(settingWarning);
    return { devices };
  }

  const adapter: ScSeriesAdapter = {
    kind: 'sc-series',
    get stats() {
      return client.stats;
    },
    get apiVersion() {
      return client.apiVersion;
    },
    async queryInfo(request: BaseRequest): Promise<AdapterInfo> {
      if (request.signal.aborted) throw abortReason(request.signal);
      return { name: 'drctl SC Series adapter (Dell Storage Manager REST)', version: '0.1.0', vendor: 'Dell' };
    },
    async queryCapabilities(request: BaseRequest): Promise<AdapterCapabilities> {
      if (request.signal.aborted) throw abortReason(request.signal);
      return {
        commands: [...STORAGE_COMMANDS],
        replicationTypes: ['async', 'sync-high-availability', 'sync-high-consistency'],
        // Groups are snapshotted through their Consistent replay profile and recovered from a
        // common consistent snapshot (commands/consistency.ts), all over the DSM REST API.
        supportsConsistencyGroups: true,
        supportsStretchedStorage: true,
      };
    },
    async discoverArrays(request: BaseRequest): Promise<DiscoveredArray[]> {
      return rethrowAsStorageError(() => discoverArrays(core, options.storageCenters, request.signal), request.signal);
    },
    async discoverDevices(request: DiscoverDevicesRequest): Promise<DiscoveredDevice[]> {
      const serial = core.ids.serialOf(request.arrayId);
      const peer = request.peerArrayId === undefined ? undefined : core.ids.serialOf(request.peerArrayId);
      // Discovery reads every device of the array: list calls per Storage Center, not per device.
      const discovery: Core = { ...core, reads: new CommandReads(api, true, request.signal) };
      return rethrowAsStorageError(() => discoverDevices(discovery, serial, peer, request.signal), request.signal);
    },
    // SRA's split: syncOnce starts the sync, querySyncStatus reads its progress (sync-start.ts).
    // Every replay first, then one progress reading for all the devices (sync-start.ts).
    syncOnce: (request) =>
      deviceCommand<SyncReplayTaken>('syncOnce', request, { first: takeSyncReplay, then: reportSyncStart }),
    async querySyncStatus(request: DeviceCommandRequest): Promise<SyncStatusResult> {
      const progress: SyncStatusResult['progress'] = [];
      const result = await deviceCommand('querySyncStatus', request, async (c, topology, req, serial, device) => {
        const p = await readSyncStatus(c, topology, req, serial, device);
        progress.push({
          device,
          status: p.complete ? 'complete' : 'in-progress',
          percent: p.percent,
          ...(p.amountRemaining !== undefined ? { remaining: p.amountRemaining } : {}),
        });
        return {};
      });
      const order = new Map(request.devices.map((d, i) => [d, i]));
      progress.sort((a, b) => (order.get(a.device) ?? 0) - (order.get(b.device) ?? 0));
      return { ...result, progress };
    },
    testFailoverStart: (request) => deviceCommand('testFailoverStart', request, testFailoverStartDevice),
    testFailoverStop: (request) => deviceCommand('testFailoverStop', request, testFailoverStopDevice),
    prepareFailover: (request) => deviceCommand('prepareFailover', request, prepareFailoverDevice),
    failover: (request) => deviceCommand('failover', request, failoverDevice),
    prepareReverseReplication: (request) => deviceCommand('prepareReverseReplication', request, prepareReverseDevice),
    reverseReplication: (request) => deviceCommand('reverseReplication', request, reverseDevice),
    restoreReplication: (request) => deviceCommand('restoreReplication', request, restoreDevice),
    async qosNodes({ arrayId, signal }) {
      return rethrowAsStorageError(() => api.qosNodes(core.ids.serialOf(arrayId), signal), signal);
    },
    close: () => client.close(),
  };
  return adapter;
}

async function rethrowAsStorageError<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    if (error instanceof DrError) throw error;
    const problem = toDeviceError(error);
    throw new DrError('DR_STORAGE_ERROR', `SC Series discovery failed: ${problem.description}`, {
      cause: error,
      details: { code: problem.code },
    });
  }
}
