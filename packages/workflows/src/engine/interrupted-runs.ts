import type { Clock, DocumentStore, DrError, RunReport } from '@drctl/domain';
import { loadPlan, type PlanRecord } from './plan-records.js';
import { reportKey } from './report-store.js';

/** A plan's cross-process lock: the release function, undefined without locks, null when another process holds it. */
export type PlanLock = (() => Promise<void>) | undefined | null;

/** Takes a named lock of the store if it has locks; null when another live process holds it. */
export async function tryLock(store: DocumentStore, name: string): Promise<PlanLock> {
  if (!store.lock) return undefined;
  try {
    return await store.lock(name);
  } catch (error) {
    if ((error as DrError).code === 'DR_OPERATION_REFUSED') return null;
    throw error;
  }
}

/** What finding interrupted runs needs of the engine. */
export interface InterruptedRunsScope {
  store: DocumentStore;
  clock: Clock;
  plans: readonly string[];
  /** Whether this engine drives the run now. */
  isActive: (runId: string) => boolean;
}

/** The report's document alone: what is changed here is not in its VM records (their log stays as it is). */
const readReport = (store: DocumentStore, runId: string) => store.read<RunReport>(reportKey(runId));

/** A run announced but never recorded on its plan: nothing was done, and its report says so. */
export async function markNeverStarted(scope: Pick<InterruptedRunsScope, 'store' | 'clock'>, report: RunReport) {
  report.result = 'cancelled';
  report.finishedAt = new Date(scope.clock.now()).toISOString();
  report.notes.push('never started: the process stopped before the run was recorded on its plan; nothing was done');
  await scope.store.write(reportKey(report.runId), report);
}

/**
 * Runs whose process died: the store says running, but no engine holds them. Marks their
 * report `interrupted` (they resume with `resume`). Needs the store's cross-process lock to
 * tell a dead owner from a live one in another process.
 */
export async function findInterruptedRuns(scope: InterruptedRunsScope): Promise<string[]> {
  const { store } = scope;
  const found: string[] = [];
  for (const plan of scope.plans) {
    const { lifecycle } = await loadPlan(store, plan);
    const runId = lifecycle.context.activeRunId;
    if (!runId || scope.isActive(runId)) continue;
    const release = await tryLock(store, `plan-${plan}`);
    if (release === null) continue; // another live process owns it
    try {
      const report = await readReport(store, runId);
      if (report && (report.result === 'running' || report.result === 'interrupted')) {
        if (report.result === 'running') {
          report.result = 'interrupted';
          report.notes.push(`interrupted: the process running it stopped; resume with: drctl resume ${runId}`);
          await store.write(reportKey(runId), report);
        }
        found.push(runId);
      }
    } finally {
      await release?.();
    }
  }
  await closeOrphans(scope);
  return found;
}

/**
 * Runs announced (meta and report written) whose process died before their plan recorded them:
 * nothing ran, and no plan waits on them. Their report says `cancelled` with the reason, under
 * the plan's lock so a run being started by another process right now is left alone.
 */
async function closeOrphans(scope: InterruptedRunsScope): Promise<void> {
  const { store } = scope;
  const recorded = new Set<string>();
  const records = new Map<string, PlanRecord>();
  for (const plan of scope.plans) {
    const { record } = await loadPlan(store, plan);
    records.set(plan, record);
    for (const id of record.runs) recorded.add(id);
  }
  const runIds = (await store.list('runs/')).map((k) => k.slice('runs/'.length));
  for (const runId of runIds) {
    if (recorded.has(runId) || scope.isActive(runId)) continue;
    const report = await readReport(store, runId).catch(() => undefined);
    if (!report || (report.result !== 'running' && report.result !== 'interrupted')) continue;
    if (!records.has(report.plan)) continue; // a plan no longer in the environment: not ours to judge
    const release = await tryLock(store, `plan-${report.plan}`);
    if (release === null) continue;
    try {
      const { record } = await loadPlan(store, report.plan);
      if (!record.runs.includes(runId)) await markNeverStarted(scope, report);
    } finally {
      await release?.();
    }
  }
}
