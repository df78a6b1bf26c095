// Counts the arrows of each workflow's exported statechart (`drctl export --machine NAME`): every
// transition (one arrow per edge, CANCEL and stop included) and the distinct source→target pairs
// a merged diagram draws. Reads the built @drctl/inspect (run `pnpm run build` first).
// Usage: node scripts/chart-arrows.mjs [--json]
import { exportMachineGraph } from '../packages/inspect/dist/index.js';

const WORKFLOWS = ['test', 'cleanup', 'planned-migration', 'disaster-recovery', 'reprotect', 'failback'];

const rows = WORKFLOWS.map((name) => {
  const graph = exportMachineGraph(name);
  const pairs = new Set(graph.edges.map((e) => `${e.source} -> ${e.target ?? e.source}`));
  return {
    machine: name,
    states: graph.nodes.length - 1,
    arrows: graph.edges.length,
    cancelArrows: graph.edges.filter((e) => e.event === 'CANCEL').length,
    mergedArrows: pairs.size,
  };
});

if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
else {
  console.log('machine'.padEnd(20), 'states', 'arrows', 'CANCEL', 'merged');
  for (const r of rows)
    console.log(
      r.machine.padEnd(20),
      String(r.states).padStart(6),
      String(r.arrows).padStart(6),
      String(r.cancelArrows).padStart(6),
      String(r.mergedArrows).padStart(6),
    );
}
