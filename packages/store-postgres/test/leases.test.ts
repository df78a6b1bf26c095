import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresStore, type HeldLease } from '../src/index.js';
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

function engines(leaseMs: number, heartbeatMs = Math.floor(leaseMs / 3)) {
  const namespace = randomUUID();
  return {
    a: new PostgresStore({ pool, namespace, engineId: 'engine-a', leaseMs, heartbeatMs }),
    b: new PostgresStore({ pool, namespace, engineId: 'engine-b', leaseMs, heartbeatMs }),
  };
}

describe('run leases', () => {
  it('stays held by heartbeat well past its duration, and refuses other engines meanwhile', async () => {
    const { a, b } = engines(300, 50);
    const lease = await a.acquire('run-r1');
    expect(lease).not.toBeNull();
    await sleep(700);
    expect(() => lease?.assertHeld()).not.toThrow();
    expect(await b.acquire('run-r1')).toBeNull();
    await lease?.release();
  });

  it('is taken over once expired; the token grows and the new lease says from whom', async () => {
    const { a, b } = engines(200, 10_000); // a heartbeat that never comes in time: a paused owner
    const first = await a.acquire('run-r1');
    expect(first?.token).toBe(1);
    expect(first?.takenFrom).toBeUndefined();
    await sleep(300);
    const second = await b.acquire('run-r1');
    expect(second?.token).toBe(2);
    expect(second?.takenFrom?.owner).toBe('engine-a');
    expect(() => first?.assertHeld()).toThrow(expect.objectContaining({ code: 'DR_LEASE_LOST' }));
    await second?.release();
    // Released, not expired: the next one takes it with no takeover to report, token still growing.
    const third = await a.acquire('run-r1');
    expect(third?.token).toBe(3);
    expect(third?.takenFrom).toBeUndefined();
    await third?.release();
  });

  it('refuses every write of the old owner after a takeover, and tells it the lease is lost', async () => {
    const { a, b } = engines(200, 10_000);
    const old = (await a.acquire('run-r1')) as HeldLease;
    const oldView = a.fenced(old);
    await oldView.write('runs/r1/snapshot', { by: 'a' });
    await oldView.append('runs/r1/journal', { by: 'a' });
    await sleep(300);
    const lost: string[] = [];
    old.onLost((reason) => lost.push(reason));
    const current = await b.acquire('run-r1');
    expect(current).not.toBeNull();
    if (!current) return;
    const newView = b.fenced(current);
    await newView.write('runs/r1/snapshot', { by: 'b' });

    // The database check alone refuses it too: renew() finds another owner.
    await old.renew();
    expect(lost).toHaveLength(1);
    for (const write of [
      () => oldView.write('runs/r1/snapshot', { by: 'zombie' }),
      () => oldView.append('runs/r1/journal', { by: 'zombie' }),
      () => oldView.delete('runs/r1'),
      () => oldView.writeAll([{ op: 'write', key: 'runs/r1/snapshot', value: 'zombie' }]),
    ]) {
      await expect(write()).rejects.toMatchObject({ code: 'DR_LEASE_LOST' });
    }
    expect(await b.read('runs/r1/snapshot')).toEqual({ by: 'b' });
    expect(await b.readLog('runs/r1/journal')).toEqual([{ by: 'a' }]);
    await current.release();
  });

  it('refuses a write whose token is stale even when the local clock still trusts it', async () => {
    const { a, b } = engines(60_000);
    const old = (await a.acquire('run-r2')) as HeldLease;
    // Another engine forced past it (an operator clearing the lease): only the database knows.
    await pool.query(`UPDATE drctl_leases SET expires_at = now() - interval '1 second' WHERE name = 'run-r2'`);
    const current = await b.acquire('run-r2');
    expect(current?.token).toBe(2);
    expect(() => old.assertHeld()).not.toThrow();
    await expect(a.fenced(old).write('runs/r2/snapshot', 1)).rejects.toMatchObject({ code: 'DR_LEASE_LOST' });
    await current?.release();
    await old.release();
  });
});

describe('expired leases', () => {
  it('lists the leases whose owner stopped renewing them, not the live or released ones', async () => {
    const { a } = engines(150, 10_000); // never renews in time: a dead engine
    const b = new PostgresStore({ pool, namespace: a.namespace, engineId: 'engine-b', leaseMs: 150, heartbeatMs: 30 });
    const dead = await a.acquire('run-dead');
    const live = await b.acquire('run-live');
    const released = await a.acquire('run-released');
    await released?.release();
    const other = await a.acquire('plan-x');
    await sleep(250);
    const expired = await b.expired('run-');
    expect(expired.map((e) => ({ name: e.name, owner: e.owner, token: e.token }))).toEqual([
      { name: 'run-dead', owner: 'engine-a', token: 1 },
    ]);
    expect(dead).not.toBeNull();
    await Promise.all([live?.release(), other?.release()]);
  });
});
