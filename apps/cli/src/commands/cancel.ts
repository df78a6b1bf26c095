import { DrError } from '@drctl/domain';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import { wholeNumber } from '../cli/options.js';
import { requestCancel } from '../run/cancel-requests.js';
import { openForRun, type RunSelection } from '../run/run-selection.js';
import { driveRun } from '../run/session.js';
import { operatorName } from '../run/terminal-prompt.js';

export interface CancelOptions extends RunSelection {
  reason?: string;
  /** Seconds to wait for another process to stop the run. */
  wait?: string;
}

/** A day: longer than any run should take to stop once asked. */
const MAX_WAIT_SECONDS = 86_400;

const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `drctl cancel RUN_ID`: an interrupted run is restored only to be cancelled, without starting
 * the step it died in again (a planned migration rolls back when still before its storage steps); a run another drctl process is
 * driving is asked to stop through the store, and this waits for it to end.
 */
export async function cancelCommand(io: CliIo, runId: string | undefined, options: CancelOptions): Promise<number> {
  const waitMs = (wholeNumber('--wait', options.wait ?? '60', 0, MAX_WAIT_SECONDS) ?? 60) * 1000;
  const { workspace, runId: id, interrupted } = await openForRun(io, runId, options, 'unfinished');
  const reason = options.reason ?? `cancelled by ${operatorName(io)} (drctl cancel)`;
  try {
    const report = await workspace.engine.report(id);
    if (!report)
      throw new DrError('DR_RUN_NOT_FOUND', `No run ${id} in ${workspace.where}.`, {
        issues: [{ path: 'RUN_ID', message: 'unknown run' }],
      });
    if (interrupted.includes(id)) {
      // Restored only to be cancelled: the step it died in is not started again.
      const outcome = await driveRun(io, workspace, () => workspace.engine.resume(id, { cancel: true, reason }), {
        json: Boolean(options.json),
        autoAnswer: true,
      });
      return outcome.report?.result === 'cancelled' ? EXIT_CODES.success : outcome.exitCode;
    }
    if (report.result !== 'running') {
      throw new DrError(
        'DR_OPERATION_REFUSED',
        `Run ${id} already finished (${report.result}); there is nothing to cancel.`,
        { issues: [{ path: 'RUN_ID', message: `finished: ${report.result}` }] },
      );
    }
    await requestCancel(workspace.store, {
      runId: id,
      reason,
      requestedBy: operatorName(io),
      requestedAt: new Date().toISOString(),
    });
    const deadline = Date.now() + waitMs;
    let latest = report;
    while (Date.now() < deadline) {
      await realDelay(100);
      latest = (await workspace.engine.report(id)) ?? latest;
      if (latest.result !== 'running') break;
    }
    const stopped = latest.result !== 'running';
    if (options.json) printJson(io, { runId: id, requested: true, result: latest.result });
    else
      println(
        io,
        stopped
          ? `Run ${id} ended: ${latest.result}.`
          : `Cancel requested for run ${id}; the process running it has not stopped it yet.`,
      );
    return stopped && latest.result === 'cancelled' ? EXIT_CODES.success : EXIT_CODES.finishedWithProblems;
  } finally {
    await workspace.close();
  }
}
