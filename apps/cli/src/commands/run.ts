import { DrError, type WorkflowName } from '@drctl/domain';
import type { StorageChoice } from '@drctl/runtime';
import type { CliIo } from '../cli/io.js';
import { planName, type CommonOptions } from '../cli/options.js';
import { openCliWorkspace } from '../cli/workspace.js';
import { writableFile } from '../cli/output-file.js';
import { driveRun } from '../run/session.js';
import { operatorName } from '../run/terminal-prompt.js';

export interface RunOptions extends CommonOptions {
  env?: string;
  plan?: string;
  simulate?: boolean;
  storage?: StorageChoice;
  seed?: string;
  set?: string[];
  force?: boolean;
  forcedRecovery?: boolean;
  /** The operator's reason for a forced recovery although the protected site answers. */
  overrideProtectedSiteUp?: string;
  /** Commander's `--no-sync` sets this false. */
  sync: boolean;
  answer?: string;
  report?: string;
  stateDir?: string;
  inject?: string[];
  vmwareDrXml?: string;
}

/** Options that only some workflows take: given elsewhere they are refused rather than ignored. */
function checkModeOptions(workflow: WorkflowName, options: RunOptions): void {
  const refuse = (option: string, allowed: string) => {
    throw new DrError('DR_INPUT_INVALID', `${option} applies to ${allowed}, not ${workflow}.`, {
      issues: [{ path: option, message: `only for ${allowed}` }],
    });
  };
  if (options.force && workflow !== 'cleanup' && workflow !== 'reprotect') refuse('--force', 'cleanup and reprotect');
  if (options.forcedRecovery && workflow !== 'disaster-recovery') refuse('--forced-recovery', 'disaster-recovery');
  if (options.overrideProtectedSiteUp !== undefined && !options.forcedRecovery)
    refuse('--override-protected-site-up', 'disaster-recovery with --forced-recovery');
  if (options.sync === false && workflow !== 'test') refuse('--no-sync', 'test');
}

/** `drctl run WORKFLOW --env ENV.yaml --plan NAME --simulate …` */
export async function runCommand(io: CliIo, workflow: WorkflowName, options: RunOptions): Promise<number> {
  checkModeOptions(workflow, options);
  // Checked before anything starts: a run must not be left interrupted by its report copy.
  if (options.report !== undefined) writableFile('--report', io.cwd, options.report);
  const workspace = await openCliWorkspace(io, options, {
    requireSimulate: true,
    workflow,
    ...(options.answer !== undefined
      ? { autoAnswer: { answer: options.answer, by: `${operatorName(io)} (--answer)` } }
      : {}),
  });
  try {
    const plan = planName(workspace.env, options.plan);
    await workspace.engine.findInterrupted();
    const outcome = await driveRun(
      io,
      workspace,
      // The workspace's engine saves the run's options (its invocation) with the run before it starts.
      () =>
        workspace.engine.start({
          plan,
          workflow,
          ...(options.force ? { force: true } : {}),
          ...(options.forcedRecovery ? { forcedRecovery: true } : {}),
          ...(options.overrideProtectedSiteUp !== undefined
            ? { forcedRecoveryOverride: options.overrideProtectedSiteUp }
            : {}),
          ...(workflow === 'test' ? { syncData: options.sync !== false } : {}),
        }),
      {
        json: Boolean(options.json),
        autoAnswer: options.answer !== undefined,
        ...(options.report ? { reportFile: options.report } : {}),
      },
    );
    return outcome.exitCode;
  } finally {
    await workspace.close();
  }
}
