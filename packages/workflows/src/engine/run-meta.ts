import { randomUUID } from 'node:crypto';
import type { DocumentStore, WorkflowName } from '@drctl/domain';
import type { WorkflowMode } from '../machines/policy.js';
import type { StartOptions } from './engine-options.js';

/** What the store keeps of a run besides its report: enough to resume or cancel it elsewhere. */
export interface RunMeta {
  runId: string;
  plan: string;
  workflow: WorkflowName;
  mode: WorkflowMode;
  operationKey: string;
  protectedSite: string;
  recoverySite: string;
  /** Notes decided when the run was started (a forced recovery's reason), copied into its report. */
  startNotes?: string[];
  invocation?: Record<string, unknown>;
}

export const metaKey = (runId: string) => `runs/${runId}/meta`;
export const snapshotKey = (runId: string) => `runs/${runId}/snapshot`;
export const journalKey = (operationKey: string) => `operations/${operationKey}/journal`;

/** How the host started a run (`StartOptions.invocation`), or undefined for an unknown run. */
export async function runInvocation(
  store: DocumentStore,
  runId: string,
): Promise<{ invocation: Record<string, unknown> | undefined } | undefined> {
  const meta = await store.read<RunMeta>(metaKey(runId));
  return meta ? { invocation: meta.invocation } : undefined;
}

/** The mode a start asks for, with only the options it names. */
export function modeOf(options: StartOptions): WorkflowMode {
  return {
    ...(options.force !== undefined ? { force: options.force } : {}),
    ...(options.forcedRecovery !== undefined ? { forcedRecovery: options.forcedRecovery } : {}),
    ...(options.forcedRecoveryOverride !== undefined ? { forcedRecoveryOverride: options.forcedRecoveryOverride } : {}),
    ...(options.syncData !== undefined ? { syncData: options.syncData } : {}),
  };
}

/**
 * A new run's id: its start time, the plan's name as a slug, the workflow and a random suffix.
 * Run ids name a file and a shell argument, hence the slug.
 */
export function newRunId(plan: string, workflow: WorkflowName, now: number): string {
  const slug =
    plan
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'plan';
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${slug}-${workflow}-${randomUUID().slice(0, 6)}`;
}
