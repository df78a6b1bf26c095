import { and, assign, setup, type SnapshotFrom } from 'xstate';
import type { WorkflowName } from '@drctl/domain';

/** How a run ended, as the lifecycle sees it. */
export type RunEnding = 'complete' | 'incomplete' | 'rolled-back' | 'cancelled';

export type PlanLifecycleEvent =
  | { type: 'START'; workflow: WorkflowName; runId: string }
  | { type: 'RUN_ENDED'; workflow: WorkflowName; ending: RunEnding; protectedSitePending?: boolean };

export interface PlanLifecycleContext {
  plan: string;
  /** True after a reprotect: the plan protects the original recovery site. */
  reversed: boolean;
  /** Disaster recovery finished without the protected-site steps; running recovery again completes them. */
  protectedSitePending: boolean;
  activeRunId: string | null;
  lastRunId: string | null;
}

const isStart =
  (workflow: WorkflowName) =>
  ({ event }: { event: PlanLifecycleEvent }) =>
    event.type === 'START' && event.workflow === workflow;
const ended =
  (workflow: WorkflowName | WorkflowName[], ending: RunEnding | RunEnding[]) =>
  ({ event }: { event: PlanLifecycleEvent }) =>
    event.type === 'RUN_ENDED' &&
    (Array.isArray(workflow) ? workflow.includes(event.workflow) : event.workflow === workflow) &&
    (Array.isArray(ending) ? ending.includes(event.ending) : event.ending === ending);

/**
 * A recovery plan's lifecycle, as SRM shows it: ready → test → test complete → cleanup → ready;
 * ready → recovery → recovery complete | incomplete (run again) → reprotect → ready in the other
 * direction; failback = planned migration back + reprotect after a reprotect. An operation that
 * does not fit the state is not accepted (see `refusal` for the reason shown to the user).
 */
export const planLifecycleMachine = setup({
  types: {
    context: {} as PlanLifecycleContext,
    events: {} as PlanLifecycleEvent,
    input: {} as { plan: string },
  },
  guards: {
    startsTest: isStart('test'),
    startsCleanup: isStart('cleanup'),
    startsRecovery: ({ event }) =>
      event.type === 'START' && (event.workflow === 'planned-migration' || event.workflow === 'disaster-recovery'),
    startsReprotect: isStart('reprotect'),
    startsFailback: ({ context, event }) => event.type === 'START' && event.workflow === 'failback' && context.reversed,
    finishesProtectedSite: ({ context, event }) =>
      context.protectedSitePending &&
      event.type === 'START' &&
      (event.workflow === 'planned-migration' || event.workflow === 'disaster-recovery'),
    protectedSiteDone: ({ context }) => !context.protectedSitePending,
    testEnded: ended('test', ['complete', 'incomplete', 'cancelled']),
    cleanupComplete: ended('cleanup', 'complete'),
    cleanupIncomplete: ended('cleanup', ['incomplete', 'cancelled']),
    recoveryComplete: ended(['planned-migration', 'disaster-recovery'], 'complete'),
    recoveryIncomplete: ended(['planned-migration', 'disaster-recovery'], ['incomplete', 'cancelled']),
    recoveryRolledBack: ended(['planned-migration', 'disaster-recovery'], 'rolled-back'),
    reprotectComplete: ended('reprotect', 'complete'),
    reprotectIncomplete: ended('reprotect', ['incomplete', 'cancelled']),
    failbackComplete: ended('failback', 'complete'),
    failbackRolledBack: ended('failback', 'rolled-back'),
    failbackIncomplete: ended('failback', ['incomplete', 'cancelled']),
  },
  actions: {
    trackRun: assign({
      activeRunId: ({ event }) => (event.type === 'START' ? event.runId : null),
    }),
    closeRun: assign({
      lastRunId: ({ context }) => context.activeRunId,
      activeRunId: null,
    }),
    notePending: assign({
      protectedSitePending: ({ event }) => event.type === 'RUN_ENDED' && event.protectedSitePending === true,
    }),
    reverse: assign({ reversed: ({ context }) => !context.reversed }),
  },
}).createMachine({
  id: 'plan-lifecycle',
  initial: 'ready',
  context: ({ input }) => ({
    plan: input.plan,
    reversed: false,
    protectedSitePending: false,
    activeRunId: null,
    lastRunId: null,
  }),
  states: {
    ready: {
      on: {
        START: [
          { guard: 'startsTest', target: 'test-in-progress', actions: 'trackRun' },
          { guard: 'startsRecovery', target: 'recovery-in-progress', actions: 'trackRun' },
          { guard: 'startsFailback', target: 'failback-in-progress', actions: 'trackRun' },
        ],
      },
    },
    'test-in-progress': {
      on: { RUN_ENDED: { guard: 'testEnded', target: 'test-complete', actions: 'closeRun' } },
    },
    'test-complete': {
      on: { START: { guard: 'startsCleanup', target: 'cleanup-in-progress', actions: 'trackRun' } },
    },
    'cleanup-in-progress': {
      on: {
        RUN_ENDED: [
          { guard: 'cleanupComplete', target: 'ready', actions: 'closeRun' },
          { guard: 'cleanupIncomplete', target: 'test-complete', actions: 'closeRun' },
        ],
      },
    },
    'recovery-in-progress': {
      on: {
        RUN_ENDED: [
          { guard: 'recoveryComplete', target: 'recovery-complete', actions: ['closeRun', 'notePending'] },
          { guard: 'recoveryRolledBack', target: 'ready', actions: 'closeRun' },
          { guard: 'recoveryIncomplete', target: 'recovery-incomplete', actions: 'closeRun' },
        ],
      },
    },
    'recovery-incomplete': {
      on: { START: { guard: 'startsRecovery', target: 'recovery-in-progress', actions: 'trackRun' } },
    },
    'recovery-complete': {
      on: {
        START: [
          { guard: 'finishesProtectedSite', target: 'recovery-in-progress', actions: 'trackRun' },
          {
            guard: and(['startsReprotect', 'protectedSiteDone']),
            target: 'reprotect-in-progress',
            actions: 'trackRun',
          },
        ],
      },
    },
    'reprotect-in-progress': {
      on: {
        RUN_ENDED: [
          { guard: 'reprotectComplete', target: 'ready', actions: ['closeRun', 'reverse'] },
          { guard: 'reprotectIncomplete', target: 'reprotect-incomplete', actions: 'closeRun' },
        ],
      },
    },
    'reprotect-incomplete': {
      on: { START: { guard: 'startsReprotect', target: 'reprotect-in-progress', actions: 'trackRun' } },
    },
    'failback-in-progress': {
      on: {
        RUN_ENDED: [
          { guard: 'failbackComplete', target: 'ready', actions: ['closeRun', 'reverse'] },
          { guard: 'failbackRolledBack', target: 'ready', actions: 'closeRun' },
          { guard: 'failbackIncomplete', target: 'failback-incomplete', actions: 'closeRun' },
        ],
      },
    },
    'failback-incomplete': {
      on: { START: { guard: 'startsFailback', target: 'failback-in-progress', actions: 'trackRun' } },
    },
  },
});

export type PlanLifecycleSnapshot = SnapshotFrom<typeof planLifecycleMachine>;
/** The lifecycle's states, as its machine defines them. */
export type PlanState = PlanLifecycleSnapshot['value'];

const WHAT_NEXT: Record<PlanState, string> = {
  ready: 'run test, planned-migration or disaster-recovery',
  'test-in-progress': 'wait for the test to finish, or cancel it',
  'test-complete': 'run cleanup first',
  'cleanup-in-progress': 'wait for the cleanup to finish',
  'recovery-in-progress': 'wait for the recovery to finish, or resume it if it was interrupted',
  'recovery-incomplete': 'run the recovery again to finish it',
  'recovery-complete': 'run reprotect',
  'reprotect-in-progress': 'wait for the reprotect to finish',
  'reprotect-incomplete': 'run reprotect again (with --force to ignore cleanup errors)',
  'failback-in-progress': 'wait for the failback to finish',
  'failback-incomplete': 'run failback again to finish it',
};

/** Why `workflow` cannot start in `state`, in one sentence, or undefined when it can. */
export function refusal(snapshot: PlanLifecycleSnapshot, workflow: WorkflowName, runId = 'check'): string | undefined {
  if (snapshot.can({ type: 'START', workflow, runId })) return undefined;
  const state = snapshot.value;
  const plan = snapshot.context.plan;
  if (workflow === 'failback' && state === 'ready' && !snapshot.context.reversed) {
    return `Plan ${plan} has not been reprotected, so there is nothing to fail back; run planned-migration, then reprotect, first.`;
  }
  if (workflow === 'reprotect' && state === 'recovery-complete' && snapshot.context.protectedSitePending) {
    return `Plan ${plan} recovered without shutting down the protected site; run disaster-recovery again once the protected site is back, then reprotect.`;
  }
  return `Plan ${plan} is ${state.replace(/-/g, ' ')}, so ${workflow} cannot start: ${WHAT_NEXT[state]}.`;
}
