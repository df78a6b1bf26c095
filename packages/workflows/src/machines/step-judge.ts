import { transition, type AnyStateMachine, type StateValue } from 'xstate';
import type { StepId, StepStatus, WorkflowName } from '@drctl/domain';
import type { PhaseName, StepOutcome, WorkflowMode } from './policy.js';
import { stepKey, WORKFLOW_MACHINES, type WorkflowContext } from './workflow-machine.js';

/** What a workflow's chart makes of a step's outcome. */
export interface StepJudgement {
  /** The status the report shows. */
  status: StepStatus;
  /** The run ends at this step (stopped, or rolled back). */
  stops: boolean;
}

/** Judges a step's raw outcome (see {@link stepJudge}). */
export type StepJudge = (phase: PhaseName, step: StepId, outcome: StepOutcome) => StepJudgement;

/** The state value that has the step state of `stateId` active, e.g. `{ 'before-storage': 'pre-sync-storage' }`. */
function valueOfPath(path: readonly string[]): StateValue {
  return path.reduceRight<StateValue | undefined>(
    (value, key) => (value === undefined ? key : { [key]: value }),
    undefined,
  )!;
}

const STEP_VALUES = new Map<AnyStateMachine, Map<string, StateValue>>();

/** Each step's state value in a machine, by `<phase>/<step>` (the id of the actor the state invokes). */
function stepValues(machine: AnyStateMachine): Map<string, StateValue> {
  let values = STEP_VALUES.get(machine);
  if (!values) {
    values = new Map();
    const visit = (node: { path: string[]; invoke: Array<{ id: string }>; states: Record<string, unknown> }) => {
      for (const i of node.invoke) values!.set(i.id, valueOfPath(node.path));
      for (const child of Object.values(node.states)) visit(child as typeof node);
    };
    visit(machine.root);
    STEP_VALUES.set(machine, values);
  }
  return values;
}

/**
 * The engine's way of asking a workflow's chart what a step's outcome means, before it writes the
 * report: the chart's own transition for the step actor's completion is taken (XState's pure
 * `transition`, nothing executed) from the step's state, and the status and whether the run stops
 * are read from where it leads. The policy lives in the chart's guards only; the engine reports
 * what the chart decided.
 */
export function stepJudge(workflow: WorkflowName, mode: WorkflowMode): StepJudge {
  const machine = WORKFLOW_MACHINES[workflow] as unknown as AnyStateMachine;
  const values = stepValues(machine);
  const context: WorkflowContext = { workflow, mode, steps: {}, stoppedAt: null, cancelled: false, failure: null };
  return (phase, step, outcome) => {
    const key = stepKey(phase, step);
    const value = values.get(key);
    if (value === undefined) throw new Error(`The ${workflow} chart has no step ${key}.`);
    const from = machine.resolveState({ value, context });
    const [next] = transition(machine, from, { type: `xstate.done.actor.${key}`, output: outcome, actorId: key });
    const judged = next.context as WorkflowContext;
    return { status: judged.steps[key] ?? outcome.status, stops: judged.stoppedAt === key };
  };
}
