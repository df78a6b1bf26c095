import type { CliIo } from '../cli/io.js';
import { writableFile } from '../cli/output-file.js';
import { driveRun } from '../run/session.js';
import { openForRun, type RunSelection } from '../run/run-selection.js';

export interface ResumeOptions extends RunSelection {
  report?: string;
}

/** `drctl resume [RUN_ID]`: continues an interrupted run; finished steps are not redone. */
export async function resumeCommand(io: CliIo, runId: string | undefined, options: ResumeOptions): Promise<number> {
  if (options.report !== undefined) writableFile('--report', io.cwd, options.report);
  const { workspace, runId: id } = await openForRun(io, runId, options, 'interrupted');
  try {
    const outcome = await driveRun(io, workspace, () => workspace.engine.resume(id), {
      json: Boolean(options.json),
      autoAnswer: options.answer !== undefined,
      ...(options.report ? { reportFile: options.report } : {}),
    });
    return outcome.exitCode;
  } finally {
    await workspace.close();
  }
}
