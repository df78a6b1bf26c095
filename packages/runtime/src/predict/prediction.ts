import {
  PRIORITIES,
  type Environment,
  type Priority,
  type RunReport,
  type RunResult,
  type Settings,
  type WorkflowName,
} from '@drctl/domain';
import { bindingConstraint, slotLimitsFromSettings, type BindingKind, type SchedulableTask } from '@drctl/scheduler';
import type { CalloutTiming, CalloutTimingSource } from './callout-timings.js';
import type { TimingSource } from './learned-timings.js';

/** One top-level step of the dry run. */
export interface PredictedStep {
  id: string;
  title: string;
  /** The workflow running it (failback runs planned-migration, then reprotect). */
  phase?: string;
  /** From the start of the run, ms. */
  startMs: number;
  durationMs: number;
  status: string;
  /**
   * Callouts the step ran and the time each took in the dry run: plan-level ones before the
   * step, the VMs' pre- and post-power-on ones in their priority group's power-on.
   */
  callouts?: PredictedCallout[];
}

/** One command or webhook callout as the dry run timed it. */
export interface PredictedCallout {
  name: string;
  phase: 'plan' | 'pre-power-on' | 'post-power-on';
  vm?: string;
  /** Its time in the dry run, ms. */
  durationMs: number;
  /** `history`: learned from earlier runs; `timeout`: none, so its declared timeout. */
  source: CalloutTimingSource;
}

/** One priority group: its predicted power-on time next to the bound no schedule can beat. */
export interface PredictedGroup {
  priority: Priority;
  /** VMs of the plan in this group. */
  vms: number;
  /** The group's power-on step in the dry run, ms (0 when the group is empty). */
  predictedMs: number;
  /** No schedule of the group under the limits can be shorter, ms. */
  lowerBoundMs: number;
  /** What holds the group back (host limit, cluster limit, dependency chain, one slow VM) and who. */
  binding: { kind: BindingKind; subject: string; boundMs: number };
  /** The four bounds of the scheduler's lower bound, ms. */
  bounds: { criticalPathMs: number; clusterWorkMs: number; hostWorkMs: number; longestTaskMs: number };
}

/** One VM's predicted power-on, for the Gantt: ms from the start of the run. */
export interface PredictedVm {
  name: string;
  priority: Priority;
  host: string;
  cluster: string;
  /** Its status at the end of the dry run. */
  status: string;
  powerOnStartMs?: number;
  poweredOnMs?: number;
  toolsReadyMs?: number;
  recoveredMs?: number;
  /** Whether its heartbeat time came from earlier runs or from the environment file. */
  timing: TimingSource;
}

/** What `drctl predict --json` prints and `GET /api/v1/plans/{plan}/predict` returns. */
export interface Prediction {
  environment: string;
  plan: string;
  workflow: WorkflowName;
  /** The run's mode, as in a run report (`disaster`, `planned`, `test`…). */
  mode: string;
  /** Seed of the simulated world the dry run used. */
  seed: number;
  /** The dry run's result: a prediction of a run that would fail says so. */
  result: RunResult;
  /** The effective settings the dry run applied. */
  settings: Settings;
  /** Predicted duration of the whole run, ms. */
  totalMs: number;
  steps: PredictedStep[];
  groups: PredictedGroup[];
  vms: PredictedVm[];
  /**
   * Earlier run reports read, VMs timed from them, and the VMs without history; command and
   * webhook callouts timed from them, and those without history (timed by their timeout).
   */
  timings: {
    reports: number;
    fromHistory: number;
    withoutHistory: string[];
    calloutsFromHistory: number;
    /** `name` or `name (vm)` of each callout timed by its declared timeout. */
    calloutsWithoutHistory: string[];
  };
  /** Real seconds the prediction took. */
  wallSeconds: number;
}

const at = (iso: string | undefined, start: number) => (iso === undefined ? undefined : Date.parse(iso) - start);

/** The prediction a dry run's report gives: steps, priority groups with their bounds, the Gantt rows. */
export function predictionFromReport(input: {
  env: Environment;
  report: RunReport;
  settings: Settings;
  seed: number;
  source: Map<string, TimingSource>;
  /** The plan's command and webhook callouts and the time each was given. @default none */
  callouts?: readonly CalloutTiming[];
  reports: number;
  wallMs: number;
}): Prediction {
  const { env, report, settings } = input;
  const start = Date.parse(report.startedAt);
  const end = report.finishedAt ? Date.parse(report.finishedAt) : start;
  const steps: PredictedStep[] = report.steps
    .filter((s) => s.target === undefined && s.startedAt !== undefined)
    .map((s) => ({
      id: s.id,
      title: s.title,
      ...(s.phase !== undefined ? { phase: s.phase } : {}),
      startMs: at(s.startedAt, start)!,
      durationMs: (s.finishedAt ? Date.parse(s.finishedAt) : end) - Date.parse(s.startedAt!),
      status: s.status,
    }));
  attachCallouts(steps, report, input.callouts ?? []);

  const vms: PredictedVm[] = report.vms.map((vm) => {
    const row: PredictedVm = {
      name: vm.name,
      priority: vm.priority,
      host: vm.host,
      cluster: vm.cluster,
      status: vm.status,
      timing: input.source.get(vm.name) ?? 'environment',
    };
    const put = (key: 'powerOnStartMs' | 'poweredOnMs' | 'toolsReadyMs' | 'recoveredMs', iso: string | undefined) => {
      const value = at(iso, start);
      if (value !== undefined) row[key] = value;
    };
    put('powerOnStartMs', vm.powerOnStartedAt);
    put('poweredOnMs', vm.poweredOnAt);
    put('toolsReadyMs', vm.toolsReadyAt);
    put('recoveredMs', vm.recoveredAt);
    return row;
  });

  const plan = env.plans.find((p) => p.name === report.plan)!;
  // Dependencies are only written in the plan's entries (resolvePlanVms would place every VM too).
  const dependsOn = new Map(plan.vms.map((v) => [v.vm, v.dependsOn] as const));
  const recoveryClusters = env.sites.find((s) => s.name === report.recoverySite)?.clusters ?? [];
  const limits = slotLimitsFromSettings(settings, recoveryClusters);
  const groups: PredictedGroup[] = PRIORITIES.map((priority) => {
    // The scheduler's view of the group: each VM holds its boot slot from power-on to heartbeat.
    const tasks: SchedulableTask[] = [];
    for (const vm of report.vms) {
      if (vm.priority !== priority || !vm.powerOnStartedAt) continue;
      const done = vm.toolsReadyAt ?? vm.poweredOnAt;
      if (!done) continue;
      tasks.push({
        id: vm.name,
        host: vm.host,
        cluster: vm.cluster,
        dependsOn: dependsOn.get(vm.name) ?? [],
        estimateMs: Date.parse(done) - Date.parse(vm.powerOnStartedAt),
      });
    }
    const ids = new Set(tasks.map((t) => t.id));
    for (const t of tasks) t.dependsOn = t.dependsOn.filter((d) => ids.has(d));
    const binding = bindingConstraint(tasks, limits);
    const step = steps.find((s) => s.id === `power-on-priority-${priority}`);
    return {
      priority,
      vms: report.vms.filter((v) => v.priority === priority).length,
      predictedMs: step?.durationMs ?? 0,
      lowerBoundMs: binding.boundMs,
      binding: { kind: binding.kind, subject: binding.subject, boundMs: binding.boundMs },
      bounds: {
        criticalPathMs: binding.lowerBound.criticalPathMs,
        clusterWorkMs: binding.lowerBound.clusterWorkMs,
        hostWorkMs: binding.lowerBound.hostWorkMs,
        longestTaskMs: binding.lowerBound.longestTaskMs,
      },
    };
  });

  const withoutHistory = report.vms.filter((v) => input.source.get(v.name) !== 'history').map((v) => v.name);
  return {
    environment: env.name,
    plan: report.plan,
    workflow: report.workflow,
    mode: report.mode,
    seed: input.seed,
    result: report.result,
    settings,
    totalMs: end - start,
    steps,
    groups,
    vms,
    timings: {
      reports: input.reports,
      fromHistory: report.vms.length - withoutHistory.length,
      withoutHistory,
      calloutsFromHistory: (input.callouts ?? []).filter((c) => c.source === 'history').length,
      calloutsWithoutHistory: (input.callouts ?? [])
        .filter((c) => c.source === 'timeout')
        .map((c) => (c.vm ? `${c.name} (${c.vm})` : c.name)),
    },
    wallSeconds: Math.round(input.wallMs) / 1000,
  };
}

/**
 * Puts each callout the dry run ran on its step, with its time there: a plan-level callout is the
 * step's `callout:<name>` entry, a VM's is in its record, under its priority group's power-on.
 */
function attachCallouts(steps: PredictedStep[], report: RunReport, timings: readonly CalloutTiming[]): void {
  if (timings.length === 0) return;
  const byKey = new Map(timings.map((t) => [t.key, t] as const));
  const onStep = (id: string, phase: string | undefined, callout: PredictedCallout) => {
    const step = steps.find((s) => s.id === id && (phase === undefined || s.phase === undefined || s.phase === phase));
    if (step) (step.callouts ??= []).push(callout);
  };
  const ms = (from: string | undefined, to: string | undefined) =>
    from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : 0;
  for (const s of report.steps) {
    if (!s.target?.startsWith('callout:')) continue;
    const name = s.target.slice('callout:'.length);
    const timing = byKey.get(`plan/${s.id}/${name}`);
    if (!timing) continue;
    onStep(s.id, s.phase, {
      name,
      phase: 'plan',
      durationMs: ms(s.startedAt, s.finishedAt),
      source: timing.source,
    });
  }
  for (const vm of report.vms)
    for (const c of vm.callouts) {
      if (c.phase === 'plan') continue;
      const timing = byKey.get(`vm/${vm.name}/${c.phase}/${c.name}`);
      if (!timing) continue;
      onStep(`power-on-priority-${vm.priority}`, undefined, {
        name: c.name,
        phase: c.phase,
        vm: vm.name,
        durationMs: ms(c.startedAt, c.finishedAt),
        source: timing.source,
      });
    }
}
