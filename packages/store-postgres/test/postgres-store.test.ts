import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresStore, SCHEMA_VERSION } from '../src/index.js';
import { describeStoreContract } from '../../store/test/store-contract.js';
import { createTestDatabase } from './support/database.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 20 });
  // Dropping the database at the end terminates whatever connection is still open: expected here.
  pool.on('error', () => undefined);
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

// Each store gets its own namespace: a fresh, empty store without a new database.
describeStoreContract('PostgresStore', () => new PostgresStore({ pool, namespace: randomUUID(), leaseMs: 5000 }));

describe('PostgresStore schema and transactions', () => {
  it('migrates once on start, even when several stores start together', async () => {
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ url: database.url, namespace: 'm' }));
    await Promise.all(stores.map((s) => s.ready()));
    const { rows } = await pool.query<{ version: number }>('SELECT version FROM drctl_schema_version ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    await Promise.all(stores.map((s) => s.close()));
  });

  it('keeps namespaces apart', async () => {
    const a = new PostgresStore({ pool, namespace: `a-${randomUUID()}` });
    const b = new PostgresStore({ pool, namespace: `b-${randomUUID()}` });
    await a.write('plans/p', 1);
    await a.append('runs/r/journal', 1);
    expect(await b.read('plans/p')).toBeUndefined();
    expect(await b.list('')).toEqual([]);
    expect(await a.list('')).toEqual(['plans', 'runs']);
  });

  it('writes a journal entry and a snapshot together or not at all', async () => {
    const store = new PostgresStore({ pool, namespace: randomUUID() });
    await store.writeAll([
      { op: 'append', key: 'operations/o/journal', entry: { t: 'step-end' } },
      { op: 'write', key: 'runs/r/snapshot', value: { step: 2 } },
    ]);
    expect(await store.readLog('operations/o/journal')).toEqual([{ t: 'step-end' }]);
    expect(await store.read('runs/r/snapshot')).toEqual({ step: 2 });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(
      store.writeAll([
        { op: 'append', key: 'operations/o/journal', entry: { t: 'second' } },
        { op: 'write', key: 'runs/r/snapshot', value: cyclic },
      ]),
    ).rejects.toMatchObject({ code: 'DR_INPUT_INVALID' });
    // A failure inside the transaction (here a value the table refuses) rolls back the entry too.
    await pool.query(
      `CREATE OR REPLACE FUNCTION drctl_test_refuse() RETURNS trigger AS $$
       BEGIN IF NEW.value = '"refused"' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await pool.query(
      'CREATE OR REPLACE TRIGGER drctl_test_refuse BEFORE INSERT OR UPDATE ON drctl_documents FOR EACH ROW EXECUTE FUNCTION drctl_test_refuse()',
    );
    try {
      await expect(
        store.writeAll([
          { op: 'append', key: 'operations/o/journal', entry: { t: 'lost' } },
          { op: 'write', key: 'runs/r/snapshot', value: 'refused' },
        ]),
      ).rejects.toThrow('refused');
    } finally {
      await pool.query('DROP TRIGGER drctl_test_refuse ON drctl_documents');
    }
    expect(await store.readLog('operations/o/journal')).toEqual([{ t: 'step-end' }]);
    expect(await store.read('runs/r/snapshot')).toEqual({ step: 2 });
  });

  it('locks across store instances (engines) and names the holder when refusing', async () => {
    const namespace = randomUUID();
    const one = new PostgresStore({ pool, namespace, engineId: 'site-a' });
    const two = new PostgresStore({ pool, namespace, engineId: 'site-b' });
    const release = await one.lock('plan-p1');
    await expect(two.lock('plan-p1')).rejects.toMatchObject({
      code: 'DR_OPERATION_REFUSED',
      message: expect.stringContaining('site-a'),
    });
    await release();
    const again = await two.lock('plan-p1');
    await again();
  });
});
