import { DrError } from '@drctl/domain';
import { rankTaskGraph } from './ranking.js';
import type { SlotPool } from './slot-pool.js';
import { buildTaskGraph, dependencyCount, type SchedulableTask } from './task-graph.js';

export const TASK_OUTCOMES = ['ok', 'failed', 'cancelled'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** Holds one of the pool's slots for the task's host and cluster while `work` runs. */
export type WithSlot = <R>(work: () => Promise<R>) => Promise<R>;

/** What a task learns when it becomes ready. */
export interface TaskStartContext {
  /** Dependencies that failed; the task runs anyway, the engine may warn. */
  failedDependencies: readonly string[];
  /** Its place in the group's queue for slots (0 first). */
  rank: number;
}

export interface RunTaskGraphOptions<T extends SchedulableTask> {
  /** The engine's shared boot/shutdown slots. */
  pool: SlotPool;
  /**
   * Runs one task once its dependencies have finished. Call `withSlot` around the part that
   * counts against the limits (power-on until the Tools heartbeat; not the callouts). Return the
   * outcome; an exception counts as `failed` (or `cancelled` once the run's signal has aborted,
   * e.g. the abort error `withSlot` throws when the run is cancelled while the task waits).
   */
  execute(task: T, withSlot: WithSlot, context: TaskStartContext): Promise<TaskOutcome>;
  /** Cancels the run: no task starts afterwards; tasks waiting for a slot end `cancelled`. */
  signal?: AbortSignal | undefined;
}

export interface TaskResult<T extends SchedulableTask> {
  task: T;
  outcome: TaskOutcome;
  /** Dependencies that had failed when this task became ready. */
  failedDependencies: string[];
  /** What `execute` threw, if it threw. */
  error?: unknown;
}

export interface TaskGraphResult<T extends SchedulableTask> {
  /** One result per task, in input order. */
  results: TaskResult<T>[];
  ok: number;
  failed: number;
  cancelled: number;
}

/**
 * Runs one priority group. A task starts as soon as all its dependencies have finished (recovered
 * or failed) and queues for a slot with its rank from `rankByLongestPath`; the pool grants slots
 * the moment they free, so no slot idles while a ready task waits. Resolves when every task has
 * an outcome. Rejects with a DrError (DR_INPUT_INVALID, naming the field) for an invalid group.
 */
export async function runTaskGraph<T extends SchedulableTask>(
  tasks: readonly T[],
  options: RunTaskGraphOptions<T>,
): Promise<TaskGraphResult<T>> {
  const graph = buildTaskGraph(tasks);
  const ranks = rankTaskGraph(tasks, graph);
  const { pool, execute, signal } = options;
  const waitingFor = new Int32Array(tasks.length);
  for (let i = 0; i < tasks.length; i++) waitingFor[i] = dependencyCount(graph, i);
  const results: TaskResult<T>[] = tasks.map((task) => ({ task, outcome: 'cancelled', failedDependencies: [] }));
  const counts = { ok: 0, failed: 0, cancelled: 0 };
  let unfinished = tasks.length;
  if (unfinished === 0) return { results, ...counts };

  let resolveRun!: (result: TaskGraphResult<T>) => void;
  const done = new Promise<TaskGraphResult<T>>((resolve) => {
    resolveRun = resolve;
  });

  // Finishing a task can free dependents, whose cancellation (after an abort) finishes them at
  // once and frees theirs: a queue drained in a loop keeps that iterative, whatever the depth.
  const ready: number[] = [];
  let draining = false;

  const finish = (i: number, outcome: TaskOutcome, error?: unknown): void => {
    const result = results[i]!;
    result.outcome = outcome;
    if (error !== undefined) result.error = error;
    counts[outcome]++;
    unfinished--;
    for (let e = graph.dependentStart[i]!; e < graph.dependentStart[i + 1]!; e++) {
      const d = graph.dependentList[e]!;
      if (outcome === 'failed') results[d]!.failedDependencies.push(tasks[i]!.id);
      if (--waitingFor[d]! === 0) ready.push(d);
    }
  };

  const launch = (i: number): void => {
    const task = tasks[i]!;
    const rank = ranks[i]!.rank;
    const withSlot: WithSlot = async (work) => {
      const release = await pool.acquire({ host: task.host, cluster: task.cluster, rank, signal });
      try {
        return await work();
      } finally {
        release();
      }
    };
    const context: TaskStartContext = { failedDependencies: results[i]!.failedDependencies.slice(), rank };
    let running: Promise<TaskOutcome>;
    try {
      running = Promise.resolve(execute(task, withSlot, context));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (outcome) => {
        if (TASK_OUTCOMES.includes(outcome)) finish(i, outcome);
        else
          finish(
            i,
            'failed',
            new DrError('DR_INTERNAL', `Task ${task.id} ended with the unknown outcome ${String(outcome)}.`),
          );
        drain();
      },
      (error: unknown) => {
        finish(i, signal?.aborted ? 'cancelled' : 'failed', error);
        drain();
      },
    );
  };

  const drain = (): void => {
    if (draining) return;
    draining = true;
    while (ready.length > 0) {
      if (signal?.aborted) {
        finish(ready.pop()!, 'cancelled');
        continue;
      }
      // Tasks freed together reach the pool in rank order, so the best of them claims a free
      // slot first even when execute() asks for it straight away.
      ready.sort((a, b) => ranks[a]!.rank - ranks[b]!.rank);
      for (const i of ready.splice(0)) launch(i);
    }
    draining = false;
    if (unfinished === 0) resolveRun({ results, ...counts });
  };

  for (let i = 0; i < tasks.length; i++) if (waitingFor[i] === 0) ready.push(i);
  drain();
  return done;
}
