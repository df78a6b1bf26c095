import type { Pool, PoolClient } from 'pg';

/**
 * The schema, created or upgraded when a store starts. Each migration runs once, in order, in one
 * transaction, under an advisory lock so engines starting together do not race. Values are JSON
 * *text*, not jsonb: jsonb refuses some strings JSON allows (`\u0000`) and a value must read
 * back exactly as the file store gives it. Every row carries a namespace: one database can hold
 * several independent stores (one per state folder, or one per test).
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE drctl_documents (
     namespace text NOT NULL,
     key text NOT NULL,
     value text NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (namespace, key)
   );
   CREATE TABLE drctl_log_entries (
     namespace text NOT NULL,
     key text NOT NULL,
     seq bigserial NOT NULL,
     entry text NOT NULL,
     PRIMARY KEY (namespace, key, seq)
   );
   CREATE INDEX drctl_documents_prefix ON drctl_documents (namespace, key text_pattern_ops);
   CREATE INDEX drctl_log_entries_prefix ON drctl_log_entries (namespace, key text_pattern_ops);
   CREATE TABLE drctl_leases (
     namespace text NOT NULL,
     name text NOT NULL,
     owner text,
     token bigint NOT NULL,
     expires_at timestamptz NOT NULL,
     acquired_at timestamptz NOT NULL,
     previous_owner text,
     reason text,
     PRIMARY KEY (namespace, name)
   );
   CREATE TABLE drctl_engines (
     namespace text NOT NULL,
     engine_id text NOT NULL,
     started_at timestamptz NOT NULL,
     heartbeat_at timestamptz NOT NULL,
     details text NOT NULL DEFAULT '{}',
     PRIMARY KEY (namespace, engine_id)
   );`,
  // 2: cross-engine limits (SharedSlots): slot `slot` of `name` held by `holder` until `expires_at`.
  `CREATE TABLE drctl_slots (
     namespace text NOT NULL,
     name text NOT NULL,
     slot integer NOT NULL,
     holder text NOT NULL,
     expires_at timestamptz NOT NULL,
     PRIMARY KEY (namespace, name, slot)
   );
   CREATE INDEX drctl_slots_holder ON drctl_slots (namespace, holder);`,
];

/** Arbitrary, fixed: the advisory lock key that serialises migrations. */
const MIGRATION_LOCK = 7_263_514_209;

export async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS drctl_schema_version (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(
      'SELECT max(version) AS version FROM drctl_schema_version',
    );
    const current = rows[0]?.version ?? 0;
    for (let index = current; index < MIGRATIONS.length; index++) {
      await client.query('BEGIN');
      try {
        await client.query(MIGRATIONS[index] ?? '');
        await client.query('INSERT INTO drctl_schema_version (version) VALUES ($1)', [index + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Takes a client for a transaction. A connection the server ends meanwhile (the transaction
 * outlived idle_in_transaction_session_timeout because the engine was paused) fails the running
 * query; the client's own `error` event must not also crash the process.
 */
export async function connectForTransaction(pool: Pool): Promise<PoolClient> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.off('error', ignore);
    return release(error);
  };
  return client;
}
