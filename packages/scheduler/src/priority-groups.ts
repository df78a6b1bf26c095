import { DrError, PRIORITIES, type InputIssue, type Priority } from '@drctl/domain';
import { reverseDependencies, type SchedulableTask } from './task-graph.js';

/** Why a dependency was left out of the schedule (SRM's DependentVm status names). */
export type IgnoredDependencyReason = 'not-in-plan' | 'higher-priority' | 'lower-priority';

export interface IgnoredDependency {
  /** The task that named the dependency. */
  id: string;
  dependsOn: string;
  reason: IgnoredDependencyReason;
}

export interface PriorityGroups<T extends SchedulableTask> {
  /** Five groups, `groups[0]` is priority 1; each task keeps only same-priority dependencies. */
  groups: T[][];
  /** Dependencies SRM ignores (other priority, or not in the plan), for the engine to warn about. */
  ignoredDependencies: IgnoredDependency[];
}

/**
 * Splits tasks into SRM's priority groups 1..5 in input order. Dependencies count only within the
 * same priority; the others are dropped and listed, as SRM ignores them.
 */
export function splitPriorityGroups<T extends SchedulableTask & { priority: number }>(
  tasks: readonly T[],
): PriorityGroups<T> {
  const issues: InputIssue[] = [];
  tasks.forEach((t, i) => {
    if (!(PRIORITIES as readonly number[]).includes(t.priority)) {
      issues.push({
        path: `tasks[${i}].priority`,
        message: `expected one of ${PRIORITIES.join(', ')}, got ${String(t.priority)}`,
      });
    }
  });
  if (issues.length > 0)
    throw new DrError('DR_INPUT_INVALID', `A task has an invalid priority: ${issues[0]!.path}.`, { issues });

  const priorityOf = new Map(tasks.map((t) => [t.id, t.priority] as const));
  const groups: T[][] = PRIORITIES.map(() => []);
  const ignoredDependencies: IgnoredDependency[] = [];
  for (const task of tasks) {
    const kept: string[] = [];
    for (const dependsOn of task.dependsOn) {
      const priority = priorityOf.get(dependsOn);
      if (priority === task.priority) kept.push(dependsOn);
      else {
        const reason: IgnoredDependencyReason =
          priority === undefined ? 'not-in-plan' : priority < task.priority ? 'higher-priority' : 'lower-priority';
        ignoredDependencies.push({ id: task.id, dependsOn, reason });
      }
    }
    groups[(task.priority as Priority) - 1]!.push({ ...task, dependsOn: kept });
  }
  return { groups, ignoredDependencies };
}

/**
 * The order for shutting down the protected site: priority 5 first, and within a group a VM goes
 * down only after the VMs that depend on it.
 */
export function shutdownGroups<T extends SchedulableTask>(groups: readonly (readonly T[])[]): T[][] {
  return [...groups].reverse().map((group) => reverseDependencies(group));
}
