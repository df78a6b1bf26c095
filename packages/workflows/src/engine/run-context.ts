import type {
  CalloutRunner,
  Clock,
  ComputeAdapter,
  DeviceResultLine,
  Environment,
  PlanVm,
  RecoveryPlan,
  Settings,
  StepStatus,
  StorageAdapter,
  WorkflowName,
} from '@drctl/domain';
import type { SlotPool } from '@drctl/scheduler';
import type { Logger } from 'pino';
import type { PhaseName, WorkflowMode } from '../machines/policy.js';
import type { PromptBroker } from './prompts.js';
import type { CommandScope, StorageGateway } from './storage-gateway.js';

/** A replicated device of the plan, with the arrays on each side in the plan's current direction. */
export interface PlanDevice {
  id: string;
  /** Array-based (a volume) or vSphere Replication (a VM, on per-site pseudo-arrays `vr-<site>`). */
  replication: 'array' | 'vsphere-replication';
  datastores: string[];
  /** Array at the plan's current protected site. */
  protectedArray: string;
  /** Array at the plan's current recovery site. */
  recoveryArray: string;
  liveVolume: boolean;
}

/** What every step of one run can use. Built once per run by the engine. */
export interface RunContext extends CommandScope {
  env: Environment;
  plan: RecoveryPlan;
  workflow: WorkflowName;
  mode: WorkflowMode;
  /** Sites in the plan's current direction (swapped after a reprotect). */
  protectedSite: string;
  recoverySite: string;
  vms: PlanVm[];
  devices: PlanDevice[];
  /** Datastores of the plan's array-based protection groups. */
  datastores: Array<{ name: string; devices: string[] }>;
  settings: Settings;
  compute: ComputeAdapter;
  callouts: CalloutRunner;
  storageForArray: (arrayId: string) => StorageAdapter;
  clock: Clock;
  gateway: StorageGateway;
  prompts: PromptBroker;
  pool: SlotPool;
  logger: Logger;
  /** Whether the protected site answered when the run started (Table 1: selectable snapshot in DR). */
  protectedSiteUp: boolean;
  /** Auto-answer for prompts (CLI `--answer`), attributed to `by`. */
  autoAnswer: { answer: string; by: string } | undefined;
}

/** What a step implementation returns, before the error policy is applied. */
export interface StepResult {
  status: StepStatus;
  messages: string[];
  results: DeviceResultLine[];
  /**
   * The error touches only some devices or hosts, whose VMs are (or will be) marked failed with
   * the reason; the rest of the plan can still recover. The policy decides what that means.
   */
  confined?: boolean;
}

export type StepImplementation = (ctx: RunContext, phase: PhaseName, signal: AbortSignal) => Promise<StepResult>;

export function result(status: StepStatus, messages: string[] = [], results: DeviceResultLine[] = []): StepResult {
  return { status, messages, results };
}

/** Worst of several statuses: error > warning > success; all already-done stays already-done. */
export function combineStatuses(statuses: StepStatus[]): StepStatus {
  if (statuses.length === 0) return 'success';
  if (statuses.includes('error')) return 'error';
  if (statuses.includes('cancelled')) return 'cancelled';
  if (statuses.includes('warning')) return 'warning';
  if (statuses.every((s) => s === 'already-done')) return 'already-done';
  if (statuses.every((s) => s === 'skipped')) return 'skipped';
  return 'success';
}

export function hostsAt(env: Environment, site: string): Array<{ host: string; cluster: string }> {
  const s = env.sites.find((x) => x.name === site);
  return s ? s.clusters.flatMap((c) => c.hosts.map((h) => ({ host: h.name, cluster: c.name }))) : [];
}

/** A timeout signal driven by the injected clock (0 = never), combined with the run's signal. */
export function withTimeout(
  clock: Clock,
  signal: AbortSignal,
  seconds: number,
  reason: () => Error,
): { signal: AbortSignal; clear: () => void } {
  if (seconds <= 0) return { signal, clear: () => undefined };
  const controller = new AbortController();
  const cancel = clock.setTimer(seconds * 1000, () => controller.abort(reason()));
  return { signal: AbortSignal.any([signal, controller.signal]), clear: cancel };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
