import type { Logger } from 'pino';
import { createActor, fromPromise, type Snapshot } from 'xstate';
import { onAbort, type RunReport, type StepId } from '@drctl/domain';
import type { PhaseName, StepOutcome } from '../machines/policy.js';
import { stepJudge } from '../machines/step-judge.js';
import { WORKFLOW_MACHINES, type StepInput, type WorkflowOutcome } from '../machines/workflow-machine.js';
import type { EngineOptions } from './engine-options.js';
import type { RunContext } from './run-context.js';
import type { RunMeta } from './run-meta.js';
import { driveStep } from './step-driver.js';

export interface RunActorOptions {
  meta: RunMeta;
  ctx: RunContext;
  /** The persisted snapshot to restore (a resumed run). */
  snapshot: Snapshot<unknown> | undefined;
  /**
   * Restored to be cancelled: the step XState restarts on restore waits for the CANCEL that
   * follows at once instead of acting; the rollback step, if the chart calls it, runs. A run
   * killed before its first transition has no snapshot: its first step is held the same way.
   */
  holdRestoredStep: boolean;
  inspect: EngineOptions['inspect'];
  onStepPersisted: EngineOptions['onStepPersisted'];
  logger: Logger;
  /** Called once the chart reached a final state and every transition before it is persisted. */
  onEnd: (outcome: WorkflowOutcome) => Promise<RunReport>;
}

/**
 * The run's workflow actor: the workflow's chart with the engine's `runStep` (the step driver,
 * judged by the chart itself), every transition persisted in order before the host hears which
 * steps are durable, and the run's end once the chart's final state is persisted.
 */
export function createRunActor(o: RunActorOptions) {
  const { meta, ctx } = o;
  let holdRestoredStep = o.holdRestoredStep;
  const judge = stepJudge(meta.workflow, meta.mode);
  const machine = WORKFLOW_MACHINES[meta.workflow].provide({
    actors: {
      runStep: fromPromise<StepOutcome, StepInput>(({ input, signal }) => {
        if (holdRestoredStep) {
          holdRestoredStep = false;
          return new Promise<never>((_, reject) => onAbort(signal, () => reject(signal.reason)));
        }
        return driveStep(ctx, input.phase, input.step, signal, judge);
      }),
    },
  });
  // The actor's id is the run id: an inspection observer tells runs apart by it.
  const options = { id: meta.runId, input: { mode: meta.mode }, ...(o.inspect ? { inspect: o.inspect } : {}) };
  const actor = o.snapshot ? createActor(machine, { snapshot: o.snapshot, ...options }) : createActor(machine, options);

  // Persist every transition, in order; then tell the host which steps are now durable.
  let persisting: Promise<void> = Promise.resolve();
  let known = new Set(Object.keys(actor.getSnapshot().context?.steps ?? {}));
  let settle!: (report: RunReport) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<RunReport>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    persisting = persisting.then(() => o.onEnd(actor.getSnapshot().output!)).then(settle, fail);
  };
  actor.subscribe({
    next: (snap) => {
      const persisted = actor.getPersistedSnapshot();
      const context = snap.context;
      const fresh = Object.keys(context.steps).filter((k) => !known.has(k));
      known = new Set(Object.keys(context.steps));
      // The journal entries of the step that led here land in one journal line with the snapshot.
      const commit = ctx.journal.withSnapshot(meta.runId, persisted);
      persisting = persisting.then(async () => {
        await commit();
        for (const key of fresh) {
          const [phase, step] = key.split('/') as [PhaseName, StepId];
          o.onStepPersisted?.({ runId: meta.runId, plan: meta.plan, phase, step, status: context.steps[key]! });
        }
      });
      if (snap.status === 'done') end();
    },
    error: (error) => {
      o.logger.error({ err: error, runId: meta.runId }, 'workflow actor failed');
      persisting = persisting.then(() => fail(error));
    },
  });
  // The step the actor is in, as `<phase>/<step>` (the id of the step actor it invokes).
  const currentStepKey = () => Object.keys(actor.getSnapshot().children ?? {})[0];
  return {
    actor,
    /** Resolves with the final report once the run ended. */
    done,
    /** Whether the step the run is in has sent nothing to storage yet. */
    untouched: () => {
      const key = currentStepKey();
      return key !== undefined && !ctx.journal.sentUnder(key);
    },
    /** Ends the run here without finishing it (its lease was lost). */
    abandon: (error: unknown) => {
      actor.stop();
      fail(error);
    },
    /** Ends the run if the chart is already final (a restored, finished snapshot). */
    endIfDone: () => {
      if (actor.getSnapshot().status === 'done') end();
    },
  };
}
