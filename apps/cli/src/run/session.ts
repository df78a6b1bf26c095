import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolvePlanVms, type RunReport } from '@drctl/domain';
import type { Workspace } from '@drctl/runtime';
import type { EngineEvent, RunHandle } from '@drctl/workflows';
import { EXIT_CODES, exitCodeForResult } from '../cli/exit-codes.js';
import { isInteractive, printJson, println, type CliIo } from '../cli/io.js';
import { TerminalView } from '../progress/terminal-view.js';
import {
  applyEvent,
  applyReport,
  initialProgress,
  poweredOnPriorities,
  type ProgressState,
} from '../progress/progress-state.js';
import { JsonLinesView, PlainLinesView, type ProgressView } from '../progress/views.js';
import { takeCancelRequest } from './cancel-requests.js';
import { askOnTerminal, operatorName } from './terminal-prompt.js';

export interface SessionOptions {
  json: boolean;
  /** `--answer`: prompts are answered by the engine, never asked here. */
  autoAnswer: boolean;
  /** `--report FILE`: a copy of the report, refreshed at every step and at the end. */
  reportFile?: string;
  /** Called once the run is under way (e.g. to cancel a resumed run, through `cancel`). */
  afterStart?: (handle: RunHandle, cancel: (reason: string) => void) => void;
}

export interface SessionOutcome {
  exitCode: number;
  report?: RunReport;
  runId?: string;
}

/**
 * Where the store keeps a run's report: the file of the state folder (FileStore: one `.json`
 * file per key), or the key in the PostgreSQL database (`--store`), where no such file exists.
 */
export function storedReportPath(workspace: Workspace, runId: string): string {
  if (workspace.where !== workspace.stateDir) return `${workspace.where} (key runs/${runId}/report)`;
  return join(workspace.stateDir, 'runs', runId, 'report.json');
}

function chooseView(io: CliIo, workspace: Workspace, options: SessionOptions): ProgressView {
  if (options.json) return new JsonLinesView(io);
  if (isInteractive(io)) return new TerminalView(io, () => workspace.clock.now());
  return new PlainLinesView(io);
}

/**
 * Drives one run to its end in this process: progress, prompts (terminal or `--answer`), Ctrl-C
 * and cross-process cancel requests, the `--report` copy, and the exit code from the result.
 * `begin` starts or resumes the run; it is driven under the workspace's (virtual) clock.
 */
export async function driveRun(
  io: CliIo,
  workspace: Workspace,
  begin: () => Promise<RunHandle>,
  options: SessionOptions,
): Promise<SessionOutcome> {
  const { engine } = workspace;
  const shown = chooseView(io, workspace, options);
  // Closed exactly once, also when the run is refused before it starts (the terminal view hides
  // the cursor and must give it back).
  let viewClosed = false;
  const view: ProgressView = {
    update: (s, e) => shown.update(s, e),
    pause: () => shown.pause(),
    resume: () => shown.resume(),
    close: (s) => {
      if (viewClosed) return;
      viewClosed = true;
      shown.close(s);
    },
  };
  const interactive = !options.json && isInteractive(io);
  let state: ProgressState | undefined;
  let vmPriority = new Map<string, 1 | 2 | 3 | 4 | 5>();
  let runId: string | undefined;
  let detach!: (reason: string) => void;
  const detached = new Promise<string>((resolve) => {
    detach = resolve;
  });
  let reportWrites: Promise<void> = Promise.resolve();
  const refreshReportFile = () => {
    if (!options.reportFile || !runId) return;
    const id = runId;
    reportWrites = reportWrites.then(async () => {
      const report = await engine.report(id);
      if (report) writeFileSync(resolve(io.cwd, options.reportFile!), `${JSON.stringify(report, null, 2)}\n`);
    });
  };
  const nudgeClock = () => void workspace.clock.track(Promise.resolve());
  // The engine records the reason as a report note.
  const cancelRun = (id: string, reason: string) => {
    engine.cancel(id, reason);
    nudgeClock();
  };

  // Prompts are asked one at a time: VMs of one priority may ask theirs together.
  let asking: Promise<void> = Promise.resolve();
  const answerOnTerminal = (event: Extract<EngineEvent, { type: 'prompt-waiting' }>) => {
    asking = asking.then(async () => {
      view.pause();
      const answer = await askOnTerminal(io, event.text, event.vm);
      view.resume();
      try {
        if (answer === null) cancelRun(event.runId, `cancelled by ${operatorName(io)} at the prompt`);
        else {
          engine.answerPrompt(event.promptId, answer, operatorName(io));
          nudgeClock();
        }
      } catch {
        // The run ended (or was cancelled) while the question was on screen.
      }
    });
  };

  const onEvent = (event: EngineEvent) => {
    if (event.type === 'run-started') {
      runId = event.runId;
      const plan = workspace.env.plans.find((p) => p.name === event.plan)!;
      const vms = resolvePlanVms(workspace.env, plan);
      vmPriority = poweredOnPriorities(vms);
      state = initialProgress(event, vms);
    }
    if (!state) return;
    applyEvent(state, event, vmPriority);
    view.update(state, event);
    if (event.type === 'step-finished') refreshReportFile();
    if (event.type === 'prompt-waiting' && !options.autoAnswer) {
      if (interactive) answerOnTerminal(event);
      else detach(`the run is waiting for an answer to "${event.text}" and there is no terminal to ask on`);
    }
  };
  const unsubscribe = engine.subscribe(onEvent);

  // Ctrl-C: the first cancels the run cleanly (rollback where the workflow says so); a second
  // leaves at once, and the run stays resumable.
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1 || !runId) {
      io.stderr.write('\ndrctl: stopped; the run is interrupted and can be resumed.\n');
      process.exit(130);
    }
    io.stderr.write('\ndrctl: cancelling the run (Ctrl-C again to leave at once)…\n');
    try {
      cancelRun(runId, `cancelled by ${operatorName(io)} (Ctrl-C)`);
    } catch {
      // Already ending.
    }
  };
  process.on('SIGINT', onSigint);

  // Also keeps the process alive while the run waits on nothing but the outside world (a hung
  // command with no timeout, a prompt): under the virtual clock no timer is pending then.
  const poller = setInterval(() => {
    if (!runId) return;
    void takeCancelRequest(workspace.store, runId)
      .then((request) => {
        if (!request) return;
        cancelRun(request.runId, `${request.reason} (requested by ${request.requestedBy})`);
      })
      .catch(() => undefined);
  }, 200);

  try {
    const handle = await workspace.drive(begin());
    runId = handle.runId;
    options.afterStart?.(handle, (reason) => cancelRun(handle.runId, reason));
    if (state) {
      const existing = await engine.report(handle.runId);
      if (existing && (state.resumed || existing.steps.length > 0)) applyReport(state, existing, vmPriority);
    }
    const ending = await workspace.drive(
      Promise.race([handle.done.then((report) => ({ report })), detached.then((reason) => ({ reason }))]),
    );
    await reportWrites;
    if ('reason' in ending) {
      view.close(state);
      const message = `drctl: ${ending.reason}; it stops here and stays resumable: drctl resume "${handle.runId}" --answer TEXT`;
      if (options.json)
        printJson(io, {
          type: 'detached',
          runId: handle.runId,
          reason: ending.reason,
          exitCode: EXIT_CODES.finishedWithProblems,
        });
      else io.stderr.write(`${message}\n`);
      return { exitCode: EXIT_CODES.finishedWithProblems, runId: handle.runId };
    }
    const report = ending.report;
    if (state) {
      applyReport(state, report, vmPriority);
      state.result = report.result;
    }
    view.close(state);
    refreshReportFile();
    await reportWrites;
    const reportPath = options.reportFile
      ? resolve(io.cwd, options.reportFile)
      : storedReportPath(workspace, report.runId);
    const exitCode = exitCodeForResult(report.result);
    if (options.json) {
      printJson(io, { type: 'report', runId: report.runId, result: report.result, reportPath, exitCode });
    } else {
      println(io, '');
      println(io, `Result: ${report.result}`);
      for (const note of report.notes) println(io, `  note: ${note}`);
      println(
        io,
        `Summary: drctl history --run "${report.runId}"${workspace.environmentPath ? ` --env ${workspace.environmentPath}` : ''}`,
      );
      println(io, `Report: ${reportPath}`);
    }
    return { exitCode, report, runId: report.runId };
  } finally {
    view.close(state);
    clearInterval(poller);
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
}
