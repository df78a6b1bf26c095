import type { DocumentStore, RunResult } from '@drctl/domain';
import type { RunEnding } from '../machines/plan-lifecycle-machine.js';
import type { WorkflowOutcome } from '../machines/workflow-machine.js';
import { failedGroupNotes, failedProtectionGroups } from './group-outcomes.js';
import { loadPlan, planKey, transition } from './plan-records.js';
import type { RunContext } from './run-context.js';
import type { RunMeta } from './run-meta.js';

/** How a run ended, for its plan's lifecycle. */
export interface RunEnd {
  result: RunResult;
  ending: RunEnding;
  /** Disaster recovery finished without its protected-site steps: they must run again later. */
  protectedSitePending: boolean;
}

/**
 * Writes a finished run's report: the chart's final state says how the run ended (its
 * `output`), the report's steps and VMs say how well. Steps still marked running did not finish
 * in this run; disaster recovery's skipped or failed protected-site steps are noted as pending.
 */
export async function closeReport(
  meta: RunMeta,
  ctx: RunContext,
  outcome: WorkflowOutcome,
  cancelReason: string | undefined,
): Promise<RunEnd> {
  const report = ctx.report.report;
  const now = () => new Date(ctx.clock.now()).toISOString();
  await ctx.journal.flush();
  const stepErrors = report.steps.some((s) => s.status === 'error') || report.vms.some((v) => v.status === 'error');
  const stepWarnings =
    report.steps.some((s) => s.status === 'warning') || report.vms.some((v) => v.status === 'warning');
  const ending: RunEnding = outcome.ending;
  let result: RunResult;
  switch (outcome.final) {
    case 'done':
      result = stepErrors ? 'errors' : stepWarnings ? 'warnings' : 'success';
      break;
    case 'stopped':
      result = meta.workflow === 'test' ? 'errors' : 'incomplete';
      if (outcome.failure) report.notes.push(`stopped by an internal failure: ${outcome.failure}`);
      break;
    case 'rolled-back':
      result = outcome.cancelled ? 'cancelled' : 'errors';
      report.notes.push('planned migration stopped before the storage steps; protected VMs were powered on again');
      break;
    default:
      result = 'cancelled';
  }
  // A step still marked running did not finish in this run (cancelled, or stopped elsewhere).
  for (const step of report.steps) {
    if (step.status !== 'running') continue;
    step.status = 'cancelled';
    step.finishedAt = now();
    step.messages.push('did not finish before the run ended');
  }
  if (outcome.cancelled && cancelReason) report.notes.push(`cancelled: ${cancelReason}`);
  // Disaster recovery: protected-site steps that failed or were skipped must run again later.
  const pendingSteps = (['shutdown-protected-vms', 'prepare-protected-storage'] as const).filter((s) =>
    ['error', 'skipped-forced'].includes(ctx.journal.stepStatus(`disaster-recovery/${s}`) ?? ''),
  );
  const protectedSitePending =
    meta.workflow === 'disaster-recovery' && ending === 'complete' && pendingSteps.length > 0;
  if (protectedSitePending) {
    report.notes.push(
      `the protected site ${meta.protectedSite} was not shut down and prepared (${pendingSteps.join(', ')}); run disaster-recovery again when it is reachable to finish the job before reprotect`,
    );
  }
  const failedGroups = failedProtectionGroups(ctx.vms, report);
  if (failedGroups.length > 0) {
    report.failedProtectionGroups = failedGroups;
    for (const note of failedGroupNotes(failedGroups)) ctx.report.note(note);
  } else delete report.failedProtectionGroups;
  report.result = result;
  report.finishedAt = now();
  await ctx.report.saveFinal();
  return { result, ending, protectedSitePending };
}

/** Tells the run's plan how it ended: its lifecycle moves on, its operation stays open or closes. */
export async function recordRunEnd(store: DocumentStore, meta: RunMeta, end: RunEnd): Promise<void> {
  const { record } = await loadPlan(store, meta.plan);
  const { ending, protectedSitePending } = end;
  transition(record, { type: 'RUN_ENDED', workflow: meta.workflow, ending, protectedSitePending });
  if (record.operation) {
    const family = record.operation.family;
    record.operation.open =
      family !== 'test' && (ending === 'incomplete' || ending === 'cancelled' || protectedSitePending);
  }
  await store.write(planKey(meta.plan), record);
}
