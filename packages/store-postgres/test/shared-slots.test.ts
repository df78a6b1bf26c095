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

  it('serves a wave of requests with a few transactions, the limit of each name holding', async () => {
    const namespace = randomUUID();
    // Every connection the slots take from the pool: a transaction, or a statement of its own.
    let connections = 0;
    const counted = new pg.Pool({ connectionString: database.url, max: 10 });
    counted.on('error', () => undefined);
    const connect = counted.connect.bind(counted) as (...args: unknown[]) => unknown;
    (counted as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args) => {
      connections++;
      return connect(...args);
    };
    try {
      const engines = ['a', 'b'].map(
        (engineId) => new PostgresStore({ pool: counted, namespace, engineId, leaseMs: 5000 }).slots,
      );
      const holding = new Map<string, number>();
      const peak = new Map<string, number>();
      // 2 engines × 10 hosts × 8 VMs, 3 boots per host at a time: a power-on wave.
      const boot = async (slots: (typeof engines)[number], host: string) => {
        const release = await slots.acquire(host, 3);
        holding.set(host, (holding.get(host) ?? 0) + 1);
        peak.set(host, Math.max(peak.get(host) ?? 0, holding.get(host)!));
        await sleep(5);
        holding.set(host, holding.get(host)! - 1);
        await release();
      };
      await Promise.all(
        engines.flatMap((slots) => Array.from({ length: 80 }, (_, i) => boot(slots, `boot-host/esx${i % 10}`))),
      );
      expect([...peak.values()]).toEqual(Array.from({ length: 10 }, () => 3));
      // A transaction per request and a statement per give-back would be 320 (about 20 here).
      expect(connections).toBeLessThan(100);
      const { rows } = await counted.query('SELECT count(*)::int AS n FROM drctl_slots WHERE namespace = $1', [
        namespace,
      ]);
      expect(rows[0].n).toBe(0);
    } finally {
      await counted.end();
    }
  });

  it('grants a free name at once while another name in the same transaction is full', async () => {
    const namespace = randomUUID();
    const slots = new PostgresStore({ pool, namespace, engineId: 'a', leaseMs: 5000 }).slots;
    const full = await slots.acquire('boot-cluster/c1', 1);
    const controller = new AbortController();
    const waiting = slots.acquire('boot-cluster/c1', 1, controller.signal);
    const started = Date.now();
    const free = await slots.acquire('boot-cluster/c2', 1);
    expect(Date.now() - started).toBeLessThan(1000);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    await free();
    await full();
  });
});
