import { buildTaskGraph, type SchedulableTask, type TaskGraph } from './task-graph.js';

/** Where one task stands in the queue for a slot. */
export interface TaskRank {
  id: string;
  /** 0 is served first. Unique within the group. */
  rank: number;
  /** Its own estimate plus the longest chain of dependents after it, ms. */
  remainingPathMs: number;
  /** Whether another task of the group waits for this one. */
  hasDependents: boolean;
}

/**
 * Remaining path of every task: its estimate plus the longest remaining path among its
 * dependents, computed from the sinks back in one pass over a topological order.
 */
export function remainingPaths(tasks: readonly SchedulableTask[], graph: TaskGraph): number[] {
  const remaining = new Array<number>(tasks.length).fill(0);
  const order = graph.topologicalOrder;
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    let longestAfter = 0;
    for (let e = graph.dependentStart[i]!; e < graph.dependentStart[i + 1]!; e++) {
      longestAfter = Math.max(longestAfter, remaining[graph.dependentList[e]!]!);
    }
    remaining[i] = tasks[i]!.estimateMs + longestAfter;
  }
  return remaining;
}

/** Ranking over an already checked graph; returns one entry per task, in input order. */
export function rankTaskGraph(tasks: readonly SchedulableTask[], graph: TaskGraph): TaskRank[] {
  const remaining = remainingPaths(tasks, graph);
  const hasDependents = tasks.map((_, i) => graph.dependentStart[i + 1]! > graph.dependentStart[i]!);
  const order = tasks.map((_, i) => i);
  order.sort((a, b) => {
    if (hasDependents[a] !== hasDependents[b]) return hasDependents[a] ? -1 : 1;
    if (remaining[a] !== remaining[b]) return remaining[b]! - remaining[a]!;
    return a - b;
  });
  const ranks: TaskRank[] = new Array<TaskRank>(tasks.length);
  order.forEach((i, position) => {
    ranks[i] = { id: tasks[i]!.id, rank: position, remainingPathMs: remaining[i]!, hasDependents: hasDependents[i]! };
  });
  return ranks;
}

/**
 * Orders a group's tasks for the slots: first the tasks others depend on (as SRM does), then the
 * longest remaining path (the task's estimate plus the longest chain of dependents after it: the
 * classic critical-path list-scheduling rule, which keeps long chains from finishing last), then
 * input order. Returns one entry per task, in input order. Throws a DrError on an invalid group.
 */
export function rankByLongestPath(tasks: readonly SchedulableTask[]): TaskRank[] {
  return rankTaskGraph(tasks, buildTaskGraph(tasks));
}
