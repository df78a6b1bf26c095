import { DrError } from '@drctl/domain';
import type { Workspace } from '@drctl/runtime';
import { FileStore } from '@drctl/store';
import type { CliIo } from '../cli/io.js';
import { environmentPath, type CommonOptions } from '../cli/options.js';
import { openCliWorkspace, type WorkspaceFlags } from '../cli/workspace.js';
import { stateDirFor } from '../cli/workspace-paths.js';
import { loadInvocation } from './invocation.js';
import { operatorName } from './terminal-prompt.js';

export interface RunSelection extends CommonOptions, WorkspaceFlags {
  plan?: string;
  answer?: string;
}

/**
 * The interrupted run a command means: the id given, else the only interrupted run (of `--plan`
 * when given). Marks interrupted runs on the way (the engine's `findInterrupted`).
 */
export async function interruptedRun(workspace: Workspace, runId: string | undefined, plan: string | undefined): Promise<{ runId: string; interrupted: string[] }> {
  const interrupted = await workspace.engine.findInterrupted();
  if (runId) return { runId, interrupted };
  const reports = await Promise.all(interrupted.map((id) => workspace.engine.report(id)));
  const candidates = interrupted.filter((_, i) => plan === undefined || reports[i]?.plan === plan);
  if (candidates.length === 1) return { runId: candidates[0]!, interrupted };
  if (candidates.length === 0) {
    throw new DrError('DR_OPERATION_REFUSED', `No interrupted run${plan ? ` of plan "${plan}"` : ''} to continue.`, { issues: [{ path: 'RUN_ID', message: 'no interrupted run' }] });
  }
  throw new DrError('DR_INPUT_INVALID', `Several runs are interrupted (${candidates.join(', ')}); say which one.`, { issues: [{ path: 'RUN_ID', message: 'ambiguous' }] });
}

/**
 * Opens the workspace a run was started in: the flags saved with the run (simulation, seed,
 * settings, faults), overridden by any given now.
 */
export async function openForRun(io: CliIo, runId: string | undefined, options: RunSelection): Promise<{ workspace: Workspace; runId: string; interrupted: string[] }> {
  const path = environmentPath(io, options.env);
  const autoAnswer = options.answer !== undefined ? { autoAnswer: { answer: options.answer, by: `${operatorName(io)} (--answer)` } } : {};
  let id = runId;
  if (id === undefined) {
    const probe = await openCliWorkspace(io, { ...options, inject: [] });
    try {
      id = (await interruptedRun(probe, undefined, options.plan)).runId;
    } finally {
      await probe.close();
    }
  }
  const saved = await loadInvocation(new FileStore(stateDirFor(io, path, options.stateDir)), id);
  const flags: WorkspaceFlags = {
    ...options,
    simulate: options.simulate ?? saved?.simulate ?? false,
    set: options.set ?? saved?.set ?? [],
    inject: options.inject ?? saved?.inject ?? [],
    ...(options.seed ?? saved?.seed ? { seed: (options.seed ?? saved?.seed)! } : {}),
    ...(options.storage ?? saved?.storage ? { storage: (options.storage ?? saved?.storage)! } : {}),
    ...(options.vmwareDrXml ?? saved?.vmwareDrXml ? { vmwareDrXml: (options.vmwareDrXml ?? saved?.vmwareDrXml)! } : {}),
  };
  const workspace = await openCliWorkspace(io, flags, { requireSimulate: true, ...autoAnswer });
  try {
    const { interrupted } = await interruptedRun(workspace, id, options.plan);
    return { workspace, runId: id, interrupted };
  } catch (error) {
    await workspace.close();
    throw error;
  }
}
