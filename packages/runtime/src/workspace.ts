import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import {
  DrError,
  loadEnvironment,
  parseSettingOverrides,
  resolveSettings,
  settingsFromVmwareDrXml,
  VirtualClock,
  type ArrayManager,
  type Clock,
  type DocumentStore,
  type Environment,
  type ResolvedSettings,
  type SettingsLayer,
  type StepId,
  type StorageAdapter,
} from '@drctl/domain';
import { createCalloutRunner } from '@drctl/callouts';
import { parseFaults, SimulatedWorld, validateFaults, type WorldState } from '@drctl/simulator';
import { FileStore, MemoryStore } from '@drctl/store';
import { createVsphereReplicationAdapter } from '@drctl/vsphere-replication';
import { Engine, type EngineOptions } from '@drctl/workflows';

export type StorageChoice = 'simulated' | 'sc-series' | 'vsphere-replication';

export interface WorkspaceOptions {
  /** Path of the environment YAML; `include:` paths resolve from its folder. */
  environmentPath: string;
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
  /** `--inject` fault texts; `crash-after:STEP_ID` kills the process once that step is persisted. */
  inject?: string[];
  /** `--set key=value` overrides. */
  set?: string[];
  /** SRM's vmware-dr.xml to read `<config>` settings from. */
  vmwareDrXml?: string;
  autoAnswer?: { answer: string; by: string };
  logger?: Logger;
  /** Adapter factories for kinds the runtime does not build itself (e.g. SC Series over DSM REST). */
  storageFactories?: Partial<Record<StorageChoice, (manager: ArrayManager, workspace: { env: Environment; clock: Clock; logger: Logger }) => StorageAdapter>>;
}

export interface Workspace {
  env: Environment;
  environmentPath: string;
  stateDir: string;
  settings: ResolvedSettings;
  clock: Clock;
  store: DocumentStore;
  world: SimulatedWorld;
  engine: Engine;
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
    throw new DrError('DR_INPUT_INVALID', `Cannot read environment file ${path}.`, { cause: error, issues: [{ path, message: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message }] });
  }
  const base = dirname(full);
  return loadEnvironment(text, { source: path, readInclude: (p) => readFileSync(isAbsolute(p) ? p : join(base, p), 'utf8') });
}

/** Settings: SRM defaults < environment file < vmware-dr.xml < --set. */
export function settingsFor(env: Environment, options: Pick<WorkspaceOptions, 'set' | 'vmwareDrXml'>): ResolvedSettings {
  const layers: SettingsLayer[] = [{ origin: 'environment', pathPrefix: 'settings', values: env.settings }];
  if (options.vmwareDrXml) {
    let xml: string;
    try {
      xml = readFileSync(options.vmwareDrXml, 'utf8');
    } catch (error) {
      throw new DrError('DR_INPUT_INVALID', `Cannot read ${options.vmwareDrXml}.`, { cause: error, issues: [{ path: '--vmware-dr-xml', message: (error as Error).message }] });
    }
    layers.push(settingsFromVmwareDrXml(xml));
  }
  if (options.set && options.set.length > 0) layers.push(parseSettingOverrides(options.set));
  return resolveSettings(layers);
}

const worldKey = (env: Environment) => `environments/${env.name}/world`;
const clockKey = (env: Environment) => `environments/${env.name}/clock`;
const replicationKey = (env: Environment) => `environments/${env.name}/vsphere-replication`;

/**
 * Opens an environment for running workflows: settings, the store (files under the state
 * folder by default), the simulated world as the previous process left it, the callout runner
 * (commands run from the environment file's folder), and the engine.
 */
export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const env = readEnvironment(options.environmentPath);
  const settings = settingsFor(env, options);
  const simulate = options.simulate ?? true;
  if (!simulate) {
    throw new DrError('DR_OPERATION_REFUSED', 'Only simulated runs are available in this build: vCenter adapters are not part of drctl yet; use --simulate.', { issues: [{ path: '--simulate', message: 'required' }] });
  }
  const logger = options.logger ?? pino({ level: 'silent' });
  const envDir = dirname(resolve(options.environmentPath));
  const stateDir = resolve(options.stateDir ?? join(envDir, '.drctl'));
  const store: DocumentStore = options.inMemory ? new MemoryStore() : new FileStore(stateDir);
  // Virtual time continues across processes: each run starts where the previous one ended.
  const savedClock = await store.read<{ now: number }>(clockKey(env));
  const clock = new VirtualClock({ start: savedClock?.now ?? Date.UTC(2026, 0, 1) });

  const texts = options.inject ?? [];
  const crashAfter = texts.filter((t) => t.startsWith('crash-after:')).map((t) => t.slice('crash-after:'.length));
  for (const [i, step] of crashAfter.entries()) {
    if (!step) throw new DrError('DR_INPUT_INVALID', 'crash-after needs a step id.', { issues: [{ path: `--inject[${i}]`, message: 'expected crash-after:STEP_ID' }] });
  }
  const faults = parseFaults(texts.filter((t) => !t.startsWith('crash-after:')));
  validateFaults(env, faults);

  const saved = await store.read<WorldState>(worldKey(env));
  const seed = options.seed ?? env.seed;
  const world = saved ? SimulatedWorld.restore(env, saved, { clock, faults, seed }) : new SimulatedWorld(env, { clock, faults, seed });
  // vSphere Replication keeps its per-VM replication state beside the world's.
  const replication = createVsphereReplicationAdapter({ env, clock, seed });
  const savedReplication = await store.read(replicationKey(env));
  if (savedReplication !== undefined) replication.restore(savedReplication);
  const checkpoint = async () => {
    await store.write(worldKey(env), world.snapshot());
    await store.write(replicationKey(env), replication.snapshot());
    await store.write(clockKey(env), { now: clock.now() });
  };
  if (!saved) await checkpoint();

  // --storage chooses what serves the array managers; vSphere Replication groups keep their own.
  const storageKind = (manager: ArrayManager): StorageChoice =>
    manager.adapter === 'vsphere-replication' ? 'vsphere-replication' : (options.storage ?? manager.adapter);
  const storage = (manager: ArrayManager): StorageAdapter => {
    const kind = storageKind(manager);
    const factory = options.storageFactories?.[kind];
    if (factory) return factory(manager, { env, clock, logger });
    if (kind === 'simulated') return world.storage;
    if (kind === 'vsphere-replication') return replication;
    throw new DrError('DR_INPUT_INVALID', `Storage ${kind} is not available here.`, { issues: [{ path: '--storage', message: `no adapter for ${kind}` }] });
  };

  const engineOptions: EngineOptions = {
    environment: env,
    settings,
    compute: world.compute,
    storage,
    callouts: createCalloutRunner({ cwd: envDir }),
    clock,
    store,
    logger,
    checkpoint,
    ...(options.autoAnswer ? { autoAnswer: options.autoAnswer } : {}),
    ...(crashAfter.length > 0
      ? {
          onStepPersisted: ({ step }: { step: StepId }) => {
            // A power cut right after the step is durable: no cleanup, no flush, no exit handlers.
            if (crashAfter.includes(step)) process.kill(process.pid, 'SIGKILL');
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
    engine,
    drive: (work) => clock.runUntil(work),
    async close() {
      await checkpoint();
      await engine.close();
    },
  };
}

