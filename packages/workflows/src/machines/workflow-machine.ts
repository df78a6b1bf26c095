import {
  assertEvent,
  assign,
  fromPromise,
  setup,
  type AnyStateMachine,
  type DoneActorEvent,
  type DoneStateEvent,
  type ErrorActorEvent,
} from 'xstate';
import {
  CLEANUP_STEPS,
  RECOVERY_STEPS,
  REPROTECT_STEPS,
  TEST_STEPS,
  type StepId,
  type StepStatus,
  type WorkflowName,
} from '@drctl/domain';
import type { RunEnding } from './plan-lifecycle-machine.js';
import {
  inRollbackWindow,
  statusAfter,
  stepRule,
  type PhaseName,
  type StepOutcome,
  type Verdict,
  type WorkflowMode,
} from './policy.js';

/** What the injected `runStep` actor receives. */
export interface StepInput {
  phase: PhaseName;
  step: StepId;
}

export interface WorkflowInput {
  mode: WorkflowMode;
}

export interface WorkflowContext {
  workflow: WorkflowName;
  mode: WorkflowMode;
  /** Status per `<phase>/<step>` as each step finishes, as the chart judged it. */
  steps: Record<string, StepStatus>;
  /** Step where the run stopped, if it did. */
  stoppedAt: string | null;
  cancelled: boolean;
  /** Set when the step actor itself failed (a bug or an unexpected exception). */
  failure: string | null;
}

/**
 * `untouched`: the engine's word that the step the run is in has not sent anything to storage
 * yet, so a cancel there still counts as before the storage steps.
 */
export type WorkflowEvent = { type: 'CANCEL'; reason?: string; untouched?: boolean };

/** Final states of every workflow machine. */
export const FINAL_STATES = ['done', 'stopped', 'cancelled', 'rolled-back'] as const;
export type FinalState = (typeof FINAL_STATES)[number];

/** What a workflow machine ends with (its final state's `output`): how the run ended. */
export interface WorkflowOutcome {
  final: FinalState;
  /** The ending the plan lifecycle hears. */
  ending: RunEnding;
  cancelled: boolean;
  stoppedAt: string | null;
  failure: string | null;
}

/** The steps of each phase in SRM order. */
export const PHASE_STEPS: Record<PhaseName, readonly StepId[]> = {
  test: TEST_STEPS,
  cleanup: CLEANUP_STEPS,
  'planned-migration': RECOVERY_STEPS,
  'disaster-recovery': RECOVERY_STEPS,
  reprotect: REPROTECT_STEPS,
};

/** Failback is a planned migration back to the original site, then a reprotect. */
export function phasesOf(workflow: WorkflowName): PhaseName[] {
  return workflow === 'failback' ? ['planned-migration', 'reprotect'] : [workflow];
}

export function stepKey(phase: PhaseName, step: StepId): string {
  return `${phase}/${step}`;
}

const ROLLBACK: StepId = 'rollback-protected-site';
/** Planned migration's compound states, either side of the storage point of no return. */
export const BEFORE_STORAGE = 'before-storage';
export const AFTER_STORAGE = 'after-storage';

const ENDINGS: Record<FinalState, RunEnding> = {
  done: 'complete',
  stopped: 'incomplete',
  cancelled: 'cancelled',
  'rolled-back': 'rolled-back',
};

const workflowSetup = setup({
  types: {
    context: {} as WorkflowContext,
    events: {} as WorkflowEvent,
    input: {} as WorkflowInput,
    output: {} as WorkflowOutcome,
  },
  actors: {
    runStep: fromPromise<StepOutcome, StepInput>(async () => {
      throw new Error('runStep is provided by the engine; this machine is only a definition.');
    }),
  },
  guards: {
    /**
     * The step failed and the workflow does not tolerate it: `unless` names what would (an error
     * confined to some devices, or the operator's force).
     */
    stepFailed: ({ context }, params: { outcome: StepOutcome; unless?: 'confined' | 'forced' }) => {
      const { outcome, unless } = params;
      if (outcome.settled || outcome.status !== 'error') return false;
      if (unless === 'confined' && outcome.confined === true) return false;
      if (unless === 'forced' && context.mode.force === true) return false;
      return true;
    },
    cancelledBeforeStorageTouched: ({ event }) => {
      assertEvent(event, 'CANCEL');
      return event.untouched === true;
    },
  },
  actions: {
    recordStep: assign(({ context }, params: { key: string; outcome: StepOutcome; verdict: Verdict }) => ({
      steps: { ...context.steps, [params.key]: statusAfter(params.outcome, params.verdict) },
      ...(params.verdict === 'stop' ? { stoppedAt: params.key } : {}),
    })),
    recordFailure: assign(({ context }, params: { key: string; error: unknown }) => ({
      steps: { ...context.steps, [params.key]: 'error' as StepStatus },
      stoppedAt: params.key,
      failure: String(params.error),
    })),
    markCancelled: assign({ cancelled: true }),
  },
});

const finalState = (final: FinalState) =>
  workflowSetup.createStateConfig({
    type: 'final',
    output: ({ context }): WorkflowOutcome => ({
      final,
      ending: ENDINGS[final],
      cancelled: context.cancelled,
      stoppedAt: context.stoppedAt,
      failure: context.failure,
    }),
  });

type DoneStep = DoneActorEvent<StepOutcome>;

const recordStep = (key: string, verdict: Verdict) =>
  ({
    type: 'recordStep',
    params: ({ event }: { event: DoneStep }) => ({ key, outcome: event.output, verdict }),
  }) as const;
const recordFailure = (key: string) =>
  ({
    type: 'recordFailure',
    params: ({ event }: { event: ErrorActorEvent }) => ({ key, error: event.error }),
  }) as const;

/**
 * One step's state: it invokes the engine's `runStep` and judges the raw outcome by the step's
 * rule (`stepRule`), so only the transitions that can happen are drawn: on to `next` always, to
 * `stop` (the stopped state, or the rollback) only where an error can stop the run, and when the
 * step actor itself fails. `cancel` is the step's own cancel rule, where it has one.
 */
function stepState(phase: PhaseName, step: StepId, next: string, stop: string, cancel?: { untouched: string }) {
  const key = stepKey(phase, step);
  const rule = stepRule(phase, step);
  const unless: 'confined' | 'forced' | undefined =
    rule === 'stops-unless-confined' ? 'confined' : rule === 'stops-unless-forced' ? 'forced' : undefined;
  const goOn = {
    target: next,
    actions: recordStep(key, rule === 'tolerates-errors' || unless === 'forced' ? 'tolerate' : 'continue'),
  };
  const judged =
    rule === 'never-stops' || rule === 'tolerates-errors'
      ? [goOn]
      : [
          {
            guard: {
              type: 'stepFailed',
              params: ({ event }: { event: DoneStep }) => ({ outcome: event.output, ...(unless ? { unless } : {}) }),
            } as const,
            target: stop,
            actions: recordStep(key, 'stop'),
          },
          goOn,
        ];
  return workflowSetup.createStateConfig({
    tags: ['step'],
    invoke: {
      id: key,
      src: 'runStep',
      input: { phase, step } satisfies StepInput,
      onDone: judged,
      onError: { target: stop, actions: recordFailure(key) },
    },
    ...(cancel
      ? {
          on: {
            CANCEL: { guard: 'cancelledBeforeStorageTouched', target: cancel.untouched, actions: 'markCancelled' },
          },
        }
      : {}),
  });
}

type StateConfig = ReturnType<typeof workflowSetup.createStateConfig>;

/**
 * The states of one phase under `path` (the state id they sit in), ending at `after`. Planned
 * migration's steps sit in two compound states either side of the storage point of no return:
 * one CANCEL each, to the rollback before it and to `cancelled` after it.
 */
function phaseStates(root: string, path: string, phase: PhaseName, after: string): Record<string, StateConfig> {
  const steps = PHASE_STEPS[phase];
  const rollback = `#${root}.${ROLLBACK}`;
  if (phase !== 'planned-migration') {
    return Object.fromEntries(
      steps.map((step, i) => [
        step,
        stepState(phase, step, i + 1 < steps.length ? `#${path}.${steps[i + 1]}` : after, `#${root}.stopped`),
      ]),
    );
  }
  const before = steps.filter((s) => inRollbackWindow(phase, s));
  const rest = steps.filter((s) => !inRollbackWindow(phase, s));
  const group = (name: string, list: StepId[], stop: string, then: string, cancelTo: string) =>
    workflowSetup.createStateConfig({
      initial: list[0]!,
      on: { CANCEL: { target: cancelTo, actions: 'markCancelled' } },
      states: Object.fromEntries(
        list.map((step, i) => [
          step,
          stepState(
            phase,
            step,
            i + 1 < list.length ? `#${path}.${name}.${list[i + 1]}` : then,
            stop,
            // The first storage step, cancelled before it sent anything, is still before the storage steps.
            i === 0 && name === AFTER_STORAGE ? { untouched: rollback } : undefined,
          ),
        ]),
      ),
    });
  return {
    [BEFORE_STORAGE]: group(BEFORE_STORAGE, before, rollback, `#${path}.${AFTER_STORAGE}`, rollback),
    [AFTER_STORAGE]: group(AFTER_STORAGE, rest, `#${root}.stopped`, after, `#${root}.cancelled`),
  };
}

/**
 * Builds the chart of one workflow. Step states are the brief's step ids in SRM order; each
 * invokes the injected `runStep` actor (side effects live there, provided by the engine) and the
 * chart's guards judge what it returns. Failback nests its two phases as compound states. A
 * cancel is stated once: on the root, or on each of planned migration's two compound states.
 * Final states carry the run's outcome as the machine's `output`. Machines are pure
 * definitions: the default `runStep` refuses to run, so a machine used without the engine fails loudly.
 */
export function createWorkflowMachine(workflow: WorkflowName) {
  const phases = phasesOf(workflow);
  const root = workflow;
  const hasRollback = phases.includes('planned-migration');
  const finals = {
    done: finalState('done'),
    stopped: finalState('stopped'),
    cancelled: finalState('cancelled'),
  };
  let states: Record<string, StateConfig>;
  if (phases.length === 1) {
    states = phaseStates(root, root, phases[0]!, `#${root}.done`);
  } else {
    states = {};
    phases.forEach((phase, i) => {
      const path = `${root}.${phase}`;
      const after = i + 1 < phases.length ? `#${root}.${phases[i + 1]}` : `#${root}.done`;
      const children = phaseStates(root, path, phase, after);
      states[phase] = workflowSetup.createStateConfig({
        initial: Object.keys(children)[0]!,
        ...(phase === 'planned-migration'
          ? {}
          : { on: { CANCEL: { target: `#${root}.cancelled`, actions: 'markCancelled' } } }),
        states: children,
      });
    });
  }
  if (hasRollback) {
    const key = stepKey('planned-migration', ROLLBACK);
    states[ROLLBACK] = workflowSetup.createStateConfig({
      tags: ['step'],
      invoke: {
        id: key,
        src: 'runStep',
        input: { phase: 'planned-migration', step: ROLLBACK } satisfies StepInput,
        onDone: { target: 'rolled-back', actions: recordStep(key, 'continue') },
        onError: { target: 'rolled-back', actions: recordFailure(key) },
      },
    });
    states['rolled-back'] = finalState('rolled-back');
  }
  Object.assign(states, finals);

  return workflowSetup.createMachine({
    id: workflow,
    initial: Object.keys(states)[0]!,
    context: ({ input }) => ({
      workflow,
      mode: input.mode,
      steps: {},
      stoppedAt: null,
      cancelled: false,
      failure: null,
    }),
    // Planned migration states its cancel on its two compound states (one rolls back); every
    // other workflow once, here.
    ...(hasRollback ? {} : { on: { CANCEL: { target: `#${root}.cancelled`, actions: 'markCancelled' } } }),
    states,
    output: ({ event }) => (event as DoneStateEvent<WorkflowOutcome>).output,
  });
}

export type WorkflowMachine = ReturnType<typeof createWorkflowMachine>;

/** One machine per workflow, built once. */
export const WORKFLOW_MACHINES: Record<WorkflowName, WorkflowMachine> = {
  test: createWorkflowMachine('test'),
  cleanup: createWorkflowMachine('cleanup'),
  'planned-migration': createWorkflowMachine('planned-migration'),
  'disaster-recovery': createWorkflowMachine('disaster-recovery'),
  reprotect: createWorkflowMachine('reprotect'),
  failback: createWorkflowMachine('failback'),
};

export function isAnyMachine(value: unknown): value is AnyStateMachine {
  return typeof value === 'object' && value !== null && 'config' in value && 'transition' in value;
}
