import type { Logger } from 'pino';
import type { RunInspection } from '@drctl/inspect';
import type { Workspace } from '@drctl/runtime';
import type { InspectHub } from './inspect-hub.js';
import type { EngineRelay } from './runs/engine-relay.js';
import type { RunMonitor } from './runs/run-monitor.js';

/** What every route reaches: the workspace (replaced on reload), the run logs and the live inspection. */
export interface ServerContext {
  /** The environment, store and engine currently served. */
  workspace(): Workspace;
  /** Re-reads the environment file and reopens the engine (refused while a run is active). */
  reload(): Promise<Workspace>;
  readonly monitor: RunMonitor;
  readonly inspection: RunInspection;
  readonly hub: InspectHub;
  readonly logger: Logger;
  /** With a shared store: events and prompts of the other engines' runs. */
  relay?: EngineRelay;
  /** Streams to end when the server closes. */
  readonly streams: Set<{ end(): void }>;
}

/** Links of a run, relative to the server root. */
export function runLinks(runId: string) {
  const base = `/api/v1/runs/${encodeURIComponent(runId)}`;
  return {
    self: base,
    report: `${base}/report`,
    events: `${base}/events`,
    view: `${base}/view`,
    viewer: `/viewer/#run=${encodeURIComponent(runId)}`,
  };
}
