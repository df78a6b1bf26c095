import { assign, fromPromise, setup, type AnyStateMachine } from 'xstate';
import {
  CLEANUP_STEPS,
  RECOVERY_STEPS,
  REPROTECT_STEPS,
  STORAGE_POINT_OF_NO_RETURN,
  TEST_STEPS,
  type StepId,
  type StepStatus,
  type WorkflowName,
} from '@drctl/domain';
import { inRollbackWindow, type PhaseName, type WorkflowMode } from './policy.js';

/** What the injected `runStep` actor receives. */
export interface StepInput {
  phase: PhaseName;
  step: StepId;
}

/** What it returns: the status after the error policy, and whether the run stops here. */
export interface StepOutput {
  status: StepStatus;
  stop: boolean;
}

export interface WorkflowInput {
  mode: WorkflowMode;
}

export interface WorkflowContext {
  workflow: WorkflowName;
  mode: WorkflowMode;
  /** Status per `<phase>/<step>` as each step finishes. */
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

/**
 * Builds the machine of one workflow. States are the brief's step ids in SRM order; each
 * invokes the injected `runStep` actor (side effects live there, provided by the engine).
 * Failback nests its two phases as compound states. Machines are pure definitions: the default
 * `runStep` refuses to run, so a machine used without the engine fails loudly.
 */
export function createWorkflowMachine(workflow: WorkflowName) {
  const phases = phasesOf(workflow);
  const nested = phases.length > 1;
  const root = `#${workflow}`;
  const hasRollback = phases.includes('planned-migration');

  const stepState = (phase: PhaseName, step: StepId, next: string) => {
    const rollback = hasRollback && inRollbackWindow(phase, step);
    const stopTarget = rollback ? `${root}.${ROLLBACK}` : `${root}.stopped`;
    // The first storage step, cancelled before it sent anything, is still before the storage steps.
    const firstStorageStep = phase === 'planned-migration' && step === STORAGE_POINT_OF_NO_RETURN;
    const cancel = rollback
      ? { target: `${root}.${ROLLBACK}`, actions: 'markCancelled' as const }
      : firstStorageStep
        ? [
            {
              guard: 'cancelledBeforeStorageTouched' as const,
              target: `${root}.${ROLLBACK}`,
              actions: 'markCancelled' as const,
            },
            { target: `${root}.cancelled`, actions: 'markCancelled' as const },
          ]
        : { target: `${root}.cancelled`, actions: 'markCancelled' as const };
    return {
      tags: ['step'],
      invoke: {
        id: stepKey(phase, step),
        src: 'runStep' as const,
        input: { phase, step } satisfies StepInput,
        onDone: [
          { guard: 'stepStopsRun' as const, target: stopTarget, actions: ['recordStep', 'recordStop'] as const },
          { target: next, actions: 'recordStep' as const },
        ],
        onError: { target: stopTarget, actions: 'recordFailure' as const },
      },
      on: { CANCEL: cancel },
    };
  };

  const phaseStates = (phase: PhaseName, after: string) => {
    const steps = PHASE_STEPS[phase];
    const states: Record<string, unknown> = {};
    steps.forEach((step, i) => {
      const next = i + 1 < steps.length ? steps[i + 1]! : after;
      states[step] = stepState(phase, step, next);
    });
    return states;
  };

  let states: Record<string, unknown>;
  let initial: string;
  if (!nested) {
    const phase = phases[0]!;
    states = phaseStates(phase, 'done');
    initial = PHASE_STEPS[phase][0]!;
  } else {
    states = {};
    phases.forEach((phase, i) => {
      const after = 'phase-complete';
      states[phase] = {
        initial: PHASE_STEPS[phase][0]!,
        states: { ...phaseStates(phase, after), [after]: { type: 'final' } },
        onDone: { target: i + 1 < phases.length ? phases[i + 1]! : 'done' },
      };
    });
    initial = phases[0]!;
  }
  if (hasRollback) {
    states[ROLLBACK] = {
      tags: ['step'],
      invoke: {
        id: stepKey('planned-migration', ROLLBACK),
        src: 'runStep',
        input: { phase: 'planned-migration', step: ROLLBACK } satisfies StepInput,
        onDone: { target: 'rolled-back', actions: 'recordStep' },
        onError: { target: 'rolled-back', actions: 'recordFailure' },
      },
    };
    states['rolled-back'] = { type: 'final' };
  }
  states['done'] = { type: 'final' };
  states['stopped'] = { type: 'final' };
  states['cancelled'] = { type: 'final' };

  return setup({
    types: {
      context: {} as WorkflowContext,
      events: {} as WorkflowEvent,
      input: {} as WorkflowInput,
    },
    actors: {
      runStep: fromPromise<StepOutput, StepInput>(async () => {
        throw new Error('runStep is provided by the engine; this machine is only a definition.');
      }),
    },
    guards: {
      stepStopsRun: ({ event }) => (event as unknown as { output: StepOutput }).output.stop,
      cancelledBeforeStorageTouched: ({ event }) => event.type === 'CANCEL' && event.untouched === true,
    },
    actions: {
      recordStep: assign({
        steps: ({ context, event }) => {
          const e = event as unknown as { output: StepOutput; actorId: string };
          return { ...context.steps, [e.actorId]: e.output.status };
        },
      }),
      recordStop: assign({
        stoppedAt: ({ event }) => (event as unknown as { actorId: string }).actorId,
      }),
      recordFailure: assign({
        steps: ({ context, event }) => ({
          ...context.steps,
          [(event as unknown as { actorId: string }).actorId]: 'error',
        }),
        stoppedAt: ({ event }) => (event as unknown as { actorId: string }).actorId,
        failure: ({ event }) => String((event as unknown as { error: unknown }).error),
      }),
      markCancelled: assign({ cancelled: true }),
    },
  }).createMachine({
    id: workflow,
    initial,
    context: ({ input }) => ({
      workflow,
      mode: input.mode,
      steps: {},
      stoppedAt: null,
      cancelled: false,
      failure: null,
    }),
    // The state tree is generated from the step catalogue; XState's config types cannot follow
    // a computed record, so it is typed loosely here and checked by the model-based tests.
    states: states as never,
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
