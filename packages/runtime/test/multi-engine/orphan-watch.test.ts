import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createScratchDatabase, PostgresStore, type ScratchDatabase } from '@drctl/store-postgres';
import { openStore, watchOrphanedRuns } from '../../src/index.js';

let database: ScratchDatabase;

beforeAll(async () => {
  const url = process.env['DRCTL_TEST_PG_URL'];
  if (!url) throw new Error('DRCTL_TEST_PG_URL is not set: jest globalSetup did not start PostgreSQL.');
  database = await createScratchDatabase(url, 'drctl_test');
});

afterAll(async () => {
  await database.drop();
});

describe('the orphaned-run watcher on PostgreSQL', () => {
  it('wakes when the soonest lease runs out, not at its next poll', async () => {
    // An engine whose heartbeat never comes in time: its 400 ms lease simply runs out.
    const dying = new PostgresStore({ url: database.url, engineId: 'site-a', leaseMs: 400, heartbeatMs: 60_000 });
    const watching = openStore({ store: database.url, engineId: 'site-b', leaseMs: 400 }, '');
    try {
      const lease = await dying.acquire('run-r1');
      expect(lease).not.toBeNull();
      const acquiredAt = Date.now();
      const found = new Promise<{ runIds: string[]; after: number }>((resolve) => {
        const watcher = watchOrphanedRuns(() => watching.ownership, {
          // A poll far in the future: only the expiry wake (or NOTIFY) can find it in time.
          intervalMs: 60_000,
          logger: pino({ level: 'silent' }),
          ...(watching.broadcast ? { broadcast: watching.broadcast } : {}),
          ...(watching.nextExpiryMs ? { nextExpiryMs: watching.nextExpiryMs } : {}),
          onOrphans: async (orphans) => {
            resolve({ runIds: orphans.map((o) => o.runId), after: Date.now() - acquiredAt });
            await watcher.stop();
          },
        });
      });
      const { runIds, after } = await found;
      expect(runIds).toEqual(['r1']);
      expect(after).toBeGreaterThanOrEqual(400);
      expect(after).toBeLessThan(5_000);
    } finally {
      await dying.close();
      await watching.close();
    }
  });
});
