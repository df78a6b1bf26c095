import { takeOverInterrupted, watchOrphanedRuns, type OpenedStore } from '@drctl/runtime';
import type { ServerContext } from './context.js';

/**
 * With a store shared by several engines, the server also takes over runs whose engine stopped
 * (its lease expired). An idle engine first reopens its workspace, so a simulated world is read
 * afresh as the last owner left it; real vCenters and arrays need no such reload.
 */
export function startTakeoverWatch(
  ctx: ServerContext,
  leaseMs: number,
  shared?: OpenedStore,
): { stop: () => Promise<void> } {
  return watchOrphanedRuns(() => ctx.workspace().ownership, {
    // Woken by NOTIFY of a released lease and at the soonest expiry; the poll is the fallback.
    intervalMs: Math.max(100, Math.floor(leaseMs / 4)),
    logger: ctx.logger,
    ...(shared?.broadcast ? { broadcast: shared.broadcast } : {}),
    ...(shared?.nextExpiryMs ? { nextExpiryMs: shared.nextExpiryMs } : {}),
    onOrphans: async (orphans) => {
      ctx.logger.info({ runs: orphans.map((o) => o.runId) }, 'runs whose engine stopped renewing their lease');
      const ws = ctx.workspace().engine.activeRuns().length === 0 ? await ctx.reload() : ctx.workspace();
      for (const handle of await takeOverInterrupted(ws, ctx.logger)) ctx.monitor.track(handle);
    },
  });
}
