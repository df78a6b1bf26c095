import {
  STEP_TITLES,
  type PlanVm,
  type Priority,
  type RunReport,
  type RunResult,
  type StepId,
  type StepStatus,
  type WorkflowName,
} from '@drctl/domain';
import { PHASE_STEPS, phasesOf, type EngineEvent } from '@drctl/workflows';

export interface StepLine {
  key: string;
  step: StepId;
  phase: string;
  title: string;
  status: StepStatus | 'pending';
  startedAt?: string;
  finishedAt?: string;
  messages: string[];
}

export interface PriorityProgress {
  priority: Priority;
  /** VMs of this priority that power on (startup action "power on"). */
  total: number;
  recovered: number;
  failed: number;
  poweringOn: number;
}

export interface WaitingPromptLine {
  promptId: string;
  text: string;
  vm?: string;
}

/**
 * What the progress views show, folded from the engine's events: the steps in SRM order, VMs
 * powered on per priority, storage commands in flight, prompts waiting. Pure data, so the views
 * are simple renderers and the folding is tested on its own.
 */
/** The sync running now, as its last poll read it. */
export interface SyncLine {
  key: string;
  devices: Array<{ device: string; status: 'complete' | 'in-progress'; percent: number }>;
  /** Mean share copied over its devices, 0–100. */
  overall: number;
  /** Whether this poll crossed a quarter (25 %, 50 %…) worth a line in a log. */
  announce: boolean;
}

export interface ProgressState {
  runId: string;
  plan: string;
  workflow: WorkflowName;
  mode: string;
  /** Virtual (engine) time when the run started, ms since the epoch. */
  startedAtMs?: number;
  /** Latest engine time seen in an event, ms. */
  lastEventAtMs?: number;
  steps: StepLine[];
  priorities: PriorityProgress[];
  /** Storage commands finished so far (the engine reports each when it ends). */
  storageCommands: number;
  storageProblems: number;
  prompts: WaitingPromptLine[];
  /** The sync in progress (pre-sync, sync, reprotect's sync), until its step finishes. */
  sync?: SyncLine;
  result?: RunResult;
  resumed: boolean;
}

function titleFor(workflow: WorkflowName, phase: string, step: StepId): string {
  return workflow === 'failback' ? `${STEP_TITLES[step]} (${phase})` : STEP_TITLES[step];
}

/** The state before the first event: every step of the workflow pending, VM totals per priority. */
export function initialProgress(
  run: { runId: string; plan: string; workflow: WorkflowName; mode?: string },
  vms: readonly PlanVm[],
): ProgressState {
  const steps: StepLine[] = phasesOf(run.workflow).flatMap((phase) =>
    PHASE_STEPS[phase].map((step) => ({
      key: `${phase}/${step}`,
      step,
      phase,
      title: titleFor(run.workflow, phase, step),
      status: 'pending' as const,
      messages: [],
    })),
  );
  const powersOn = run.workflow !== 'cleanup' && run.workflow !== 'reprotect';
  const priorities: PriorityProgress[] = ([1, 2, 3, 4, 5] as const).map((priority) => ({
    priority,
    total: powersOn ? vms.filter((v) => v.priority === priority && v.startupAction === 'power-on').length : 0,
    recovered: 0,
    failed: 0,
    poweringOn: 0,
  }));
  return {
    runId: run.runId,
    plan: run.plan,
    workflow: run.workflow,
    mode: run.mode ?? '',
    steps,
    priorities,
    storageCommands: 0,
    storageProblems: 0,
    prompts: [],
    resumed: false,
  };
}

function stepLine(state: ProgressState, phase: string, step: StepId): StepLine {
  const key = `${phase}/${step}`;
  let line = state.steps.find((s) => s.key === key);
  if (!line) {
    line = { key, step, phase, title: titleFor(state.workflow, phase, step), status: 'pending', messages: [] };
    state.steps.push(line);
  }
  return line;
}

const priorityOf = (state: ProgressState, vm: string, vmPriority: Map<string, Priority>) =>
  state.priorities.find((p) => p.priority === vmPriority.get(vm));

/** Priorities of the plan's VMs that power on: the ones the progress counts. */
export function poweredOnPriorities(vms: readonly PlanVm[]): Map<string, Priority> {
  return new Map(vms.filter((v) => v.startupAction === 'power-on').map((v) => [v.name, v.priority] as const));
}

/**
 * Folds one engine event into the state (mutating it, for speed on 10,000-VM runs). `vmPriority`
 * maps the names of VMs that power on to their priority (see `poweredOnPriorities`).
 */
export function applyEvent(state: ProgressState, event: EngineEvent, vmPriority: Map<string, Priority>): void {
  if ('runId' in event && event.runId !== state.runId) return;
  if ('at' in event) state.lastEventAtMs = Date.parse(event.at);
  switch (event.type) {
    case 'run-started':
      state.mode = event.mode;
      state.resumed = event.resumed;
      state.startedAtMs ??= Date.parse(event.at);
      break;
    case 'step-started': {
      const line = stepLine(state, event.phase, event.step);
      line.status = 'running';
      line.startedAt = event.at;
      break;
    }
    case 'sync-progress': {
      const key = `${event.phase}/${event.step}`;
      const total = event.devices.reduce((sum, d) => sum + (d.status === 'complete' ? 100 : d.percent), 0);
      const overall = event.devices.length === 0 ? 100 : Math.floor(total / event.devices.length);
      const before = state.sync?.key === key ? Math.floor(state.sync.overall / 25) : -1;
      state.sync = { key, devices: event.devices, overall, announce: Math.floor(overall / 25) > before };
      break;
    }
    case 'step-finished': {
      if (state.sync?.key === `${event.phase}/${event.step}`) delete state.sync;
      const line = stepLine(state, event.phase, event.step);
      line.status = event.status;
      line.startedAt ??= event.at;
      line.finishedAt = event.at;
      line.messages = event.messages;
      break;
    }
    case 'storage-command':
      state.storageCommands++;
      if (event.status !== 'success') state.storageProblems++;
      break;
    case 'vm-powering-on': {
      const group = state.priorities.find((p) => p.priority === event.priority);
      if (group) group.poweringOn++;
      break;
    }
    case 'vm-recovered': {
      const group = priorityOf(state, event.vm, vmPriority);
      if (group) {
        group.recovered++;
        if (group.poweringOn > 0) group.poweringOn--;
      }
      break;
    }
    case 'vm-failed': {
      const group = priorityOf(state, event.vm, vmPriority);
      if (group) {
        group.failed++;
        if (group.poweringOn > 0) group.poweringOn--;
      }
      break;
    }
    case 'prompt-waiting':
      state.prompts.push({ promptId: event.promptId, text: event.text, ...(event.vm ? { vm: event.vm } : {}) });
      break;
    case 'prompt-answered':
      state.prompts = state.prompts.filter((p) => p.promptId !== event.promptId);
      break;
    case 'run-finished':
      state.result = event.result;
      break;
    default:
      break;
  }
}

/**
 * Brings the state up to date with a report (a resumed run: steps finished before the
 * interruption emit no events again).
 */
export function applyReport(state: ProgressState, report: RunReport, vmPriority: Map<string, Priority>): void {
  state.startedAtMs = Date.parse(report.startedAt);
  for (const record of report.steps) {
    if (record.target !== undefined || record.status === 'inactive') continue;
    const line =
      state.steps.find((s) => s.step === record.id && s.title === record.title) ??
      stepLine(state, state.workflow, record.id);
    line.status = record.status;
    if (record.startedAt) line.startedAt = record.startedAt;
    if (record.finishedAt) line.finishedAt = record.finishedAt;
    line.messages = record.messages;
  }
  for (const group of state.priorities) {
    group.recovered = 0;
    group.failed = 0;
    group.poweringOn = 0;
  }
  for (const vm of report.vms) {
    if (!vmPriority.has(vm.name)) continue;
    const group = state.priorities.find((p) => p.priority === vm.priority);
    if (!group) continue;
    if (vm.status === 'recovered' || vm.status === 'warning') group.recovered++;
    else if (vm.status === 'error') group.failed++;
  }
}

/** VMs recovered (or failed) so far over the VMs that power on. */
export function vmCounts(state: ProgressState): { recovered: number; failed: number; total: number } {
  let recovered = 0;
  let failed = 0;
  let total = 0;
  for (const p of state.priorities) {
    recovered += p.recovered;
    failed += p.failed;
    total += p.total;
  }
  return { recovered, failed, total };
}
