import { DrError, VirtualClock } from '@drctl/domain';
import type { SlotLimits } from './limits.js';
import { runTaskGraph, type TaskOutcome } from './run-task-graph.js';
import { SlotPool, type SlotPoolGauges } from './slot-pool.js';
import { buildTaskGraph, type SchedulableTask, type TaskGraph } from './task-graph.js';

/** A task for simulation: it holds its slot for `estimateMs`, then ends ok or, if `fails`, failed. */
export interface SimulatedTask extends SchedulableTask {
  fails?: boolean;
}

/** What happened to one task, in ms since the simulation began. */
export interface TaskTiming {
  id: string;
  /** Index of its priority group. */
  group: number;
  host: string;
  cluster: string;
  /** When its dependencies had finished and it asked for a slot. */
  readyAt?: number;
  /** When it got its slot. */
  startAt?: number;
  endAt?: number;
  outcome: TaskOutcome;
  failedDependencies: string[];
}

export interface ScheduleSimulation {
  /** From the start until the last task ended, ms. */
  makespanMs: number;
  /** Every task, group by group, in input order. */
  timings: TaskTiming[];
  /** The pool at the end, with its peaks. */
  gauges: SlotPoolGauges;
}

export interface SimulationOptions {
  /** A fresh one by default; it is driven until the schedule ends. */
  clock?: VirtualClock;
  /** Share a pool (and its limits) with other simulated runs; else one is made from `limits`. */
  pool?: SlotPool;
  /** Cancels the run this long after it starts. */
  cancelAfterMs?: number;
}

function blankTiming(task: SimulatedTask, group: number): TaskTiming {
  return { id: task.id, group, host: task.host, cluster: task.cluster, outcome: 'cancelled', failedDependencies: [] };
}

function makespan(timings: readonly TaskTiming[]): number {
  let end = 0;
  for (const t of timings) if (t.endAt !== undefined) end = Math.max(end, t.endAt);
  return end;
}

/**
 * Runs the real scheduler (`runTaskGraph` per priority group, one group after another, one shared
 * SlotPool) under a VirtualClock, each task sleeping `estimateMs` inside its slot. For benchmarks
 * and property tests.
 */
export async function simulateSchedule(
  groups: readonly (readonly SimulatedTask[])[],
  limits: SlotLimits,
  options: SimulationOptions = {},
): Promise<ScheduleSimulation> {
  const clock = options.clock ?? new VirtualClock();
  const pool = options.pool ?? new SlotPool(limits);
  const startedAt = clock.now();
  const since = () => clock.now() - startedAt;
  const controller = new AbortController();
  const cancelTimer =
    options.cancelAfterMs === undefined
      ? undefined
      : clock.setTimer(options.cancelAfterMs, () =>
          controller.abort(new DrError('DR_CANCELLED', 'The simulated run was cancelled.')),
        );

  const timings: TaskTiming[] = [];
  const run = async () => {
    for (const [g, group] of groups.entries()) {
      const timingOf = new Map(group.map((task) => [task.id, blankTiming(task, g)] as const));
      const result = await runTaskGraph(group, {
        pool,
        signal: controller.signal,
        execute: async (task, withSlot) => {
          const timing = timingOf.get(task.id)!;
          timing.readyAt = since();
          await withSlot(async () => {
            timing.startAt = since();
            await clock.sleep(task.estimateMs);
            timing.endAt = since();
          });
          return task.fails ? 'failed' : 'ok';
        },
      });
      for (const r of result.results) {
        const timing = timingOf.get(r.task.id)!;
        timing.outcome = r.outcome;
        timing.failedDependencies = r.failedDependencies;
        timings.push(timing);
      }
    }
  };
  try {
    await clock.runUntil(run());
  } finally {
    cancelTimer?.();
  }
  return { makespanMs: makespan(timings), timings, gauges: pool.gauges() };
}

function dependsOnAny(graph: TaskGraph, i: number, tasks: ReadonlySet<number>): boolean {
  for (let e = graph.dependencyStart[i]!; e < graph.dependencyStart[i + 1]!; e++) {
    if (tasks.has(graph.dependencyList[e]!)) return true;
  }
  return false;
}

export interface NaiveBatchOptions {
  /** VMs powered on together; the next batch waits for the whole batch. */
  batchSize: number;
  clock?: VirtualClock;
}

/**
 * The scheduler drctl must beat: per group, VMs in dependency order, powered on in fixed batches
 * of `batchSize` (a batch also closes before a VM whose dependency is in it), each batch waiting
 * for its slowest VM. It honours the same host and cluster limits, first come first served.
 */
export async function runNaiveBatches(
  groups: readonly (readonly SimulatedTask[])[],
  limits: SlotLimits,
  options: NaiveBatchOptions,
): Promise<ScheduleSimulation> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `The batch size must be a positive whole number, not ${String(options.batchSize)}.`,
      {
        issues: [{ path: 'batchSize', message: 'expected a positive whole number' }],
      },
    );
  }
  const clock = options.clock ?? new VirtualClock();
  const pool = new SlotPool(limits);
  const startedAt = clock.now();
  const since = () => clock.now() - startedAt;
  const timings: TaskTiming[] = [];

  const runTask = async (task: SimulatedTask, timing: TaskTiming, rank: number) => {
    timing.readyAt = since();
    const release = await pool.acquire({ host: task.host, cluster: task.cluster, rank });
    timing.startAt = since();
    await clock.sleep(task.estimateMs);
    timing.endAt = since();
    release();
    timing.outcome = task.fails ? 'failed' : 'ok';
  };

  const run = async () => {
    for (const [g, group] of groups.entries()) {
      const groupTimings = group.map((task) => blankTiming(task, g));
      const graph = buildTaskGraph(group);
      let batch: number[] = [];
      const inBatch = new Set<number>();
      const flush = async () => {
        await Promise.all(batch.map((i) => runTask(group[i]!, groupTimings[i]!, i)));
        batch = [];
        inBatch.clear();
      };
      for (const i of graph.topologicalOrder) {
        if (batch.length === options.batchSize || dependsOnAny(graph, i, inBatch)) await flush();
        batch.push(i);
        inBatch.add(i);
      }
      await flush();
      timings.push(...groupTimings);
    }
  };
  await clock.runUntil(run());
  return { makespanMs: makespan(timings), timings, gauges: pool.gauges() };
}
