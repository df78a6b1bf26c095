import { hostname } from 'node:os';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pino, type Logger } from 'pino';
import {
  DrError,
  STEP_IDS,
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
  type RunOwnership,
  type EngineRegistry,
  type Broadcast,
  type Environment,
  type ResolvedSettings,
  type SettingsLayer,
  type StorageAdapter,
  type WorkflowName,
} from '@drctl/domain';
import { createCalloutRunner } from '@drctl/callouts';
import type { DsmSimulator, DsmSimulatorState } from '@drctl/dsm-simulator';
import { parseFaults, SimulatedWorld, validateFaults, type DurationName, type Fault } from '@drctl/simulator';
import { createVsphereReplicationAdapter } from '@drctl/vsphere-replication';
import { Engine, type EngineOptions } from '@drctl/workflows';
import { invocationOf, type RunInvocation } from './invocation.js';
import { SharedDocument } from './shared-state/shared-document.js';
import { SharedWorld } from './shared-state/shared-world.js';
import { isDsmFaultText, parseDsmFault, type DsmFault } from './sc-series/dsm-faults.js';
import { mirroredStorage } from './sc-series/mirrored-storage.js';
import {
  startSimulatedDataCollector,
  type ExternalDataCollector,
  type SimulatedDataCollector,
} from './sc-series/simulated-data-collector.js';
import { openRealWorkspace } from './real/real-workspace.js';
import { openStore } from './store-choice.js';

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
  /** `postgres://…`: a store several engines share (runs, leases, the simulated world). */
  store?: string;
  /** This engine's id in run leases and reports (with `store`). */
  engineId?: string;
  /** Run lease duration in ms (with `store`); takeover happens this long after an engine stops. */
  leaseMs?: number;
  /**
   * Run against the built-in simulated environment under virtual time; `false` runs against the
   * environment file's vCenters and Data Collectors on the system clock. @default true
   */
  simulate?: boolean;
  /**
   * The workflow the workspace is opened for, when known. A real disaster recovery's preflight
   * accepts an unreachable vCenter: the protected site may be the one that was lost.
   */
  workflow?: WorkflowName;
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
  /** Only reads (status, history, a dry run): never writes the shared simulated state. @default false */
  readOnly?: boolean;
  /** Called once a finished step is durably persisted (embedders and crash rehearsals). */
  onStepPersisted?: EngineOptions['onStepPersisted'];
  /** XState inspection observer of the engine's workflow actors (the server's live viewer). */
  inspect?: EngineOptions['inspect'];
  /**
   * In a simulation with SC Series storage: a Data Collector (DSM simulator) already running,
   * shared by several engine processes, instead of one started in this process.
   */
  dataCollector?: ExternalDataCollector;
  /** Called once a state-changing storage command is journalled, before it is sent (crash rehearsals). */
  onCommandAnnounced?: EngineOptions['onCommandAnnounced'];
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
  /** The state folder: the store unless `store` names PostgreSQL (then only local files live here). */
  stateDir: string;
  /** Where runs are kept, for messages: the state folder, or the PostgreSQL database (no credentials). */
  where: string;
  settings: ResolvedSettings;
  clock: Clock;
  store: DocumentStore;
  /** The simulated vCenters and arrays; absent in a real run. */
  world?: SimulatedWorld;
  /** Run ownership when the store is shared by several engines (PostgreSQL). */
  ownership?: RunOwnership;
  /** The engines sharing the store (PostgreSQL); this one is registered unless read-only. */
  engines?: EngineRegistry;
  /** Messages between the engines sharing the store (PostgreSQL LISTEN/NOTIFY). */
  broadcast?: Broadcast;
  /** When the soonest run lease held runs out, in ms (PostgreSQL): when a takeover may be due. */
  nextLeaseExpiryMs?: (prefix: string) => Promise<number | undefined>;
  /** The simulated DSM Data Collector, when SC Series serves the storage (faults, counters). */
  dsm?: DsmSimulator;
  engine: Engine;
  /** The options every run this workspace starts is saved with (see `RunInvocation`). */
  invocation: RunInvocation;
  /** The storage adapter serving an array manager (what the engine sends its commands to). */
  storageFor(manager: ArrayManager): StorageAdapter;
  /** Drives virtual time until `work` settles (a no-op wrapper under the system clock). */
  drive<T>(work: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Environment files and their includes are text of at most this size (a 20,000-VM file is a few MB). */
export const MAX_ENVIRONMENT_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a regular file of bounded size: a device (`/dev/zero`), a FIFO or a folder is refused
 * before a byte is read, so a bad path can never read without end.
 */
function readBoundedText(path: string): string {
  const stats = statSync(path);
  if (!stats.isFile()) throw new Error(`${path} is not a regular file`);
  if (stats.size > MAX_ENVIRONMENT_FILE_BYTES)
    throw new Error(`${path} is ${stats.size} bytes, more than the ${MAX_ENVIRONMENT_FILE_BYTES} allowed`);
  return readFileSync(path, 'utf8');
}

/** An include's real path, which must lie under one of `roots` (symbolic links followed). */
function includePath(file: string, base: string, roots: readonly string[]): string {
  const real = realpathSync(isAbsolute(file) ? file : join(base, file));
  const inside = roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
  if (!inside) throw new Error(`${file} is outside the environment's folder ${roots.join(', ')}`);
  return real;
}

export interface ReadEnvironmentOptions {
  /** Folders includes may come from. @default the environment file's folder */
  includeRoots?: readonly string[];
}

/**
 * Reads and validates an environment file, resolving `include:` from its folder. Includes are
 * regular files of bounded size under the environment's folder (or `includeRoots`).
 */
export function readEnvironment(path: string, options: ReadEnvironmentOptions = {}): Environment {
  const full = resolve(path);
  let text: string;
  try {
    text = readBoundedText(full);
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
  const roots = (options.includeRoots ?? [base]).map((root) => {
    try {
      return realpathSync(root);
    } catch {
      return resolve(root);
    }
  });
  return loadEnvironment(text, {
    source: path,
    readInclude: (p) => readBoundedText(includePath(p, base, roots)),
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
  // Real endpoints are composed in real/real-workspace.ts; what follows is the simulation.
  if (!simulate) return openRealWorkspace(options, env, settings);
  const logger = options.logger ?? pino({ level: 'silent' });
  const envDir = dirname(resolve(options.environmentPath));
  const stateDir = resolve(options.stateDir ?? join(envDir, '.drctl'));
  // The virtual clock is made once the store has told where it stopped; until then nothing waits on it.
  let clockOfTheRun: VirtualClock | undefined;
  const opened = openStore(
    {
      ...options,
      // A database's answer takes no simulated time, as the in-memory store's does not.
      track: (work) => (clockOfTheRun ? clockOfTheRun.track(work) : work),
    },
    stateDir,
  );
  const store: DocumentStore = opened.store;
  // A process that only reads (status, history, a prediction's dry run) never writes the shared
  // state back, nor does one whose store no other process can open (in memory): its copy is the only one.
  const writesSharedState = !options.readOnly && opened.seenByOtherProcesses;
  // Virtual time continues across processes: each run starts where the previous one ended.
  // --storage chooses what serves the array managers; vSphere Replication groups keep their own.
  const storageKind = (manager: ArrayManager): StorageChoice =>
    manager.adapter === 'vsphere-replication' ? 'vsphere-replication' : (options.storage ?? manager.adapter);
  const arrayManagers = env.arrayManagers.filter((m) => m.adapter !== 'vsphere-replication');
  const scManagers = options.storageFactories?.['sc-series']
    ? []
    : arrayManagers.filter((m) => storageKind(m) === 'sc-series');

  // State other processes on this folder share: written only through SharedDocument (merged
  // under the store's update, never a stale whole copy), and only when this process changed it.
  const simulated = opened.simulationStore;
  const shared = {
    world: new SharedWorld(
      simulated,
      worldKey(env),
      env.sites.map((s) => s.name),
    ),
    replication: new SharedDocument<unknown>(simulated, replicationKey(env)),
    dsm: new SharedDocument<DsmSimulatorState>(simulated, dsmKey(env)),
    // Virtual time only goes forward: the latest clock any process reached wins.
    clock: new SharedDocument<{ now: number }>(simulated, clockKey(env), (_base, ours, theirs) => ({
      now: Math.max(ours.now, theirs.now),
    })),
  };
  const savedClock = await shared.clock.load();
  const clock = new VirtualClock({
    start: savedClock?.now ?? Date.UTC(2026, 0, 1),
    // Real HTTPS to the DSM simulator: one exchange on a busy machine can take well over the
    // default 250 ms, and virtual time must not jump to a command's timeout meanwhile.
    ...(scManagers.length > 0 ? { maxRealWaitMs: DSM_EXCHANGE_REAL_WAIT_MS } : {}),
  });
  clockOfTheRun = clock;

  const texts = options.inject ?? [];
  const crashAfter = texts.filter((t) => t.startsWith('crash-after:')).map((t) => t.slice('crash-after:'.length));
  texts.forEach((text, i) => {
    if (!text.startsWith('crash-after:')) return;
    const step = text.slice('crash-after:'.length);
    if (!step)
      throw new DrError('DR_INPUT_INVALID', 'crash-after needs a step id.', {
        issues: [{ path: `--inject[${i}]`, message: 'expected crash-after:STEP_ID' }],
      });
    if (!(STEP_IDS as readonly string[]).includes(step))
      throw new DrError('DR_INPUT_INVALID', `crash-after names no step: ${JSON.stringify(step)}.`, {
        issues: [{ path: `--inject[${i}]`, message: `unknown step id ${step} (one of ${STEP_IDS.join(', ')})` }],
      });
  });
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

  const saved = await shared.world.load();
  const seed = options.seed ?? env.seed;
  const worldOptions = { clock, faults, seed, ...(mirrorOnly ? { durations: INSTANT_STORAGE } : {}) };
  const world = saved ? SimulatedWorld.restore(env, saved, worldOptions) : new SimulatedWorld(env, worldOptions);
  // Changes are measured from the world as this process holds it (restore fills in defaults).
  // (Unseen by others, nothing is ever merged: a 10,000-VM world need not be copied for it.)
  if (opened.seenByOtherProcesses) shared.world.startFrom(world.snapshot());
  // vSphere Replication keeps its per-VM replication state beside the world's.
  const replication = createVsphereReplicationAdapter({ env, clock, seed });
  const savedReplication = await shared.replication.load();
  if (savedReplication !== undefined) replication.restore(savedReplication);
  if (opened.seenByOtherProcesses) shared.replication.startFrom(replication.snapshot());
  // SC Series in a simulation: the DSM simulator in this process, its arrays as the last process left them.
  let dataCollector: SimulatedDataCollector | undefined;
  let savedDsm: DsmSimulatorState | undefined;
  if (scManagers.length > 0 && options.dataCollector) {
    dataCollector = await startSimulatedDataCollector({
      env,
      envDir,
      clock,
      managers: scManagers,
      sitesDown: [],
      faults: [],
      requestTimeoutMs: 30_000,
      exchangeHoldMs: DSM_EXCHANGE_REAL_WAIT_MS,
      logger,
      external: options.dataCollector,
    });
  } else if (scManagers.length > 0) {
    savedDsm = await shared.dsm.load();
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
  const dsmNow = dataCollector?.snapshot();
  if (dsmNow) shared.dsm.startFrom(dsmNow);
  // The world's change count when it was last saved: a step that changed nothing writes nothing.
  let savedWorldChanges: number | undefined;
  const save = async (force: boolean) => {
    const worldChanges = world.changeCount;
    if (force || worldChanges !== savedWorldChanges) {
      await shared.world.save(world, force);
      savedWorldChanges = worldChanges;
    }
    await shared.replication.save(replication.snapshot(), force);
    const dsmState = dataCollector?.snapshot();
    if (dsmState) await shared.dsm.save(dsmState, force);
    await shared.clock.save({ now: clock.now() }, force);
  };
  const checkpoint = () => (writesSharedState ? save(false) : Promise.resolve());
  // Before a run: take in what other processes changed since (the world and vSphere Replication
  // in place; the Data Collector's arrays are merged when saved).
  const beforeRun = async () => {
    const worldNow = await shared.world.theirsMerged(() => world.snapshot());
    if (worldNow) world.adopt(worldNow);
    const replicationNow = await shared.replication.theirsMerged(() => replication.snapshot());
    if (replicationNow !== undefined) replication.restore(replicationNow);
  };
  try {
    // A fresh state folder gets its world at once, unless this process only reads.
    if (writesSharedState && (!saved || (dataCollector?.simulator && !savedDsm))) await save(true);
  } catch (error) {
    await dataCollector?.close();
    await opened.close();
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

  const invocation = invocationOf({ ...options, simulate });
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
    beforeRun,
    invocation: { ...invocation },
    ...(options.autoAnswer ? { autoAnswer: options.autoAnswer } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(opened.ownership ? { ownership: opened.ownership } : {}),
    ...(opened.slots ? { sharedSlots: opened.slots } : {}),
    ...(options.onCommandAnnounced ? { onCommandAnnounced: options.onCommandAnnounced } : {}),
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
  // In `drctl engines` while it runs: which host and process, serving which environment.
  const registration =
    opened.engines && !options.readOnly
      ? await opened.engines.register({ hostname: hostname(), pid: process.pid, environment: env.name })
      : undefined;
  return {
    invocation,
    env,
    environmentPath: options.environmentPath,
    stateDir,
    where: opened.where,
    settings,
    clock,
    store,
    world,
    ...(dataCollector?.simulator ? { dsm: dataCollector.simulator } : {}),
    ...(opened.ownership ? { ownership: opened.ownership } : {}),
    ...(opened.engines ? { engines: opened.engines } : {}),
    ...(opened.broadcast ? { broadcast: opened.broadcast } : {}),
    ...(opened.nextExpiryMs ? { nextLeaseExpiryMs: opened.nextExpiryMs } : {}),
    engine,
    storageFor: storage,
    drive: (work) => clock.runUntil(work),
    async close() {
      try {
        // A shared store has what its runs' owners saved after each effect (fenced): an engine
        // closing must not write back a world another engine has moved on from.
        if (!opened.ownership) await checkpoint();
        // Closing logs out of the Data Collector: real work the virtual clock has to let through.
        await clock.runUntil(engine.close());
      } finally {
        await registration?.stop();
        await dataCollector?.close();
        await opened.close();
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
