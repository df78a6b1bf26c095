// Public API of @drctl/scheduler: the power-on / shutdown scheduler. Pure logic: time only through
// the injected Clock, no I/O.
export { SlotPool } from './slot-pool.js';
export type { ReleaseSlot, SlotRequest, SlotGauge, SlotPoolGauges } from './slot-pool.js';
export { normalizeLimit, slotLimitsFromSettings, uniformSlotLimits } from './limits.js';
export type { ConfiguredLimit, SlotLimits, BootLimitSettings } from './limits.js';
export { buildTaskGraph, reverseDependencies } from './task-graph.js';
export type { SchedulableTask, TaskGraph } from './task-graph.js';
export { rankByLongestPath } from './ranking.js';
export type { TaskRank } from './ranking.js';
export { runTaskGraph, TASK_OUTCOMES } from './run-task-graph.js';
export type {
  TaskOutcome,
  WithSlot,
  TaskStartContext,
  RunTaskGraphOptions,
  TaskResult,
  TaskGraphResult,
} from './run-task-graph.js';
export { splitPriorityGroups, shutdownGroups } from './priority-groups.js';
export type { PriorityGroups, IgnoredDependency, IgnoredDependencyReason } from './priority-groups.js';
export { rtoLowerBound, groupLowerBound } from './lower-bound.js';
export type { GroupLowerBound } from './lower-bound.js';
export { bindingConstraint } from './binding-constraint.js';
export type { BindingConstraint, BindingKind } from './binding-constraint.js';
export { simulateSchedule, runNaiveBatches } from './simulation.js';
export type {
  SimulatedTask,
  TaskTiming,
  ScheduleSimulation,
  SimulationOptions,
  NaiveBatchOptions,
} from './simulation.js';
