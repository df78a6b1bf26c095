import { isDrError, type Broadcast, type ExpiredLease, type RunOwnership } from '@drctl/domain';
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
  /**
   * Wakes the watcher as soon as a lease is released (LISTEN/NOTIFY on the topic `leases`)
   * instead of at the next poll.
   */
  broadcast?: Broadcast;
  /**
   * When the soonest lease held runs out (ms from now): the watcher also wakes right then. An
   * expiry is the absence of a heartbeat, which no NOTIFY can announce; this is its timer.
   */
  nextExpiryMs?: (prefix: string) => Promise<number | undefined>;
}

/** Past the expiry, so the database finds the lease expired (its clock, not ours). */
const EXPIRY_MARGIN_MS = 25;

/**
 * Watches the shared store for run leases that expired (their engine died, was paused past its
 * lease or lost the database) or were released, and hands them to `onOrphans`. Wakes on a
 * NOTIFY of a released lease and at the soonest expiry; polling every `intervalMs` stays as the
 * fallback (a notification lost while the listening connection was down).
 */
export function watchOrphanedRuns(
  ownership: () => RunOwnership | undefined,
  options: OrphanWatchOptions,
): { stop: () => Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let again = false;
  let stopped = false;
  let expiryTimer: NodeJS.Timeout | undefined;
  const scheduleExpiryWake = async () => {
    const ms = await options.nextExpiryMs?.(RUN_LEASE_PREFIX);
    if (ms === undefined || stopped) return;
    if (expiryTimer) clearTimeout(expiryTimer);
    expiryTimer = setTimeout(tick, ms + EXPIRY_MARGIN_MS);
    expiryTimer.unref();
  };
  const tick = () => {
    if (stopped) return;
    if (busy) {
      // A wake while looking: look once more after, so the wake is not lost.
      again = true;
      return;
    }
    const current = ownership();
    if (!current) return;
    busy = true;
    running = current
      .expired(RUN_LEASE_PREFIX)
      .then(async (expired) => {
        if (expired.length > 0 && !stopped)
          await options.onOrphans(expired.map((e) => ({ ...e, runId: e.name.slice(RUN_LEASE_PREFIX.length) })));
        await scheduleExpiryWake();
      })
      .catch((error: unknown) => options.logger.warn({ err: error }, 'looking for orphaned runs failed'))
      .finally(() => {
        busy = false;
        if (again) {
          again = false;
          tick();
        }
      });
  };
  const timer = setInterval(tick, options.intervalMs);
  const listening = options.broadcast
    ?.subscribe('leases', () => tick())
    .catch((error: unknown) => {
      options.logger.warn({ err: error }, 'cannot listen for released leases; polling only');
      return undefined;
    });
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      if (expiryTimer) clearTimeout(expiryTimer);
      await (
        await listening
      )?.();
      await running;
    },
  };
}
