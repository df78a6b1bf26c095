import { normalizeLimit, type SlotLimits } from './limits.js';
import { remainingPaths } from './ranking.js';
import { buildTaskGraph, type SchedulableTask } from './task-graph.js';

/** The four bounds no schedule of one group can beat, ms; `boundMs` is the largest. */
export interface GroupLowerBound {
  /** Longest dependency chain, summing estimates. */
  criticalPathMs: number;
  /** Most loaded cluster: its total work divided by its limit (0 when unlimited). */
  clusterWorkMs: number;
  /** Most loaded host: its total work divided by its limit (0 when unlimited). */
  hostWorkMs: number;
  longestTaskMs: number;
  boundMs: number;
}

/** Lower bound on the makespan of one priority group under `limits`. */
export function groupLowerBound(tasks: readonly SchedulableTask[], limits: SlotLimits): GroupLowerBound {
  const graph = buildTaskGraph(tasks);
  const remaining = remainingPaths(tasks, graph);
  const clusterWork = new Map<string, number>();
  const hostWork = new Map<string, number>();
  let criticalPathMs = 0;
  let longestTaskMs = 0;
  tasks.forEach((task, i) => {
    criticalPathMs = Math.max(criticalPathMs, remaining[i]!);
    longestTaskMs = Math.max(longestTaskMs, task.estimateMs);
    clusterWork.set(task.cluster, (clusterWork.get(task.cluster) ?? 0) + task.estimateMs);
    hostWork.set(task.host, (hostWork.get(task.host) ?? 0) + task.estimateMs);
  });
  let clusterWorkMs = 0;
  for (const [cluster, work] of clusterWork) {
    clusterWorkMs = Math.max(clusterWorkMs, work / normalizeLimit(limits.clusterLimit(cluster), `cluster ${cluster}`));
  }
  let hostWorkMs = 0;
  for (const [host, work] of hostWork) {
    hostWorkMs = Math.max(hostWorkMs, work / normalizeLimit(limits.hostLimit(host), `host ${host}`));
  }
  return {
    criticalPathMs,
    clusterWorkMs,
    hostWorkMs,
    longestTaskMs,
    boundMs: Math.max(criticalPathMs, clusterWorkMs, hostWorkMs, longestTaskMs),
  };
}

/**
 * Lower bound on a whole recovery's boot time (the part of the RTO the scheduler controls):
 * priority groups run one after another, so their bounds add up.
 */
export function rtoLowerBound(groups: readonly (readonly SchedulableTask[])[], limits: SlotLimits): number {
  let total = 0;
  for (const group of groups) total += groupLowerBound(group, limits).boundMs;
  return total;
}
