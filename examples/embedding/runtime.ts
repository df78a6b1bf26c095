// The runtime path of docs/embedding.md: one call opens an environment file with its state folder,
// settings, store, simulated world and adapters; the product drives a workflow and reads the report.
// Run: node runtime.js <environment.yaml> <state folder>
import { openWorkspace } from '@drctl/runtime';
import type { EngineEvent } from '@drctl/workflows';

const [environmentPath = 'techsol/environment.yaml', stateDir = '.drctl'] = process.argv.slice(2);

const ws = await openWorkspace({ environmentPath, stateDir, set: ['storage.commandTimeout=600'] });
const seen = new Set<EngineEvent['type']>();
const unsubscribe = ws.engine.subscribe((event) => {
  seen.add(event.type);
  // A prompt pauses its run until someone answers; a product shows it to an operator.
  if (event.type === 'prompt-waiting') ws.engine.answerPrompt(event.promptId, 'confirmed', 'dr-product');
});
const run = await ws.drive(ws.engine.start({ plan: 'Protect vcsite1', workflow: 'disaster-recovery' }));
const report = await ws.drive(run.done);
unsubscribe();
await ws.close();

console.log(`${report.workflow} of ${report.plan}: ${report.result}; events: ${[...seen].sort().join(', ')}`);
process.exitCode = report.result === 'success' ? 0 : 1;
