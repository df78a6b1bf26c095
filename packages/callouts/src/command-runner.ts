import { spawn, type ChildProcess } from 'node:child_process';
import type { CalloutContext, CalloutOutcome, Clock, CommandCallout } from '@drctl/domain';
import { TailBuffer } from './bounded-output.js';
import { commandEnvironment } from './callout-environment.js';
import { signalProcessTree } from './process-tree.js';

export interface CommandRunnerSettings {
  clock: Clock;
  /** Environment the command inherits (before the callout's `env` and the run's context). */
  env: NodeJS.ProcessEnv;
  /** Working directory; relative paths in `command`/`args` resolve against it. */
  cwd: string | undefined;
  maxOutputBytes: number;
  /** Time between SIGTERM and SIGKILL when a command is stopped. */
  killGraceMs: number;
}

/**
 * After the process exits, its pipes normally close at once; a background process it left behind
 * can keep them open for ever, so stop waiting for the last output after this long (real time:
 * this is I/O draining, not a simulated delay).
 */
const STDIO_DRAIN_MS = 200;
const LABEL_LENGTH = 80;

export function commandLabel(callout: CommandCallout): string {
  if (callout.name !== undefined) return callout.name;
  const line = [callout.command, ...callout.args].join(' ');
  return line.length > LABEL_LENGTH ? `${line.slice(0, LABEL_LENGTH - 1)}…` : line;
}

function startFailure(callout: CommandCallout, label: string, error: NodeJS.ErrnoException): CalloutOutcome {
  const reason =
    error.code === 'ENOENT'
      ? `${callout.command} was not found (check the path, or that it is on PATH)`
      : error.code === 'EACCES'
        ? `${callout.command} is not executable (permission denied)`
        : error.message;
  return { status: 'error', message: `Command ${label} could not start: ${reason}.` };
}

type StopReason = 'timeout' | 'cancelled';

function exitOutcome(
  callout: CommandCallout,
  label: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stopped: StopReason | undefined,
  output: string,
): CalloutOutcome {
  if (stopped === 'timeout') {
    return {
      status: 'error',
      message: `Command ${label} timed out after ${callout.timeoutSeconds} s and was killed.`,
      output,
    };
  }
  if (stopped === 'cancelled')
    return { status: 'error', message: `Command ${label} was cancelled and killed.`, output };
  if (code === 0) return { status: 'success', code: 0, message: `Command ${label} succeeded.`, output };
  if (code !== null)
    return { status: 'error', code, message: `Command ${label} failed with exit code ${code}.`, output };
  return { status: 'error', message: `Command ${label} was killed by ${signal ?? 'a signal'}.`, output };
}

/**
 * Runs a command callout as a child process (no shell): the run's context in its environment,
 * stdout and stderr captured (the last `maxOutputBytes`), bounded by `timeoutSeconds` (0 = none).
 * A timeout or an abort stops the whole process tree: SIGTERM, then SIGKILL after a grace period.
 * Resolves only once the process has exited; never rejects.
 */
export function runCommandCallout(
  callout: CommandCallout,
  context: CalloutContext,
  signal: AbortSignal,
  settings: CommandRunnerSettings,
): Promise<CalloutOutcome> {
  const label = commandLabel(callout);
  if (signal.aborted)
    return Promise.resolve({ status: 'error', message: `Command ${label} was cancelled before it started.` });
  const { clock } = settings;

  const work = new Promise<CalloutOutcome>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(callout.command, callout.args, {
        env: commandEnvironment(settings.env, callout.env, context),
        cwd: settings.cwd,
        // Own process group, so the tree can be signalled as one (see process-tree.ts).
        detached: process.platform !== 'win32',
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      resolve(startFailure(callout, label, error as NodeJS.ErrnoException));
      return;
    }

    const output = new TailBuffer(settings.maxOutputBytes);
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));

    let stopped: StopReason | undefined;
    let settled = false;
    let exited = false;
    let cancelKillTimer = () => undefined as void;
    const stop = (reason: StopReason) => {
      if (stopped !== undefined || exited) return;
      stopped = reason;
      signalProcessTree(child, 'SIGTERM');
      cancelKillTimer = clock.setTimer(settings.killGraceMs, () => signalProcessTree(child, 'SIGKILL'));
    };
    const cancelTimeout =
      callout.timeoutSeconds > 0
        ? clock.setTimer(callout.timeoutSeconds * 1000, () => stop('timeout'))
        : () => undefined;
    const onAbort = () => stop('cancelled');
    signal.addEventListener('abort', onAbort, { once: true });

    const finish = (outcome: CalloutOutcome) => {
      if (settled) return;
      settled = true;
      cancelTimeout();
      cancelKillTimer();
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };

    child.once('error', (error: NodeJS.ErrnoException) => {
      if (!exited) finish(startFailure(callout, label, error));
    });
    let drain: NodeJS.Timeout | undefined;
    child.once('exit', () => {
      exited = true;
      // Signal the group now or never: once it is empty its id may be given to a new process.
      cancelKillTimer();
      // A stopped command's children may outlive it (e.g. they ignored SIGTERM): finish the tree.
      if (stopped !== undefined) signalProcessTree(child, 'SIGKILL');
      drain = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, STDIO_DRAIN_MS);
    });
    child.once('close', (code: number | null, exitSignal: NodeJS.Signals | null) => {
      clearTimeout(drain);
      finish(exitOutcome(callout, label, code, exitSignal, stopped, output.text()));
    });
  });
  // Under a virtual clock, hold time still while the real process runs (see Clock.track).
  return clock.track(work);
}
