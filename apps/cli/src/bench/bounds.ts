import { resolvePlanVms, type Environment, type RunReport } from '@drctl/domain';
import {
  rtoLowerBound,
  runNaiveBatches,
  simulateSchedule,
  type SimulatedTask,
  type SlotLimits,
} from '@drctl/scheduler';

/**
 * The boot phase of a recovery, as the report shows it: from the first VM of priority 1 powering on
 * to the last VM of priority 5 recovered. This is the part of the RTO the scheduler controls and
 * the part the lower bound speaks about.
 */
export function bootPhaseMs(report: RunReport): number {
  const starts = report.steps
    .filter((s) => s.target === undefined && s.id.startsWith('power-on-priority-') && s.startedAt)
    .map((s) => Date.parse(s.startedAt!));
  const ends = report.steps
    .filter((s) => s.target === undefined && s.id.startsWith('power-on-priority-') && s.finishedAt)
    .map((s) => Date.parse(s.finishedAt!));
  return Math.max(...ends) - Math.min(...starts);
}

/**
 * The priority groups as the scheduler sees them, with each VM's duration taken from the run
 * itself (power-on until VMware Tools answered: the time it held its boot slot), at the hosts and
 * clusters it was recovered on, with the plan's dependencies.
 */
export function observedTasks(env: Environment, report: RunReport): SimulatedTask[][] {
  const plan = env.plans.find((p) => p.name === report.plan)!;
  const dependsOn = new Map(resolvePlanVms(env, plan).map((v) => [v.name, v.dependsOn] as const));
  const groups: SimulatedTask[][] = [[], [], [], [], []];
  for (const vm of report.vms) {
    if (!vm.powerOnStartedAt || !(vm.toolsReadyAt ?? vm.poweredOnAt)) continue;
    groups[vm.priority - 1]!.push({
      id: vm.name,
      host: vm.host,
      cluster: vm.cluster,
      dependsOn: dependsOn.get(vm.name) ?? [],
      estimateMs: Date.parse((vm.toolsReadyAt ?? vm.poweredOnAt)!) - Date.parse(vm.powerOnStartedAt),
    });
  }
  // A dependency on a VM that did not boot (none in the benchmark) is dropped rather than guessed.
  for (const group of groups) {
    const ids = new Set(group.map((t) => t.id));
    for (const task of group) task.dependsOn = task.dependsOn.filter((d) => ids.has(d));
  }
  return groups.filter((g) => g.length > 0);
}

export function limitsOf(report: RunReport): SlotLimits {
  return {
    hostLimit: () => report.settings.defaultMaxBootAndShutdownOpsPerHost,
    clusterLimit: () => report.settings.defaultMaxBootAndShutdownOpsPerCluster,
  };
}

/**
 * A naive batch gets as many VMs as the limits would ever let boot at once (the most generous
 * fixed batch): the sum of the cluster limits over the recovery clusters in use.
 */
export function naiveBatchSize(groups: SimulatedTask[][], limits: SlotLimits): number {
  const clusters = new Set(groups.flat().map((t) => t.cluster));
  let size = 0;
  for (const c of clusters) size += limits.clusterLimit(c) ?? 1_000_000;
  return Math.max(1, Math.min(size, 1_000_000));
}

export interface Baselines {
  lowerBoundMs: number;
  naiveMs: number;
  naiveBatchSize: number;
  /** drctl's scheduler alone on the same tasks (no engine, no adapters). */
  schedulerOnlyMs: number;
}

export async function baselines(env: Environment, report: RunReport): Promise<Baselines> {
  const groups = observedTasks(env, report);
  const limits = limitsOf(report);
  const batchSize = naiveBatchSize(groups, limits);
  const naive = await runNaiveBatches(groups, limits, { batchSize });
  const alone = await simulateSchedule(groups, limits);
  return {
    lowerBoundMs: rtoLowerBound(groups, limits),
    naiveMs: naive.makespanMs,
    naiveBatchSize: batchSize,
    schedulerOnlyMs: alone.makespanMs,
  };
}
