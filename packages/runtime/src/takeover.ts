import { isDrError, type ExpiredLease, type RunOwnership } from '@drctl/domain';
import type { RunHandle } from '@drctl/workflows';
import type { Logger } from 'pino';
import type { Workspace } from './workspace.js';

/** Lease names of runs (see @drctl/workflows' runLeaseName). */
const RUN_LEASE_PREFIX = 'run-';

/**
 * Takes over the runs no live engine holds, exactly as `drctl resume` continues one: each
 * resumes from its snapshot and journal under a new lease of this engine (the report says from
 * which engine and why). A run another engine took first, or still holds, is left alone.
 */
export async function takeOverInterrupted(workspace: Workspace, logger: Logger): Promise<RunHandle[]> {
  const handles: RunHandle[] = [];
  for (const runId of await workspace.engine.findInterrupted()) {
    try {
      handles.push(await workspace.engine.resume(runId));
      logger.info({ runId }, 'took over a run whose engine stopped');
    } catch (error) {
      if (isDrError(error) && (error.code === 'DR_OPERATION_REFUSED' || error.code === 'DR_RUN_NOT_FOUND')) {
        logger.info({ runId, reason: error.message }, 'run not taken over');
        continue;
      }
      throw error;
    }
  }
  return handles;
}

export interface OrphanWatchOptions {
  /** How often to look; a fraction of the lease so a takeover follows an expiry closely. */
  intervalMs: number;
  /** Handles the runs found orphaned (their owner's lease expired); one call at a time. */
  onOrphans: (orphans: Array<ExpiredLease & { runId: string }>) => Promise<void>;
  logger: Logger;
}

/**
 * Polls the shared store for run leases that expired (their engine died, was paused past its
 * lease or lost the database) and hands them to `onOrphans`. Polling, not LISTEN/NOTIFY: an
 * expiry is the absence of a heartbeat, which no trigger announces.
 */
export function watchOrphanedRuns(
  ownership: () => RunOwnership | undefined,
  options: OrphanWatchOptions,
): { stop: () => Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let stopped = false;
  const tick = () => {
    if (busy || stopped) return;
    const current = ownership();
    if (!current) return;
    busy = true;
    running = current
      .expired(RUN_LEASE_PREFIX)
      .then(async (expired) => {
        if (expired.length === 0 || stopped) return;
        await options.onOrphans(expired.map((e) => ({ ...e, runId: e.name.slice(RUN_LEASE_PREFIX.length) })));
      })
      .catch((error: unknown) => options.logger.warn({ err: error }, 'looking for orphaned runs failed'))
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
