import type { Logger } from 'pino';
import type { EngineEvent, RunHandle } from '@drctl/workflows';

/** An engine event with its position in its run's stream (the SSE event id). */
export interface LoggedEvent {
  seq: number;
  event: EngineEvent;
}

interface RunLog {
  events: LoggedEvent[];
  finished: boolean;
  listeners: Set<(e: LoggedEvent) => void>;
}

export interface RunMonitorOptions {
  logger: Logger;
  /** Finished runs whose events stay in memory for late readers. @default 200 */
  keepFinished?: number;
  /** Called for every event, after it is logged (e.g. the live inspection). */
  onEvent?: (event: EngineEvent) => void;
  /** Called when a finished run's log is dropped. */
  onForget?: (runId: string) => void;
}

/**
 * Keeps every run's events in order, numbered from 1, for the server-sent-event streams: a
 * reader that connects late (or reconnects with Last-Event-ID) gets what it missed, then the
 * rest live. Logs of finished runs are dropped oldest first beyond `keepFinished`.
 */
export class RunMonitor {
  private readonly logs = new Map<string, RunLog>();
  private readonly finishedOrder: string[] = [];
  private readonly keepFinished: number;

  constructor(private readonly options: RunMonitorOptions) {
    this.keepFinished = options.keepFinished ?? 200;
  }

  readonly handle = (event: EngineEvent): void => {
    let log = this.logs.get(event.runId);
    if (!log || (event.type === 'run-started' && log.finished)) {
      log = { events: [], finished: false, listeners: log?.listeners ?? new Set() };
      this.logs.set(event.runId, log);
    }
    const logged: LoggedEvent = { seq: log.events.length + 1, event };
    log.events.push(logged);
    if (event.type === 'run-finished') {
      log.finished = true;
      this.finishedOrder.push(event.runId);
    }
    this.options.onEvent?.(event);
    for (const listener of [...log.listeners]) {
      try {
        listener(logged);
      } catch (error) {
        this.options.logger.warn({ err: error, runId: event.runId }, 'event listener failed');
      }
    }
    if (event.type === 'run-finished') this.trim();
  };

  /** Watches a run's end so a failure of the run itself reaches the log. */
  track(handle: RunHandle): void {
    handle.done.catch((error: unknown) => this.options.logger.error({ err: error, runId: handle.runId }, 'run failed'));
  }

  events(runId: string, after = 0): LoggedEvent[] | undefined {
    return this.logs.get(runId)?.events.filter((e) => e.seq > after);
  }

  isFinished(runId: string): boolean {
    return this.logs.get(runId)?.finished ?? false;
  }

  knows(runId: string): boolean {
    return this.logs.has(runId);
  }

  /** Listens to a run's next events; returns the unsubscribe function. */
  subscribe(runId: string, listener: (e: LoggedEvent) => void): () => void {
    let log = this.logs.get(runId);
    if (!log) {
      log = { events: [], finished: false, listeners: new Set() };
      this.logs.set(runId, log);
    }
    log.listeners.add(listener);
    const listeners = log.listeners;
    return () => listeners.delete(listener);
  }

  private trim(): void {
    while (this.finishedOrder.length > this.keepFinished) {
      const runId = this.finishedOrder.shift()!;
      const log = this.logs.get(runId);
      if (log && log.finished && log.listeners.size === 0) {
        this.logs.delete(runId);
        this.options.onForget?.(runId);
      }
    }
  }
}
