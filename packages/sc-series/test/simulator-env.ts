import {
  environmentSchema,
  VirtualClock,
  type CommandContext,
  type DeviceCommandRequest,
  type DeviceCommandResult,
  type Environment,
  type SnapshotMode,
  type SyncStatusResult,
} from '@drctl/domain';
import { startDsmSimulator, type DsmSimulator } from '@drctl/dsm-simulator';
import { createScSeriesAdapter, type ScSeriesAdapter, type ScSeriesAdapterOptions } from '../src/index.js';
import { DSM_SNAPSHOT_MODES } from '../src/dsm/selectable-snapshot-setting.js';
import { capturedLogger } from './mock-dsm.js';

type SrmModeName = DsmSimulator['model']['state']['dataCollectorSettings']['srmSelectableSnapshot'];

export const PROTECTED = 'sc-12';
export const RECOVERY = 'sc-13';
export const PROTECTED_HOSTS = ['esx-p1', 'esx-p2'];
export const RECOVERY_HOSTS = ['esx-r1', 'esx-r2'];

/** Two sites, SC 12 → SC 13, with plain, active-snapshot, synchronous and Live Volume devices. */
export function environment(): Environment {
  const site = (name: string, hosts: string[]) => ({
    name,
    vcenter: `vc-${name}`,
    clusters: [{ name: `cl-${name}`, hosts: hosts.map((h) => ({ name: h })) }],
  });
  const vol = (id: string, over: object = {}) => ({
    id,
    sourceArray: PROTECTED,
    targetArray: RECOVERY,
    syncSeconds: 40,
    sizeGb: 100,
    ...over,
  });
  return environmentSchema.parse({
    name: 'sc-lab',
    sites: [site('site-a', PROTECTED_HOSTS), site('site-b', RECOVERY_HOSTS)],
    arrayManagers: [
      {
        name: 'dsm',
        site: 'site-b',
        adapter: 'sc-series',
        connection: { host: '127.0.0.1', username: 'Admin', passwordEnv: 'DSM_PASSWORD' },
      },
    ],
    arrays: [
      { id: PROTECTED, site: 'site-a', serial: 64702, arrayManager: 'dsm', qosProfile: 'WAN' },
      { id: RECOVERY, site: 'site-b', serial: 65495, arrayManager: 'dsm', qosProfile: 'WAN' },
    ],
    arrayPairs: [{ name: 'pair', arrays: [PROTECTED, RECOVERY] }],
    volumes: [
      vol('ds-app'),
      vol('ds-active', { replicateActiveSnapshot: true }),
      vol('ds-sync', { replication: 'sync-high-availability' }),
      vol('ds-stretched', { replication: 'sync-high-availability', liveVolume: {} }),
      vol('ds-stretched-afo', { liveVolume: { autoFailover: true } }),
    ],
  });
}

export interface Lab {
  sim: DsmSimulator;
  clock: VirtualClock;
  adapter: ScSeriesAdapter;
  logLines: string[];
  /** Runs an adapter call to completion in virtual time. */
  run<T>(work: Promise<T>): Promise<T>;
  /** Sets the Data Collector's SRM selectable snapshot (§5.8), as an administrator does in DSM. */
  setSelectableSnapshot(mode: SnapshotMode): void;
  close(): Promise<void>;
}

export async function startLab(
  options: {
    apiVersion?: string;
    runningPolls?: number;
    adapter?: Partial<ScSeriesAdapterOptions>;
    /** Changes the lab's environment before the Data Collector is seeded from it. */
    edit?: (env: Environment) => void;
  } = {},
): Promise<Lab> {
  const clock = new VirtualClock();
  const env = environment();
  options.edit?.(env);
  const sim = await startDsmSimulator({
    environment: env,
    clock,
    ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
    asyncTasks: { runningPolls: options.runningPolls ?? 1 },
  });
  const { logger, lines } = capturedLogger();
  const adapter = createScSeriesAdapter({
    host: sim.host,
    port: sim.port,
    username: sim.credentials.username,
    password: sim.credentials.password,
    caPem: sim.caPem,
    arrays: { [PROTECTED]: 64702, [RECOVERY]: 65495 },
    clock,
    logger,
    ...options.adapter,
  });
  return {
    sim,
    clock,
    adapter,
    logLines: lines,
    run: (work) => clock.runUntil(work),
    setSelectableSnapshot(mode) {
      sim.model.state.dataCollectorSettings.srmSelectableSnapshot = DSM_SNAPSHOT_MODES[mode] as SrmModeName;
    },
    async close() {
      await adapter.close();
      await sim.close();
    },
  };
}

export function command(
  arrayId: string,
  devices: string[],
  context: Partial<CommandContext> = {},
  over: Partial<DeviceCommandRequest> = {},
): DeviceCommandRequest {
  return {
    signal: new AbortController().signal,
    devices,
    arrayId,
    idempotencyKey: `${context.workflow ?? 'planned-migration'}/${arrayId}/${devices.join(',')}`,
    context: { workflow: 'planned-migration', plan: 'plan-1', runId: 'run-1', ...context },
    ...over,
  };
}

export interface SyncPolling {
  /** Virtual time between polls. @default 15000 */
  pollMs?: number;
  /** Bound on the polls: a sync that never completes fails the test instead of hanging it. @default 100 */
  maxPolls?: number;
  /** Called just before each poll (to start a tally of that poll's requests). */
  beforePoll?: () => void;
  /** Called with each poll's result. */
  afterPoll?: (status: SyncStatusResult) => void;
}

/**
 * Follows a started sync as the engine does (SRA's syncOnce/querySyncStatus split): polls
 * querySyncStatus for the request's devices until every one is complete.
 */
export async function pollSyncToCompletion(
  lab: Lab,
  request: DeviceCommandRequest,
  polling: SyncPolling = {},
): Promise<{ status: SyncStatusResult; polls: number }> {
  const maxPolls = polling.maxPolls ?? 100;
  const poll = async () => {
    polling.beforePoll?.();
    const status = await lab.run(lab.adapter.querySyncStatus(request));
    polling.afterPoll?.(status);
    return status;
  };
  let status = await poll();
  let polls = 1;
  while (!status.progress.every((p) => p.status === 'complete')) {
    if (polls >= maxPolls) throw new Error(`The sync was not complete after ${polls} polls.`);
    await lab.run(lab.clock.sleep(polling.pollMs ?? 15_000));
    status = await poll();
    polls++;
  }
  return { status, polls };
}

/** A whole sync as the engine drives it: syncOnce starts it, querySyncStatus is polled to its end. */
export async function syncToCompletion(
  lab: Lab,
  request: DeviceCommandRequest,
  polling: SyncPolling = {},
): Promise<{ start: DeviceCommandResult; status: SyncStatusResult; polls: number }> {
  const start = await lab.run(lab.adapter.syncOnce(request));
  return { start, ...(await pollSyncToCompletion(lab, request, polling)) };
}
