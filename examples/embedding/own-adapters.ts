// The "your own adapters" path of docs/embedding.md: the product builds the engine itself and
// brings every port. Here the vCenter and storage ports come from the simulated world (a product
// plugs its own clients in their place); the storage port is wrapped to show what implementing
// one looks like, and counts the commands the engine sends.
// Run: node own-adapters.js <environment.yaml>
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createCalloutRunner } from '@drctl/callouts';
import { loadEnvironment, VirtualClock, type StorageAdapter } from '@drctl/domain';
import { SimulatedWorld } from '@drctl/simulator';
import { MemoryStore } from '@drctl/store';
import { Engine } from '@drctl/workflows';

const [environmentPath = 'techsol/environment.yaml'] = process.argv.slice(2);
const folder = dirname(environmentPath);
const environment = loadEnvironment(readFileSync(environmentPath, 'utf8'), {
  source: environmentPath,
  readInclude: (path) => readFileSync(join(folder, path), 'utf8'),
});

const clock = new VirtualClock();
const world = new SimulatedWorld(environment, { clock });
const commands = new Map<string, number>();
const counted = (inner: StorageAdapter): StorageAdapter =>
  new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        commands.set(String(property), (commands.get(String(property)) ?? 0) + 1);
        return Reflect.apply(value, target, args);
      };
    },
  });

const engine = new Engine({
  environment,
  compute: world.compute,
  storage: () => counted(world.storage),
  callouts: createCalloutRunner({ cwd: folder }),
  store: new MemoryStore(),
  clock,
});
engine.subscribe((event) => {
  if (event.type === 'prompt-waiting') engine.answerPrompt(event.promptId, 'confirmed', 'dr-product');
});
const run = await clock.runUntil(engine.start({ plan: 'Protect vcsite1', workflow: 'planned-migration' }));
const report = await clock.runUntil(run.done);

console.log(
  `${report.workflow} of ${report.plan}: ${report.result}; storage commands: ${[...commands].map(([name, count]) => `${name}×${count}`).join(', ')}`,
);
process.exitCode = report.result === 'success' ? 0 : 1;
