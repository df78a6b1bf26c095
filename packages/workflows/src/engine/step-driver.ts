import { setMaxListeners } from 'node:events';
import { isDrError, type StepId, type StepStatus } from '@drctl/domain';
import { skippedByMode, type PhaseName, type StepOutcome } from '../machines/policy.js';
import type { StepJudge } from '../machines/step-judge.js';
import { PHASE_STEPS, stepKey } from '../machines/workflow-machine.js';
import { errorMessage, type RunContext, type StepResult } from './run-context.js';
import { runPlanCallouts } from './steps/callouts.js';
import { STEP_IMPLEMENTATIONS } from './steps/index.js';

/** Raw statuses the journal keeps for a step that must run again on a re-run. */
const NOT_DONE = new Set(['error', 'cancelled', 'skipped-forced']);

/** Why an error became a warning, in the words of the workflow that tolerated it. */
function toleratedErrorMessage(phase: PhaseName): string {
  switch (phase) {
    case 'cleanup':
      return 'error recorded as a warning (forced cleanup goes on; clean up what is left by hand)';
    case 'reprotect':
      return 'error recorded as a warning (forced reprotect goes on; check the old storage by hand and run a test soon)';
    default:
      return 'protected site error recorded as a warning (disaster recovery goes on)';
  }
}

/**
 * Runs one step for the workflow machine's `runStep` actor:
 * 1. the operation's journal first — a step this run already finished (XState restarted the
 *    actor after a crash) returns its recorded status; one an earlier run of the same operation
 *    finished is `already-done`;
 * 2. steps the mode skips (forced recovery, test without sync);
 * 3. plan-level callouts positioned before the step;
 * 4. the step's implementation; the workflow's chart judges its outcome (`judge`: the status the
 *    report shows, whether the run stops there) — the driver decides nothing itself;
 * 5. journal, checkpoint and report — in that order, so the record follows the effect.
 * Returns the raw outcome: the chart's guards take the transition from it.
 */
export async function driveStep(
  ctx: RunContext,
  phase: PhaseName,
  step: StepId,
  signal: AbortSignal,
  judge: StepJudge,
): Promise<StepOutcome> {
  // One step fans out to thousands of VMs and hosts, each listening for the step's abort.
  setMaxListeners(0, signal);
  const key = stepKey(phase, step);
  const record = ctx.report.step(step, phase);
  const prior = ctx.journal.stepEntry(key);
  if (prior && !NOT_DONE.has(prior.status)) {
    const sameRun = prior.runId === ctx.runId;
    // The journal keeps raw statuses and never replays an error, so a replayed status stands as it is.
    const status: StepStatus = sameRun
      ? record.status === 'inactive' || record.status === 'running'
        ? (prior.status as StepStatus)
        : record.status
      : 'already-done';
    if (record.status === 'inactive' || record.status === 'running') {
      ctx.report.start(record);
      ctx.report.finish(
        record,
        status,
        sameRun ? 'finished before the interruption' : 'already done by an earlier run of this operation',
      );
    }
    ctx.events.emit({
      type: 'step-finished',
      runId: ctx.runId,
      step,
      phase,
      status,
      at: record.finishedAt ?? ctx.report.now(),
      messages: record.messages,
    });
    return { status, settled: true };
  }

  const skipReason = skippedByMode(phase, ctx.mode, step);
  if (skipReason) {
    ctx.report.start(record);
    ctx.report.finish(record, 'skipped', skipReason);
    // Lands with the snapshot of the transition that follows (one writeAll).
    ctx.journal.stage({
      t: 'step-end',
      key,
      runId: ctx.runId,
      status: phase === 'disaster-recovery' ? 'skipped-forced' : 'skipped',
      at: ctx.report.now(),
    });
    await ctx.report.saveAtStepEnd();
    ctx.events.emit({
      type: 'step-finished',
      runId: ctx.runId,
      step,
      phase,
      status: 'skipped',
      at: ctx.report.now(),
      messages: [skipReason],
    });
    return { status: 'skipped', settled: true };
  }

  // The report is written when a step ends (and before a prompt waits), not when it starts: a
  // 10,000-VM report is megabytes, and the start is in the persisted workflow snapshot anyway.
  ctx.report.start(record);
  ctx.events.emit({ type: 'step-started', runId: ctx.runId, step, phase, at: record.startedAt! });
  const calloutWarnings = await runPlanCallouts(ctx, step, phase, signal);

  let raw: StepResult;
  try {
    raw = await STEP_IMPLEMENTATIONS[step](ctx, phase, signal);
  } catch (error) {
    if (signal.aborted) {
      ctx.report.finish(record, 'cancelled', 'cancelled');
      await ctx.report.save();
      throw error;
    }
    ctx.logger.error({ err: error, step, phase }, 'step failed unexpectedly');
    raw = {
      status: 'error',
      messages: [isDrError(error) ? error.message : `unexpected failure: ${errorMessage(error)}`],
      results: [],
    };
  }
  const outcome: StepOutcome = {
    status: raw.status,
    ...(raw.confined === true ? { confined: true } : {}),
    ...(calloutWarnings.length > 0 ? { calloutWarned: true } : {}),
  };
  const decision = judge(phase, step, outcome);
  const status = decision.status;
  if (status === 'warning' && raw.status === 'error') {
    raw.messages.unshift(toleratedErrorMessage(phase));
  } else if (status === 'error' && !decision.stops && raw.confined) {
    raw.messages.unshift(
      'the VMs of what failed are marked failed; the rest of the plan recovers (disaster recovery goes on)',
    );
  }
  record.results.push(...raw.results);
  record.messages.push(...calloutWarnings, ...raw.messages);
  ctx.report.finish(record, status);
  await ctx.checkpoint();
  // Lands with the snapshot of the transition that follows (one writeAll), so a crash never
  // leaves a step journalled as finished under a snapshot still inside it, or the reverse.
  ctx.journal.stage({ t: 'step-end', key, runId: ctx.runId, status: raw.status, at: record.finishedAt! });

  // Callouts positioned at the end run after the last step of the workflow.
  const phaseSteps = PHASE_STEPS[phase];
  if (!decision.stops && phaseSteps[phaseSteps.length - 1] === step) {
    // The end callouts have effects: the step's end is durable before they run.
    await ctx.journal.flush();
    const endWarnings = await runPlanCallouts(ctx, 'end', phase, signal);
    for (const w of endWarnings) ctx.report.note(w);
  }
  await ctx.report.saveAtStepEnd();
  ctx.events.emit({
    type: 'step-finished',
    runId: ctx.runId,
    step,
    phase,
    status,
    at: record.finishedAt!,
    messages: record.messages,
  });
  return outcome;
}
