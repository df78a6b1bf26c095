import type { StepId, StepStatus, WorkflowName, Priority } from '../workflow/steps.js';
import type { Settings } from '../settings/definitions.js';
import type { StorageCommand } from '../ports/storage.js';

export const RUN_RESULTS = [
  'running',
  'success',
  'warnings',
  'errors',
  'cancelled',
  'incomplete',
  'interrupted',
] as const;
export type RunResult = (typeof RUN_RESULTS)[number];

export interface DeviceResultLine {
  device: string;
  /** `success`, `warning` or `error`. */
  status: 'success' | 'warning' | 'error';
  code?: string;
  description?: string;
  fixHint?: string;
  details?: Record<string, string>;
}

export interface StepRecord {
  id: StepId;
  title: string;
  /** The workflow running the step: failback runs planned-migration, then reprotect. */
  phase?: string;
  /** Per protection group, device, host or VM child entries carry a target. */
  target?: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  /** The engine that ran the step, when several engines share the store. */
  engine?: string;
  messages: string[];
  results: DeviceResultLine[];
}

export interface CalloutRecord {
  name: string;
  type: 'command' | 'prompt' | 'webhook';
  phase: 'pre-power-on' | 'post-power-on' | 'plan';
  status: 'success' | 'error' | 'skipped';
  message?: string;
  output?: string;
  startedAt?: string;
  finishedAt?: string;
}

export type VmStatus =
  'pending' | 'powering-on' | 'recovered' | 'error' | 'skipped' | 'cancelled' | 'shut-down' | 'warning';

export interface VmRecord {
  name: string;
  priority: Priority;
  host: string;
  cluster: string;
  status: VmStatus;
  powerOnStartedAt?: string;
  poweredOnAt?: string;
  toolsReadyAt?: string;
  recoveredAt?: string;
  message?: string;
  callouts: CalloutRecord[];
}

export interface StorageCommandRecord {
  command: StorageCommand;
  devices: string[];
  arrayId: string;
  startedAt: string;
  finishedAt?: string;
  status: 'running' | 'success' | 'warning' | 'error' | 'timeout' | 'cancelled' | 'reused';
  attempt: number;
  /** Timeout applied, seconds (0 = none). */
  timeoutSeconds: number;
  message?: string;
}

export interface PromptRecord {
  id: string;
  text: string;
  step?: string;
  vm?: string;
  askedAt: string;
  answer?: string;
  answeredBy?: string;
  answeredAt?: string;
}

/** The run report (history): one JSON document per run, written as the run goes. */
export interface RunReport {
  runId: string;
  plan: string;
  workflow: WorkflowName;
  /** e.g. `planned`, `forced`, `test`, `force-cleanup`. */
  mode: string;
  result: RunResult;
  startedAt: string;
  finishedAt?: string;
  protectedSite: string;
  recoverySite: string;
  /** Effective settings, with the commandTimeout actually applied. */
  settings: Settings & { appliedCommandTimeoutSeconds: number; liveVolumes: number };
  steps: StepRecord[];
  vms: VmRecord[];
  storageCommands: StorageCommandRecord[];
  prompts: PromptRecord[];
  /** Free-form end-state notes ("protected VMs could not be shut down: run recovery again"). */
  notes: string[];
  /**
   * Protection groups with VMs that did not recover, each with those VMs; absent when every
   * group recovered. The VMs' own records say why.
   */
  failedProtectionGroups?: FailedProtectionGroup[];
}

export interface FailedProtectionGroup {
  name: string;
  /** VMs of the group in this plan. */
  vms: number;
  failedVms: string[];
}
