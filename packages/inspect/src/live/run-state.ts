import type { RunReport, RunResult, WorkflowName } from '@drctl/domain';
import { PHASE_STEPS, phasesOf, type FinalState, type PhaseName } from '@drctl/workflows';
import type { MachineGraph } from '../graph/machine-graph.js';

/**
 * The state id of a step in a workflow's machine: the state that invokes the step's actor
 * (`<phase>/<step>`), wherever the chart nests it (failback's phases, planned migration's
 * before/after the storage steps); the rollback step sits at the root.
 */
export function stepStateId(graph: MachineGraph, phase: string, step: string): string | undefined {
  const actor = `${phase}/${step}`;
  return graph.nodes.find((n) => n.invoke.some((i) => i.id === actor))?.id;
}

/** The atomic state a machine starts in (following `initial` down compound states). */
export function initialStateId(graph: MachineGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  let node = byId.get(graph.id)!;
  while (node.initial) node = byId.get(node.initial)!;
  return node.id;
}

/** The state value XState shows for an atomic state id: `sync-storage` or `{ reprotect: 'sync-storage' }`. */
export function stateValueOf(graph: MachineGraph, stateId: string): unknown {
  const keys = stateId.slice(graph.id.length + 1).split('.');
  return keys.reduceRight<unknown>((value, key) => (value === undefined ? key : { [key]: value }), undefined);
}

/** What is known of how a run went, to name the final state it ended in. */
export interface RunEndFacts {
  workflow: WorkflowName;
  result: RunResult;
  /** The rollback step ran (planned migration stopped before the storage steps). */
  rolledBack: boolean;
  /** The last step of the workflow's last phase finished. */
  reachedEnd: boolean;
}

/** The final state (`done`, `stopped`, `cancelled`, `rolled-back`) a run's result corresponds to. */
export function finalStateOf(facts: RunEndFacts): FinalState {
  if (facts.rolledBack) return 'rolled-back';
  switch (facts.result) {
    case 'cancelled':
      return 'cancelled';
    case 'incomplete':
      return 'stopped';
    case 'errors':
      // A test that stops ends with errors too; a completed run with failed VMs reaches `done`.
      return facts.reachedEnd ? 'done' : 'stopped';
    default:
      return 'done';
  }
}

/** The last step of a workflow: the run reached the end once it finished. */
export function lastStepOf(workflow: WorkflowName): { phase: PhaseName; step: string } {
  const phases = phasesOf(workflow);
  const phase = phases[phases.length - 1]!;
  const steps = PHASE_STEPS[phase];
  return { phase, step: steps[steps.length - 1]! };
}

/** Phase of a top-level report step: failback titles end with `(<phase>)`. */
function phaseOfTitle(workflow: WorkflowName, title: string): string {
  if (workflow !== 'failback') return workflow;
  const match = /\(([a-z-]+)\)$/.exec(title);
  return match ? match[1]! : 'planned-migration';
}

/**
 * The active state of a run known only from its report (a run this process did not watch):
 * the running step of a run in progress, the final state of a finished run, or undefined.
 */
export function stateFromReport(graph: MachineGraph, report: RunReport): string | undefined {
  const top = report.steps.filter((s) => s.target === undefined);
  if (report.result === 'running' || report.result === 'interrupted') {
    const running = [...top].reverse().find((s) => s.status === 'running');
    return running ? stepStateId(graph, phaseOfTitle(report.workflow, running.title), running.id) : undefined;
  }
  const last = lastStepOf(report.workflow);
  const final = finalStateOf({
    workflow: report.workflow,
    result: report.result,
    rolledBack: top.some((s) => s.id === 'rollback-protected-site'),
    reachedEnd: top.some(
      (s) =>
        s.id === last.step &&
        phaseOfTitle(report.workflow, s.title) === last.phase &&
        s.status !== 'inactive' &&
        s.status !== 'running',
    ),
  });
  return `${graph.id}.${final}`;
}
