import {
  SystemClock,
  type CalloutContext,
  type CalloutOutcome,
  type CalloutRunner,
  type Clock,
  type CommandCallout,
  type WebhookCallout,
} from '@drctl/domain';
import type { Dispatcher } from 'undici';
import { DEFAULT_MAX_OUTPUT_BYTES } from './bounded-output.js';
import { commandLabel, runCommandCallout } from './command-runner.js';
import { silentLogger, type CalloutLogger } from './logger.js';
import { runWebhookCallout, webhookLabel } from './webhook-runner.js';

export interface CalloutRunnerOptions {
  /** Timer for timeouts and the kill grace period. @default new SystemClock() */
  clock?: Clock;
  /** Environment commands inherit and `tokenEnv` is read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Working directory of commands. The CLI passes the environment file's folder, so a callout
   * such as `node scripts/x.mjs` finds its script next to the file. @default process.cwd()
   */
  cwd?: string;
  /** Bound on captured output / response body kept in the outcome. @default 65536 */
  maxOutputBytes?: number;
  /** Between SIGTERM and SIGKILL when a command times out or is cancelled. @default 5000 */
  killGraceMs?: number;
  /** undici dispatcher for webhooks (custom CA, proxy…). @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** pino-compatible logger; gets names, statuses and durations only. */
  logger?: CalloutLogger;
}

const DEFAULT_KILL_GRACE_MS = 5000;

/** The callout runner drctl uses: commands as child processes, webhooks over undici. */
export function createCalloutRunner(options: CalloutRunnerOptions = {}): CalloutRunner {
  const clock = options.clock ?? new SystemClock();
  const env = options.env ?? process.env;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const logger = options.logger ?? silentLogger;
  const commandSettings = {
    clock,
    env,
    cwd: options.cwd,
    maxOutputBytes,
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
  };
  const webhookSettings = { clock, env, maxOutputBytes, dispatcher: options.dispatcher };

  const logged = async (
    kind: string,
    name: string,
    context: CalloutContext,
    work: Promise<CalloutOutcome>,
  ): Promise<CalloutOutcome> => {
    const fields = { callout: name, kind, runId: context.runId, step: context.step, vm: context.vm };
    const startedAt = clock.now();
    logger.info(fields, 'callout started');
    const outcome = await work;
    const done = { ...fields, status: outcome.status, code: outcome.code, durationMs: clock.now() - startedAt };
    if (outcome.status === 'success') logger.info(done, 'callout finished');
    else logger.warn({ ...done, reason: outcome.message }, 'callout failed');
    return outcome;
  };

  return {
    runCommand(callout: CommandCallout, context: CalloutContext, signal: AbortSignal): Promise<CalloutOutcome> {
      return logged(
        'command',
        commandLabel(callout),
        context,
        runCommandCallout(callout, context, signal, commandSettings),
      );
    },
    runWebhook(callout: WebhookCallout, context: CalloutContext, signal: AbortSignal): Promise<CalloutOutcome> {
      return logged(
        'webhook',
        webhookLabel(callout),
        context,
        runWebhookCallout(callout, context, signal, webhookSettings),
      );
    },
  };
}
