import { DrError, type RunReport, type WorkflowName } from '@drctl/domain';
import { resolve } from 'node:path';
import {
  checkSameInvocation,
  isCrashRehearsal,
  loadRunInvocation,
  openStore,
  type StorageChoice,
  type Workspace,
} from '@drctl/runtime';
import { reportKey } from '@drctl/workflows';
import type { CliIo } from '../cli/io.js';
import { environmentPath, wholeNumber, type CommonOptions } from '../cli/options.js';
import { openCliWorkspace, storeFlags, type WorkspaceFlags } from '../cli/workspace.js';
import { stateDirFor } from '../cli/workspace-paths.js';
import { operatorName } from './terminal-prompt.js';

export interface RunSelection extends CommonOptions, WorkspaceFlags {
  plan?: string;
  answer?: string;
}

/** Which runs a command may pick by itself: `resume` only interrupted ones, `cancel` any unfinished one. */
export type RunKind = 'interrupted' | 'unfinished';

/**
 * The run a command means: the id given, else the only interrupted (or unfinished) run, of
 * `--plan` when given. Marks interrupted runs on the way (the engine's `findInterrupted`).
 */
export async function selectRun(
  workspace: Workspace,
  runId: string | undefined,
  plan: string | undefined,
  kind: RunKind,
): Promise<{ runId: string; interrupted: string[] }> {
  const interrupted = await workspace.engine.findInterrupted();
  if (runId) {
    const report = await workspace.engine.report(runId).catch(() => undefined);
    if (!report)
      throw new DrError('DR_RUN_NOT_FOUND', `No run ${JSON.stringify(runId)} in ${workspace.where}.`, {
        issues: [{ path: 'RUN_ID', message: 'unknown run' }],
      });
    return { runId, interrupted };
  }
  let candidates: string[];
  if (kind === 'interrupted') {
    const reports = await Promise.all(interrupted.map((id) => workspace.engine.report(id)));
    candidates = interrupted.filter((_, i) => plan === undefined || reports[i]?.plan === plan);
  } else {
    const statuses = plan ? [await workspace.engine.planStatus(plan)] : await workspace.engine.plans();
    candidates = statuses.map((s) => s.activeRunId).filter((id): id is string => id !== null);
  }
  if (candidates.length === 1) return { runId: candidates[0]!, interrupted };
  const what = kind === 'interrupted' ? 'interrupted run' : 'unfinished run';
  if (candidates.length === 0) {
    throw new DrError('DR_OPERATION_REFUSED', `No ${what}${plan ? ` of plan "${plan}"` : ''}.`, {
      issues: [{ path: 'RUN_ID', message: `no ${what}` }],
    });
  }
  throw new DrError('DR_INPUT_INVALID', `Several runs are unfinished (${candidates.join(', ')}); say which one.`, {
    issues: [{ path: 'RUN_ID', message: 'ambiguous' }],
  });
}

/**
 * Opens the workspace a run was started in: the flags saved with the run (simulation, seed,
 * settings, faults), overridden by any given now.
 */
export async function openForRun(
  io: CliIo,
  runId: string | undefined,
  options: RunSelection,
  kind: RunKind,
): Promise<{ workspace: Workspace; runId: string; interrupted: string[] }> {
  const path = environmentPath(io, options.env);
  const autoAnswer =
    options.answer !== undefined
      ? { autoAnswer: { answer: options.answer, by: `${operatorName(io)} (--answer)` } }
      : {};
  let id = runId;
  if (id === undefined) {
    const probe = await openCliWorkspace(io, { ...options, inject: [] }, { readOnly: true });
    try {
      id = (await selectRun(probe, undefined, options.plan, kind)).runId;
    } finally {
      await probe.close();
    }
  }
  const stateDir = stateDirFor(io, path, options.stateDir);
  const opened = openStore(storeFlags(io, options), stateDir);
  let saved: Awaited<ReturnType<typeof loadRunInvocation>>;
  let workflow: WorkflowName | undefined;
  try {
    // A run id that cannot even be a store key is simply not found.
    const report = (await opened.store.read(reportKey(id)).catch(() => undefined)) as RunReport | undefined;
    if (!report) {
      throw new DrError('DR_RUN_NOT_FOUND', `No run ${JSON.stringify(id)} in ${opened.where}.`, {
        issues: [{ path: 'RUN_ID', message: 'unknown run' }],
      });
    }
    // A real disaster recovery resumed while its protected site is still down must be opened as
    // one, or the preflight refuses the lost site's vCenter that the run itself tolerates.
    workflow = report.workflow;
    saved = await loadRunInvocation(opened.store, id);
  } finally {
    await opened.close();
  }
  const seed = wholeNumber('--seed', options.seed);
  const requested = {
    ...(options.simulate !== undefined ? { simulate: options.simulate } : {}),
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(options.set ? { set: options.set } : {}),
    ...(options.inject ? { inject: options.inject } : {}),
    ...(options.vmwareDrXml !== undefined ? { vmwareDrXml: resolve(io.cwd, options.vmwareDrXml) } : {}),
  };
  // The run's own options, never others: a resume on another world would act on the wrong arrays.
  if (saved) checkSameInvocation(id, saved, requested);
  const rehearsals = (options.inject ?? []).filter(isCrashRehearsal);
  const flags: WorkspaceFlags = saved
    ? {
        ...(options.env !== undefined ? { env: options.env } : {}),
        ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
        ...(options.store !== undefined ? { store: options.store } : {}),
        ...(options.engineId !== undefined ? { engineId: options.engineId } : {}),
        simulate: saved.simulate,
        set: saved.set,
        inject: [...saved.inject, ...rehearsals],
        ...(saved.seed !== undefined ? { seed: String(saved.seed) } : {}),
        ...(saved.storage !== undefined ? { storage: saved.storage as StorageChoice } : {}),
        ...(saved.vmwareDrXml !== undefined ? { vmwareDrXml: saved.vmwareDrXml } : {}),
      }
    : { ...options, simulate: options.simulate ?? false };
  const workspace = await openCliWorkspace(io, flags, {
    requireSimulate: true,
    ...autoAnswer,
    ...(workflow ? { workflow } : {}),
  });
  try {
    const { interrupted } = await selectRun(workspace, id, options.plan, kind);
    return { workspace, runId: id, interrupted };
  } catch (error) {
    await workspace.close();
    throw error;
  }
}
