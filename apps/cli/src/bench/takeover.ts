import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openStore, openWorkspace, takeOverInterrupted, watchOrphanedRuns } from '@drctl/runtime';
import { createScratchDatabase } from '@drctl/store-postgres';

export interface TakeoverFigures {
  vms: number;
  /** The run lease: how long a dead owner's run waits before another engine may take it. */
  leaseMs: number;
  /** From the owner's SIGKILL (seen by its parent) to the new owner's first persisted step, real time. */
  killToFirstStepSeconds: number;
  /** Of which: from the kill to the takeover watcher finding the run orphaned. */
  killToFoundSeconds: number;
  result: string;
}

/**
 * Takeover time on PostgreSQL: an owner process runs disaster recovery and dies (SIGKILL) right
 * after sync-storage is durable; an engine in this process watches (NOTIFY on release, a timer
 * at the soonest lease expiry, polling as fallback), takes the run over and finishes it.
 */
export async function measureTakeover(
  child: string,
  adminUrl: string,
  environmentPath: string,
  vms: number,
  leaseMs: number,
): Promise<TakeoverFigures> {
  const database = await createScratchDatabase(adminUrl, 'drctl_bench');
  const dir = mkdtempSync(join(tmpdir(), 'drctl-bench-takeover-'));
  const watching = openStore({ store: database.url, engineId: 'site-b', leaseMs }, '');
  try {
    let killedAt = 0;
    let foundAt = 0;
    let firstStepAt = 0;
    const finished = new Promise<string>((resolve, reject) => {
      const watcher = watchOrphanedRuns(() => watching.ownership, {
        intervalMs: Math.max(100, Math.floor(leaseMs / 4)),
        logger: pino({ level: 'silent' }),
        ...(watching.broadcast ? { broadcast: watching.broadcast } : {}),
        ...(watching.nextExpiryMs ? { nextExpiryMs: watching.nextExpiryMs } : {}),
        onOrphans: async () => {
          if (foundAt) return;
          foundAt = performance.now();
          const ws = await openWorkspace({
            environmentPath,
            stateDir: join(dir, 'site-b'),
            store: database.url,
            engineId: 'site-b',
            leaseMs,
            onStepPersisted: () => (firstStepAt ||= performance.now()),
          });
          try {
            const [handle] = await ws.drive(takeOverInterrupted(ws, pino({ level: 'silent' })));
            if (!handle) throw new Error('the orphaned run was not taken over');
            resolve((await ws.drive(handle.done)).result);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          } finally {
            await ws.close();
            await watcher.stop();
          }
        },
      });
    });
    await new Promise<void>((resolve, reject) => {
      const owner = spawn(
        process.execPath,
        [child, String(vms), 'postgres', '--no-baselines', '--env', environmentPath],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
          env: {
            ...process.env,
            DRCTL_BENCH_PG_URL: database.url,
            DRCTL_BENCH_CRASH_AFTER: 'sync-storage',
            DRCTL_BENCH_LEASE_MS: String(leaseMs),
          },
        },
      );
      owner.on('error', reject);
      owner.on('exit', (_code, signal) => {
        killedAt = performance.now();
        if (signal === 'SIGKILL') resolve();
        else reject(new Error(`the owner did not die after sync-storage (signal ${signal})`));
      });
    });
    const result = await finished;
    return {
      vms,
      leaseMs,
      killToFirstStepSeconds: (firstStepAt - killedAt) / 1000,
      killToFoundSeconds: (foundAt - killedAt) / 1000,
      result,
    };
  } finally {
    await watching.close();
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
}
