import pLimit, { type LimitFunction } from 'p-limit';
import {
  DrError,
  isDrError,
  onAbort,
  STATE_CHANGING_COMMANDS,
  type Clock,
  type CommandContext,
  type DeviceCommandRequest,
  type DeviceCommandResult,
  type StorageAdapter,
  type StorageCommand,
  type StorageCommandRecord,
  type SharedSlots,
} from '@drctl/domain';
import type { EventHub } from './events.js';
import type { Journal } from './journal.js';
import type { ReportBuilder } from './report-builder.js';

type DeviceCommand = Exclude<StorageCommand, 'queryInfo' | 'queryCapabilities' | 'discoverArrays' | 'discoverDevices'>;

/** What the gateway needs from the run issuing the command. */
export interface CommandScope {
  runId: string;
  /** Prefix of idempotency keys: the plan's operation, shared by re-runs of an incomplete run. */
  operationKey: string;
  journal: Journal;
  report: ReportBuilder;
  events: EventHub;
  /** The commandTimeout applied to this run (0 = none), with its explanation for messages. */
  timeoutSeconds: number;
  timeoutExplanation: string;
  /** Persists the simulated world (or any state the host keeps) after a storage effect. */
  checkpoint: () => Promise<void>;
  /** Throws when this engine no longer owns the run (another engine took it over). */
  fence?: () => void;
}

export interface GatewayHooks {
  /** Called once a state-changing command's start is durably journalled, just before it is sent. */
  onCommandAnnounced?: (info: CommandAnnouncement) => void;
  /** The count of commands in flight across engines (and processes) sharing the store. */
  slots?: SharedSlots;
}

/** The SharedSlots name of storage.maxConcurrentCommandCnt. */
export const STORAGE_COMMAND_SLOTS = 'storage-commands';

export interface CommandAnnouncement {
  runId: string;
  command: StorageCommand;
  arrayId: string;
  /** The journal key, `<phase>/<step>/<command>/<array>`. */
  key: string;
}

export interface CommandSpec {
  stepKey: string;
  command: DeviceCommand;
  adapter: StorageAdapter;
  arrayId: string;
  devices: string[];
  context: CommandContext;
  signal: AbortSignal;
  onProgress?: DeviceCommandRequest['onProgress'];
}

export interface CommandOutcome {
  result: DeviceCommandResult;
  /** True when the journal already had this command finished and it was not sent again. */
  reused: boolean;
}

/**
 * Every storage command goes through here: at most `storage.maxConcurrentCommandCnt` in flight
 * across every run of the engine, each aborted past the run's commandTimeout, journaled before
 * and after so a crash never makes it run twice, and recorded in the report.
 */
export class StorageGateway {
  private readonly limit: LimitFunction;

  private readonly maxConcurrent: number;

  constructor(
    maxConcurrent: number,
    private readonly clock: Clock,
    private readonly hooks: GatewayHooks = {},
  ) {
    this.maxConcurrent = maxConcurrent === 0 ? Number.POSITIVE_INFINITY : maxConcurrent;
    this.limit = pLimit(this.maxConcurrent);
  }

  /** Commands running or queued right now (for tests and gauges). */
  get inFlight(): number {
    return this.limit.activeCount;
  }

  async run(scope: CommandScope, spec: CommandSpec): Promise<CommandOutcome> {
    const key = `${spec.stepKey}/${spec.command}/${spec.arrayId}`;
    const changing = STATE_CHANGING_COMMANDS.has(spec.command);
    if (changing) {
      // Only a command that reached its devices is reused; one that failed, timed out or was
      // cancelled is sent again (the adapters' idempotency covers an effect that did happen).
      const done = scope.journal.commandResult(key);
      if (done && (done.status === 'success' || done.status === 'warning')) {
        scope.report.storageCommand({
          command: spec.command,
          devices: spec.devices,
          arrayId: spec.arrayId,
          startedAt: done.at,
          finishedAt: done.at,
          status: 'reused',
          attempt: scope.journal.commandAttempts(key),
          timeoutSeconds: scope.timeoutSeconds,
          message: 'already completed earlier in this operation; not sent again',
        });
        return { result: done.result, reused: true };
      }
    }
    const attempt = scope.journal.commandAttempts(key) + 1;
    return this.limit(async () => {
      // The same limit across every engine sharing the store: wait for a slot none of them holds.
      const releaseShared = await this.hooks.slots?.acquire(STORAGE_COMMAND_SLOTS, this.maxConcurrent, spec.signal);
      try {
        return await this.send(scope, spec, key, attempt, changing);
      } finally {
        await releaseShared?.();
      }
    });
  }

  private async send(
    scope: CommandScope,
    spec: CommandSpec,
    key: string,
    attempt: number,
    changing: boolean,
  ): Promise<CommandOutcome> {
    const record = scope.report.storageCommand({
      command: spec.command,
      devices: spec.devices,
      arrayId: spec.arrayId,
      startedAt: scope.report.now(),
      status: 'running',
      attempt,
      timeoutSeconds: scope.timeoutSeconds,
    });
    if (changing) {
      await scope.journal.record({ t: 'cmd-start', key, runId: scope.runId, attempt, at: record.startedAt });
      this.hooks.onCommandAnnounced?.({ runId: scope.runId, command: spec.command, arrayId: spec.arrayId, key });
    }
    // The last moment before the command leaves: an engine that lost the run sends nothing.
    scope.fence?.();
    const result = await this.call(scope, spec, key, record);
    if (changing) {
      await scope.checkpoint();
      await scope.journal.record({
        t: 'cmd-end',
        key,
        runId: scope.runId,
        result,
        status: record.status,
        at: record.finishedAt!,
      });
    }
    scope.events.emit({
      type: 'storage-command',
      runId: scope.runId,
      command: spec.command,
      arrayId: spec.arrayId,
      devices: spec.devices,
      status: record.status,
      at: record.finishedAt!,
      ...(record.message ? { message: record.message } : {}),
    });
    return { result, reused: false };
  }

  /**
   * With storage.commandTimeout 0 nothing ever cuts a command short: say what the run waits on,
   * at once and then every UNBOUNDED_WAIT_REMINDER_MS of real time, so a hung array is never a
   * silent run. Real time on purpose: virtual time stands still while only the array is awaited.
   */
  private announceUnboundedWait(scope: CommandScope, spec: CommandSpec, devices: string): () => void {
    const what = `${spec.command} on array ${spec.arrayId} for ${devices}`;
    const startedAt = Date.now();
    const tell = (text: string) =>
      scope.events.emit({ type: 'message', runId: scope.runId, level: 'warn', text, at: scope.report.now() });
    tell(`waiting on ${what} with no time limit (${scope.timeoutExplanation}); drctl cancel stops it`);
    const reminder = setInterval(() => {
      const seconds = Math.round((Date.now() - startedAt) / 1000);
      tell(`still waiting on ${what}: ${seconds} s so far, no time limit (${scope.timeoutExplanation})`);
    }, UNBOUNDED_WAIT_REMINDER_MS);
    reminder.unref();
    return () => clearInterval(reminder);
  }

  private async call(
    scope: CommandScope,
    spec: CommandSpec,
    key: string,
    record: StorageCommandRecord,
  ): Promise<DeviceCommandResult> {
    const timeout = new AbortController();
    const ms = scope.timeoutSeconds * 1000;
    const devices = spec.devices.join(', ');
    const cancelTimer =
      ms > 0
        ? this.clock.setTimer(ms, () =>
            timeout.abort(
              new DrError(
                'DR_STORAGE_TIMEOUT',
                `${spec.command} on array ${spec.arrayId} for ${devices} did not finish within ${scope.timeoutSeconds} s (${scope.timeoutExplanation}).`,
              ),
            ),
          )
        : this.announceUnboundedWait(scope, spec, devices);
    const signal = AbortSignal.any([spec.signal, timeout.signal]);
    try {
      const request: DeviceCommandRequest = {
        devices: spec.devices,
        arrayId: spec.arrayId,
        idempotencyKey: `${scope.operationKey}/${key}`,
        context: spec.context,
        signal,
        ...(spec.onProgress ? { onProgress: spec.onProgress } : {}),
      };
      const method: (r: DeviceCommandRequest) => Promise<DeviceCommandResult> = spec.adapter[spec.command].bind(
        spec.adapter,
      );
      const result = await raceAbort(method(request), signal);
      const errors = result.devices.filter((d) => d.status === 'error');
      const warnings = result.devices.filter((d) => d.warnings.length > 0);
      record.status = errors.length > 0 ? 'error' : warnings.length > 0 ? 'warning' : 'success';
      if (errors.length > 0)
        record.message = errors.map((e) => `${e.device}: ${e.error?.description ?? 'failed'}`).join('; ');
      else if (warnings.length > 0)
        record.message = warnings.map((w) => `${w.device}: ${w.warnings.join('; ')}`).join('; ');
      return result;
    } catch (error) {
      if (spec.signal.aborted) {
        record.status = 'cancelled';
        record.message = 'cancelled';
        throw error;
      }
      const timedOut = timeout.signal.aborted;
      const drError = timedOut ? (timeout.signal.reason as DrError) : isDrError(error) ? error : undefined;
      const code = drError?.code ?? 'DR_STORAGE_ERROR';
      const description =
        drError?.message ?? `${spec.command} failed: ${error instanceof Error ? error.message : String(error)}`;
      record.status = timedOut ? 'timeout' : 'error';
      record.message = description;
      return {
        devices: spec.devices.map((device) => ({
          device,
          status: 'error' as const,
          error: {
            code,
            description,
            ...(timedOut ? { fixHint: 'Raise storage.commandTimeout, or find out why the array did not answer.' } : {}),
          },
          warnings: [],
        })),
      };
    } finally {
      cancelTimer();
      record.finishedAt = scope.report.now();
    }
  }
}

/** How often a command with no time limit is reported as still waited on (real time: it waits on the world). */
export const UNBOUNDED_WAIT_REMINDER_MS = 30_000;
/** Settles with the work, or rejects as soon as the signal aborts, even if the adapter ignores it. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The adapter saw the same aborted signal and rejects too; nobody else will listen to it.
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    // One listener on the run's signal for every command in flight (see onAbort).
    const forget = onAbort(signal, () => reject(signal.reason));
    work.then(
      (value) => {
        forget();
        resolve(value);
      },
      (error) => {
        forget();
        reject(error);
      },
    );
  });
}
