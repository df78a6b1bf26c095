import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresSlots, PostgresStore } from '../src/index.js';
import { createTestDatabase } from './support/database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 10 });
  // Dropping the database at the end terminates whatever connection is still open: expected here.
  pool.on('error', () => undefined);
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('slots shared by engines (PostgreSQL)', () => {
  it('never lets more than the limit hold a name at once, across engines', async () => {
    const namespace = randomUUID();
    const a = new PostgresStore({ pool, namespace, engineId: 'engine-a', leaseMs: 5000 }).slots;
    const b = new PostgresStore({ pool, namespace, engineId: 'engine-b', leaseMs: 5000 }).slots;
    let holding = 0;
    let peak = 0;
    const work = async (slots: typeof a) => {
      const release = await slots.acquire('storage-commands', 2);
      holding++;
      peak = Math.max(peak, holding);
      await sleep(20);
      holding--;
      await release();
    };
    await Promise.all([...Array.from({ length: 6 }, () => work(a)), ...Array.from({ length: 6 }, () => work(b))]);
    expect(peak).toBe(2);
  });

  it('frees the slot of an engine that stopped renewing it (it died) once its lease ran out', async () => {
    const namespace = randomUUID();
    // An engine whose heartbeat never runs: its slot's row expires like a dead engine's.
    const dead = new PostgresSlots(pool, () => new PostgresStore({ pool, namespace }).ready(), {
      namespace,
      engineId: 'dead',
      leaseMs: 300,
    });
    await dead.acquire('boot-host/esx1', 1);
    const alive = new PostgresStore({ pool, namespace, engineId: 'alive', leaseMs: 5000 }).slots;
    const started = Date.now();
    // Renewed every 100 ms while held: stop that the way a SIGKILL would, by emptying its rows' future.
    await pool.query("UPDATE drctl_slots SET expires_at = now() + interval '300 milliseconds' WHERE namespace = $1", [
      namespace,
    ]);
    (dead as unknown as { stopHeartbeat(): void }).stopHeartbeat();
    const release = await alive.acquire('boot-host/esx1', 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await release();
  });

  it('gives up waiting when the signal aborts', async () => {
    const namespace = randomUUID();
    const slots = new PostgresStore({ pool, namespace, engineId: 'a', leaseMs: 5000 }).slots;
    const release = await slots.acquire('storage-commands', 1);
    const controller = new AbortController();
    const waiting = slots.acquire('storage-commands', 1, controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled')), 50);
    await expect(waiting).rejects.toThrow('cancelled');
    await release();
  });
});
