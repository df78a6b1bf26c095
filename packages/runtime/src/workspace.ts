import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import {
  DrError,
  STORAGE_COMMANDS,
  loadEnvironment,
  parseSettingOverrides,
  resolveSettings,
  settingsFromVmwareDrXml,
  VirtualClock,
  type ArrayManager,
  type CalloutRunner,
  type Clock,
  type DocumentStore,
  type Environment,
  type ResolvedSettings,
  type SettingsLayer,
  type StorageAdapter,
} from '@drctl/domain';
import { createCalloutRunner } from '@drctl/callouts';
import type { DsmSimulator, DsmSimulatorState } from '@drctl/dsm-simulator';
import {
  parseFaults,
  SimulatedWorld,
  validateFaults,
  type DurationName,
  type Fault,
  type WorldState,
} from '@drctl/simulator';
import { FileStore, MemoryStore } from '@drctl/store';
import { createVsphereReplicationAdapter } from '@drctl/vsphere-replication';
import { Engine, type EngineOptions } from '@drctl/workflows';
import { isDsmFaultText, parseDsmFault, type DsmFault } from './sc-series/dsm-faults.js';
import { mirroredStorage } from './sc-series/mirrored-storage.js';
import { startSimulatedDataCollector, type SimulatedDataCollector } from './sc-series/simulated-data-collector.js';

export type StorageChoice = 'simulated' | 'sc-series' | 'vsphere-replication';

/** Storage kinds `openWorkspace` builds itself in a simulation (no `storageFactories` needed). */
export const BUILT_IN_STORAGE: readonly StorageChoice[] = ['simulated', 'sc-series', 'vsphere-replication'];

export interface WorkspaceOptions {
  /** Path of the environment YAML; `include:` paths resolve from its folder. */
  environmentPath: string;
  /** The environment already read (e.g. with timings learned from history); else read from the path. */
  environment?: Environment;
  /** Runs command and webhook callouts. @default processes and HTTP from the environment's folder */
  callouts?: CalloutRunner;
  /** Where runs, reports and the simulated world live. @default `<environment folder>/.drctl` */
  stateDir?: string;
  /** Keep everything in memory (benchmarks, tests). @default false */
  inMemory?: boolean;
  /** Run against the built-in simulated environment under virtual time. @default true */
  simulate?: boolean;
  /** Storage behind the array managers in a simulation. @default the environment's adapter kinds */
  storage?: StorageChoice;
  /** Seed of the simulated world. @default the environment's `seed` */
  seed?: number;
  /**
   * `--inject` fault texts; `crash-after:STEP_ID` kills the process once that step is persisted;
   * with SC Series storage, `dsm:{…}` and `dsm-down[:SECONDS]` go to the simulated Data Collector.
   */
  inject?: string[];
  /** `--set key=value` overrides. */
  set?: string[];
  /** SRM's vmware-dr.xml to read `<config>` settings from. */
  vmwareDrXml?: string;
  autoAnswer?: { answer: string; by: string };
  /** Called once a finished step is durably persisted (embedders and crash rehearsals). */
  onStepPersisted?: EngineOptions['onStepPersisted'];
  logger?: Logger;
  /** Adapter factories for kinds the runtime does not build itself (e.g. SC Series over DSM REST). */
  storageFactories?: Partial<
    Record<
      StorageChoice,
      (manager: ArrayManager, workspace: { env: Environment; clock: Clock; logger: Logger }) => StorageAdapter
    >
  >;
}

export interface Workspace {
  env: Environment;
  environmentPath: string;
  stateDir: string;
  settings: ResolvedSettings;
  clock: Clock;
  store: DocumentStore;
  world: SimulatedWorld;
  /** The simulated DSM Data Collector, when SC Series serves the storage (faults, counters). */
  dsm?: DsmSimulator;
  engine: Engine;
  /** The storage adapter serving an array manager (what the engine sends its commands to). */
  storageFor(manager: ArrayManager): StorageAdapter;
  /** Drives virtual time until `work` settles (a no-op wrapper under the system clock). */
  drive<T>(work: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Reads and validates an environment file, resolving `include:` from its folder. */
export function readEnvironment(path: string): Environment {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new DrError('DR_INPUT_INVALID', `Cannot read environment file ${path}.`, {
      cause: error,
      issues: [
        {
          path,
          message: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message,
        },
      ],
    });
  }
  const base = dirname(full);
  return loadEnvironment(text, {
    source: path,
    readInclude: (p) => readFileSync(isAbsolute(p) ? p : join(base, p), 'utf8'),
  });
}

/** Settings: SRM defaults < environment file < vmware-dr.xml < --set. */
export function settingsFor(
  env: Environment,
  options: Pick<WorkspaceOptions, 'set' | 'vmwareDrXml'>,
): ResolvedSettings {
  const layers: SettingsLayer[] = [{ origin: 'environment', pathPrefix: 'settings', values: env.settings }];
  if (options.vmwareDrXml) {
    let xml: string;
    try {
      xml = readFileSync(options.vmwareDrXml, 'utf8');
    } catch (error) {
      throw new DrError('DR_INPUT_INVALID', `Cannot read ${options.vmwareDrXml}.`, {
        cause: error,
        issues: [{ path: '--vmware-dr-xml', message: (error as Error).message }],
      });
    }
    layers.push(settingsFromVmwareDrXml(xml));
  }
  if (options.set && options.set.length > 0) layers.push(parseSettingOverrides(options.set));
  return resolveSettings(layers);
}

const worldKey = (env: Environment) => `environments/${env.name}/world`;
const clockKey = (env: Environment) => `environments/${env.name}/clock`;
const replicationKey = (env: Environment) => `environments/${env.name}/vsphere-replication`;
const dsmKey = (env: Environment) => `environments/${env.name}/dsm`;

/** How long virtual time waits for one outstanding DSM exchange before moving on (a hung call). */
const DSM_EXCHANGE_REAL_WAIT_MS = 1000;

/** Every storage command takes no time on the simulated arrays when they only mirror real ones. */
const INSTANT_STORAGE: Partial<Record<DurationName, number>> = Object.fromEntries(
  [...STORAGE_COMMANDS.filter((c) => c !== 'syncOnce'), 'syncStart'].map((name) => [name, 0] as const),
);

/**
 * Opens an environment for running workflows: settings, the store (files under the state
 * folder by default), the simulated world as the previous process left it, the callout runner
 * (commands run from the environment file's folder), and the engine.
 */
export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const env = options.environment ?? readEnvironment(options.environmentPath);
  const settings = settingsFor(env, options);
  const simulate = options.simulate ?? true;
  if (!simulate) {
    throw new DrError(
      'DR_OPERATION_REFUSED',
      'Only simulated runs are available in this build: vCenter adapters are not part of drctl yet; use --simulate.',
      { issues: [{ path: '--simulate', message: 'required' }] },
    );
  }
  const logger = options.logger ?? pino({ level: 'silent' });
  const envDir = dirname(resolve(options.environmentPath));
  const stateDir = resolve(options.stateDir ?? join(envDir, '.drctl'));
  const store: DocumentStore = options.inMemory ? new MemoryStore() : new FileStore(stateDir);
  // Virtual time continues across processes: each run starts where the previous one ended.
  // --storage chooses what serves the array managers; vSphere Replication groups keep their own.
  const storageKind = (manager: ArrayManager): StorageChoice =>
    manager.adapter === 'vsphere-replication' ? 'vsphere-replication' : (options.storage ?? manager.adapter);
  const arrayManagers = env.arrayManagers.filter((m) => m.adapter !== 'vsphere-replication');
  const scManagers = options.storageFactories?.['sc-series']
    ? []
    : arrayManagers.filter((m) => storageKind(m) === 'sc-series');

  const savedClock = await store.read<{ now: number }>(clockKey(env));
  const clock = new VirtualClock({
    start: savedClock?.now ?? Date.UTC(2026, 0, 1),
    // Real HTTPS to the DSM simulator: one exchange on a busy machine can take well over the
    // default 250 ms, and virtual time must not jump to a command's timeout meanwhile.
    ...(scManagers.length > 0 ? { maxRealWaitMs: DSM_EXCHANGE_REAL_WAIT_MS } : {}),
  });

  const texts = options.inject ?? [];
  const crashAfter = texts.filter((t) => t.startsWith('crash-after:')).map((t) => t.slice('crash-after:'.length));
  for (const [i, step] of crashAfter.entries()) {
    if (!step)
      throw new DrError('DR_INPUT_INVALID', 'crash-after needs a step id.', {
        issues: [{ path: `--inject[${i}]`, message: 'expected crash-after:STEP_ID' }],
      });
  }
  const dsmFaults: Array<{ index: number; fault: DsmFault }> = [];
  texts.forEach((t, index) => {
    if (isDsmFaultText(t)) dsmFaults.push({ index, fault: parseDsmFault(t, index) });
  });
  const worldTexts = texts
    .map((text, index) => ({ text, index }))
    .filter(({ text }) => !text.startsWith('crash-after:') && !isDsmFaultText(text));
  const faults = parseFaults(worldTexts.map((w) => w.text));
  validateFaults(env, faults);

  // When SC Series serves every array, the world's arrays only mirror it (see mirrored-storage.ts).
  const mirrorOnly = scManagers.length > 0 && scManagers.length === arrayManagers.length;
  checkStorageFaults(
    scManagers.length > 0,
    mirrorOnly,
    dsmFaults,
    faults,
    worldTexts.map((w) => w.index),
  );

  const saved = await store.read<WorldState>(worldKey(env));
  const seed = options.seed ?? env.seed;
  const worldOptions = { clock, faults, seed, ...(mirrorOnly ? { durations: INSTANT_STORAGE } : {}) };
  const world = saved ? SimulatedWorld.restore(env, saved, worldOptions) : new SimulatedWorld(env, worldOptions);
  // vSphere Replication keeps its per-VM replication state beside the world's.
  const replication = createVsphereReplicationAdapter({ env, clock, seed });
  const savedReplication = await store.read(replicationKey(env));
  if (savedReplication !== undefined) replication.restore(savedReplication);
  // SC Series in a simulation: the DSM simulator in this process, its arrays as the last process left them.
  let dataCollector: SimulatedDataCollector | undefined;
  let savedDsm: DsmSimulatorState | undefined;
  if (scManagers.length > 0) {
    savedDsm = await store.read<DsmSimulatorState>(dsmKey(env));
    if (saved && !savedDsm)
      logger.warn(
        { environment: env.name },
        'the state folder has no saved Data Collector: SC Series arrays start as the environment file describes them',
      );
    const commandTimeout = settings.values['storage.commandTimeout'];
    dataCollector = await startSimulatedDataCollector({
      env,
      envDir,
      clock,
      managers: scManagers,
      ...(savedDsm ? { saved: savedDsm } : {}),
      sitesDown: faults
        .filter((f): f is Extract<Fault, { kind: 'site-down' }> => f.kind === 'site-down')
        .map((f) => f.site),
      faults: dsmFaults.map((d) => d.fault),
      // The engine cuts every command at its commandTimeout (+90 s per Live Volume); a shorter
      // bound per HTTP exchange would turn a slow array into an error before SRM's own limit.
      requestTimeoutMs: commandTimeout > 0 ? 0 : 30_000,
      exchangeHoldMs: DSM_EXCHANGE_REAL_WAIT_MS,
      logger,
    });
  }
  const checkpoint = async () => {
    await store.write(worldKey(env), world.snapshotForStore());
    await store.write(replicationKey(env), replication.snapshot());
    if (dataCollector) await store.write(dsmKey(env), dataCollector.snapshot());
    await store.write(clockKey(env), { now: clock.now() });
  };
  try {
    if (!saved || (dataCollector && !savedDsm)) await checkpoint();
  } catch (error) {
    await dataCollector?.close();
    throw error;
  }

  const storage = (manager: ArrayManager): StorageAdapter => {
    const kind = storageKind(manager);
    const factory = options.storageFactories?.[kind];
    if (factory) return factory(manager, { env, clock, logger });
    if (kind === 'simulated') return world.storage;
    if (kind === 'vsphere-replication') return replication;
    if (kind === 'sc-series' && dataCollector)
      return mirroredStorage(dataCollector.adapterFor(manager), world.storage, logger);
    throw new DrError('DR_INPUT_INVALID', `Storage ${kind} is not available here.`, {
      issues: [{ path: '--storage', message: `no adapter for ${kind}` }],
    });
  };

  const engineOptions: EngineOptions = {
    environment: env,
    settings,
    compute: world.compute,
    storage,
    callouts: options.callouts ?? createCalloutRunner({ cwd: envDir }),
    clock,
    store,
    logger,
    checkpoint,
    ...(options.autoAnswer ? { autoAnswer: options.autoAnswer } : {}),
    ...(crashAfter.length > 0 || options.onStepPersisted
      ? {
          onStepPersisted: (info: Parameters<NonNullable<EngineOptions['onStepPersisted']>>[0]) => {
            options.onStepPersisted?.(info);
            // A power cut right after the step is durable: no cleanup, no flush, no exit handlers.
            if (crashAfter.includes(info.step)) process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
  };
  const engine = new Engine(engineOptions);
  return {
    env,
    environmentPath: options.environmentPath,
    stateDir,
    settings,
    clock,
    store,
    world,
    ...(dataCollector ? { dsm: dataCollector.simulator } : {}),
    engine,
    storageFor: storage,
    drive: (work) => clock.runUntil(work),
    async close() {
      try {
        await checkpoint();
        // Closing logs out of the Data Collector: real work the virtual clock has to let through.
        await clock.runUntil(engine.close());
      } finally {
        await dataCollector?.close();
      }
    },
  };
}

/**
 * Faults must reach what serves the storage: `dsm:` faults need the simulated Data Collector,
 * and the world's storage faults (`hang:`, `error:`) would only hit its mirror of SC Series, so
 * they are refused there with the form to use instead.
 */
function checkStorageFaults(
  scSeries: boolean,
  mirrorOnly: boolean,
  dsmFaults: ReadonlyArray<{ index: number }>,
  faults: readonly Fault[],
  faultIndexes: readonly number[],
): void {
  const first = dsmFaults[0];
  if (!scSeries && first) {
    throw new DrError('DR_INPUT_INVALID', 'DSM faults need SC Series storage: run with --storage sc-series.', {
      issues: [
        {
          path: `--inject[${first.index}]`,
          message: 'dsm faults apply to the simulated DSM Data Collector, which only SC Series storage starts',
        },
      ],
    });
  }
  if (!mirrorOnly) return;
  faults.forEach((fault, i) => {
    if (fault.kind !== 'hang' && fault.kind !== 'error') return;
    throw new DrError(
      'DR_INPUT_INVALID',
      `With SC Series storage, inject storage faults into the DSM Data Collector instead of ${fault.kind}:${fault.command}.`,
      {
        issues: [
          {
            path: `--inject[${faultIndexes[i]}]`,
            message: 'use dsm:{"kind":"hang"|"server-error"|…, "path":"…"} or dsm-down[:SECONDS]',
          },
        ],
      },
    );
  });
}
