import { validateEnvironment, VirtualClock, type Environment, type EnvironmentInput } from '@drctl/domain';
import { createCalloutRunner } from '@drctl/callouts';
import { generateEnvironment, SimulatedWorld } from '@drctl/simulator';
import { MemoryStore } from '@drctl/store';
import { Engine } from '@drctl/workflows';

/** A small simulated environment; its one plan asks a prompt before priority 1 when `prompt` is set. */
export function smallEnvironment(options: { prompt?: boolean } = {}): Environment {
  const input = generateEnvironment({ vms: 12, hosts: 4, clusters: 2, datastores: 2, seed: 3 }) as EnvironmentInput & {
    plans: Array<Record<string, unknown>>;
  };
  if (options.prompt) input.plans[0]!['callouts'] = [{ type: 'prompt', before: 'power-on-priority-1', text: 'Go on?' }];
  return validateEnvironment(input);
}

/** An engine over the simulated world under virtual time (hours of recovery in milliseconds). */
export function simulatedEngine(env: Environment) {
  const clock = new VirtualClock();
  const world = new SimulatedWorld(env, { clock });
  const engine = new Engine({
    environment: env,
    compute: world.compute,
    storage: () => world.storage,
    callouts: createCalloutRunner(),
    clock,
    store: new MemoryStore(),
  });
  return { clock, engine };
}
