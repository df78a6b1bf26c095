import { describe, expect, it } from '@jest/globals';
import { transition, type AnyMachineSnapshot, type AnyStateMachine, type StateValue } from 'xstate';
import type { RunReport, WorkflowName } from '@drctl/domain';
import type { Fault } from '@drctl/simulator';
import { PHASE_STEPS, phasesOf, WORKFLOW_MACHINES, type PhaseName } from '../../src/index.js';
import { createHarness, smallEnvironment, type Harness } from '../harness.js';

/**
 * The chart and the engine checked together: for each step of each workflow, the real engine
 * runs with a fault injected while that step runs (a storage command, a rescan or the protected
 * site failing; a cancel), and the run must end where the chart's own transition for that event
 * leads — on past the step with the status the chart gave it, stopped, rolled back or cancelled.
 */

const env = smallEnvironment({ vms: 12, hosts: 4, clusters: 2, datastores: 2, liveVolumes: 0 });
const plan = env.plans[0]!;

/**
 * What makes a step fail in the simulated world, for the steps a fault can reach (here
 * resume-protected-vms has nothing to resume, and the steps without a storage command, a rescan
 * or the protected site are covered by the chart's own tests).
 */
function faultsFor(step: string, protectedSite: string): Fault[] | undefined {
  const command = (c: Extract<Fault, { kind: 'error' }>['command']): Fault[] => [{ kind: 'error', command: c }];
  switch (step) {
    case 'pre-sync-storage':
    case 'sync-storage':
      return command('syncOnce');
    case 'prepare-protected-storage':
      return command('prepareFailover');
    case 'promote-recovery-storage':
      return command('failover');
    case 'create-test-snapshots':
      return command('testFailoverStart');
    case 'discard-test-storage':
      return command('testFailoverStop');
    case 'reverse-replication':
      return command('prepareReverseReplication');
    case 'rescan-hosts':
      return env.sites.flatMap((s) =>
        s.clusters.flatMap((c) => c.hosts.map((h) => ({ kind: 'rescan-fails', host: h.name }))),
      );
    case 'shutdown-protected-vms':
      return [{ kind: 'site-down', site: protectedSite }];
    default:
      return undefined;
  }
}

/** What runs before a workflow can start on the plan. */
const BEFORE: Record<WorkflowName, WorkflowName[]> = {
  test: [],
  cleanup: ['test'],
  'planned-migration': [],
  'disaster-recovery': [],
  reprotect: ['planned-migration'],
  failback: ['planned-migration', 'reprotect'],
};

const steps = (workflow: WorkflowName): Array<[PhaseName, string]> =>
  phasesOf(workflow).flatMap((phase) => PHASE_STEPS[phase].map((step) => [phase, step] as [PhaseName, string]));

/** The value of the state that runs `<phase>/<step>` in a machine. */
function stepValue(machine: AnyStateMachine, key: string): StateValue {
  const visit = (node: AnyStateMachine['root']): string[] | undefined => {
    if (node.invoke.some((i) => i.id === key)) return node.path;
    for (const child of Object.values(node.states)) {
      const found = visit(child);
      if (found) return found;
    }
    return undefined;
  };
  const path = visit(machine.root)!;
  return path.reduceRight<StateValue | undefined>((v, k) => (v === undefined ? k : { [k]: v }), undefined)!;
}

/** Where the chart goes from a step's state on `event`: the leaf state id, and the step's recorded status. */
function chartAfter(workflow: WorkflowName, key: string, event: { type: string; [k: string]: unknown }) {
  const machine = WORKFLOW_MACHINES[workflow] as unknown as AnyStateMachine;
  const from = machine.resolveState({
    value: stepValue(machine, key),
    context: { workflow, mode: {}, steps: {}, stoppedAt: null, cancelled: false, failure: null },
  });
  const [after] = transition(machine, from, event as never) as [AnyMachineSnapshot, unknown];
  const leaf = (after as unknown as { _nodes: Array<{ id: string; type: string }> })._nodes.filter(
    (n) => n.type === 'atomic' || n.type === 'final',
  )[0]!.id;
  return {
    leaf: leaf.slice(workflow.length + 1),
    status: (after.context as { steps: Record<string, string> }).steps[key],
  };
}

/** Runs `workflow` after its prerequisites, calling `during` when `<phase>/<step>` starts and `after` when it ends. */
async function runWith(
  workflow: WorkflowName,
  phase: PhaseName,
  step: string,
  hooks: { during: (h: Harness, runId: string) => void; after?: (h: Harness) => void },
): Promise<RunReport> {
  const h = createHarness(env);
  for (const w of BEFORE[workflow]) expect((await h.run({ plan: plan.name, workflow: w })).result).toBe('success');
  h.engine.subscribe((e) => {
    if (e.type === 'step-started' && e.phase === phase && e.step === step) hooks.during(h, e.runId);
    if (e.type === 'step-finished' && e.phase === phase && e.step === step) hooks.after?.(h);
  });
  return h.run({ plan: plan.name, workflow });
}

/** The report's step of `<phase>/<step>` (failback titles its steps with their phase). */
const reportStep = (report: RunReport, workflow: WorkflowName, phase: PhaseName, step: string) =>
  report.steps.find(
    (s) => s.target === undefined && s.id === step && (workflow !== 'failback' || s.title.endsWith(`(${phase})`)),
  );

/** Where the engine's run went from a step, in the chart's words. */
function runEnding(report: RunReport, workflow: WorkflowName, phase: PhaseName, step: string): string {
  const all = steps(workflow);
  const index = all.findIndex(([p, s]) => p === phase && s === step);
  const next = all[index + 1];
  const rolledBack = report.steps.some((s) => s.id === 'rollback-protected-site');
  if (rolledBack) return 'rollback-protected-site';
  if (report.result === 'cancelled') return 'cancelled';
  if (next)
    return (reportStep(report, workflow, next[0], next[1])?.status ?? 'inactive') !== 'inactive' ? 'next' : 'stopped';
  return report.result === 'incomplete' ? 'stopped' : 'done';
}

/** The chart's leaf for "on past this step": the next step's state (or done), named as {@link runEnding} does. */
function chartEnding(workflow: WorkflowName, phase: PhaseName, step: string, leaf: string): string {
  const all = steps(workflow);
  const index = all.findIndex(([p, s]) => p === phase && s === step);
  const next = all[index + 1];
  if (next && leaf.endsWith(`.${next[1]}`)) return 'next';
  if (next && leaf === next[1]) return 'next';
  return leaf;
}

describe.each(Object.keys(BEFORE) as WorkflowName[])(
  'the %s chart and the engine, a fault per transition',
  (workflow) => {
    const protectedSite = workflow === 'failback' ? plan.recoverySite : plan.protectedSite;
    const faulty = steps(workflow).filter(([, step]) => faultsFor(step, protectedSite) !== undefined);

    it.each(faulty)('an error of %s/%s ends where the chart says, with the status it gives', async (phase, step) => {
      const key = `${phase}/${step}`;
      const report = await runWith(workflow, phase, step, {
        during: (h) => h.world.setFaults(faultsFor(step, protectedSite)!),
        after: (h) => h.world.setFaults([]),
      });
      const recorded = reportStep(report, workflow, phase, step)!;
      // Every device or host fails: the error is not confined to some of them.
      const chart = chartAfter(workflow, key, {
        type: `xstate.done.actor.${key}`,
        output: { status: 'error' },
        actorId: key,
      });
      expect([key, recorded.status, runEnding(report, workflow, phase, step)]).toEqual([
        key,
        chart.status,
        chartEnding(workflow, phase, step, chart.leaf),
      ]);
    });

    it.each(steps(workflow))('a cancel during %s/%s ends where the chart says', async (phase, step) => {
      const key = `${phase}/${step}`;
      const report = await runWith(workflow, phase, step, {
        during: (h, runId) => h.engine.cancel(runId, 'model test'),
      });
      // Cancelled at its start, the step has sent nothing to storage yet.
      const chart = chartAfter(workflow, key, { type: 'CANCEL', untouched: true });
      expect([key, runEnding(report, workflow, phase, step)]).toEqual([key, chart.leaf]);
      expect(report.result).toBe('cancelled');
    });
  },
);
