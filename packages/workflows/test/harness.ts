import { validateEnvironment, VirtualClock, type Environment, type RunReport } from '@drctl/domain';
import { generateEnvironment, SimulatedWorld, type Fault } from '@drctl/simulator';
import { MemoryStore } from '@drctl/store';
import { createCalloutRunner } from '@drctl/callouts';
import { createVsphereReplicationAdapter } from '@drctl/vsphere-replication';
import { Engine, type EngineOptions, type StartOptions } from '../src/index.js';

/** A simulated environment, an engine over it and a virtual clock: hours in milliseconds. */
export interface Harness {
  env: Environment;
  clock: VirtualClock;
  world: SimulatedWorld;
  store: MemoryStore;
  engine: Engine;
  run(options: StartOptions): Promise<RunReport>;
}

export function smallEnvironment(overrides: Partial<Parameters<typeof generateEnvironment>[0]> = {}): Environment {
  return validateEnvironment(
    generateEnvironment({
      vms: 24,
      hosts: 8,
      clusters: 4,
      datastores: 4,
      liveVolumes: 1,
      seed: 7,
      dependencies: 0.2,
      ...overrides,
    }),
  );
}

export function createHarness(
  env: Environment,
  options: {
    faults?: Fault[];
    store?: MemoryStore;
    engine?: Partial<EngineOptions>;
    worldState?: ReturnType<SimulatedWorld['snapshot']>;
  } = {},
): Harness {
  const clock = new VirtualClock();
  const world = options.worldState
    ? SimulatedWorld.restore(env, options.worldState, { clock, faults: options.faults ?? [] })
    : new SimulatedWorld(env, { clock, faults: options.faults ?? [] });
  const store = options.store ?? new MemoryStore();
  const replication = createVsphereReplicationAdapter({ env, clock });
  const engine = new Engine({
    environment: env,
    compute: world.compute,
    storage: (manager) => (manager.adapter === 'vsphere-replication' ? replication : world.storage),
    callouts: createCalloutRunner(),
    clock,
    store,
    ...options.engine,
  });
  return {
    env,
    clock,
    world,
    store,
    engine,
    async run(start) {
      const handle = await clock.runUntil(engine.start(start));
      return clock.runUntil(handle.done);
    },
  };
}

export function stepStatuses(report: RunReport): Array<[string, string]> {
  return report.steps.filter((s) => s.target === undefined).map((s) => [s.id, s.status]);
}
