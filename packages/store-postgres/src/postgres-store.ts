import { hostname } from 'node:os';
import {
  DrError,
  type Broadcast,
  type DocumentStore,
  type EngineRecord,
  type EngineRegistry,
  type ExpiredLease,
  type RunLease,
  type RunOwnership,
  type SharedSlots,
  type StoreOperation,
} from '@drctl/domain';
import { childKey, decodeJson, encodeJson, keySegments, normalizePrefix, validateKey } from '@drctl/store';
import type pg from 'pg';
import { acquireLease, HeldLease, leaseHolder, type LeaseSettings } from './leases.js';
import { listEngines, registerEngine } from './engines.js';
import { PostgresBroadcast } from './notifications.js';
import { connectForTransaction, migrate } from './schema.js';
import { PostgresSlots } from './shared-slots.js';
import { pgDriver } from './pg-driver.js';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db`; or give `pool`. */
  url?: string;
  pool?: pg.Pool;
  /** Independent stores in one database; `default` unless set. */
  namespace?: string;
  /** This engine's id in leases (locks and run ownership). @default `<hostname>:<pid>` */
  engineId?: string;
  /** @default 15000 */
  leaseMs?: number;
  /** @default leaseMs / 3 */
  heartbeatMs?: number;
  /**
   * Wraps each transaction the shared slots send (not their pauses while a name is full): a
   * simulation under virtual time passes its clock's `track`, so time stands still while the
   * database answers, as it would in memory. @default the work itself
   */
  track?: <T>(work: Promise<T>) => Promise<T>;
}

export interface PostgresLockOptions {
  /** How long to wait for a held lock before refusing. @default 0 */
  waitMs?: number;
  /** @default 50 */
  pollMs?: number;
}

const migrations = new WeakMap<pg.Pool, Promise<void>>();
/**
 * Updates of one key queue here, per pool, before taking a connection: a waiting update must not
 * hold a connection the running one's change may need (it may read and write other documents).
 */
const updateQueues = new WeakMap<pg.Pool, Map<string, Promise<unknown>>>();

/**
 * The DocumentStore on PostgreSQL, for several engines sharing one state. Documents and log
 * entries are rows of JSON text; the schema is created or upgraded on first use. Locks are
 * leases (renewed by heartbeat, taken over once expired), so a lock held by a dead or paused
 * engine frees itself. A view fenced by a lease (`fenced`) makes every write conditional, in the
 * same statement, on the lease still having its token: an engine that lost a run writes nothing.
 */
export class PostgresStore implements DocumentStore, RunOwnership, EngineRegistry {
  readonly engineId: string;
  readonly namespace: string;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly leaseSettings: LeaseSettings;
  /** The lease this view's writes depend on (a view from `fenced`); none for the plain store. */
  private readonly fence: { lease: RunLease } | undefined;
  private readonly track: (<T>(work: Promise<T>) => Promise<T>) | undefined;

  constructor(options: PostgresStoreOptions, fencedBy?: RunLease) {
    if (!options.pool && !options.url) {
      throw new DrError('DR_INPUT_INVALID', 'The PostgreSQL store needs a connection URL.', {
        issues: [{ path: 'store', message: 'missing postgres:// URL' }],
      });
    }
    this.pool =
      options.pool ??
      new (pgDriver().Pool)({
        connectionString: options.url,
        max: 10,
        allowExitOnIdle: true,
        // A paused engine must not hold a transaction (and its FOR SHARE on a lease) for ever.
        options: `-c idle_in_transaction_session_timeout=${options.leaseMs ?? 15_000}`,
      });
    this.ownsPool = options.pool === undefined;
    this.url = options.url;
    this.namespace = options.namespace ?? 'default';
    this.engineId = options.engineId ?? `${hostname()}:${process.pid}`;
    const leaseMs = options.leaseMs ?? 15_000;
    this.leaseSettings = { leaseMs, heartbeatMs: options.heartbeatMs ?? Math.max(10, Math.floor(leaseMs / 3)) };
    this.fence = fencedBy ? { lease: fencedBy } : undefined;
    this.track = options.track;
    // An idle client losing its connection (the server restarting) must not crash the process.
    if (this.ownsPool) this.pool.on('error', () => undefined);
  }

  /** Creates or upgrades the schema once per pool; every operation waits for it. */
  ready(): Promise<void> {
    let done = migrations.get(this.pool);
    if (!done) {
      done = migrate(this.pool);
      migrations.set(this.pool, done);
      done.catch(() => migrations.delete(this.pool));
    }
    return done;
  }

  async read<T = unknown>(key: string): Promise<T | undefined> {
    validateKey(key);
    await this.ready();
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM drctl_documents WHERE namespace = $1 AND key = $2',
      [this.namespace, key],
    );
    const row = rows[0];
    return row === undefined ? undefined : decodeJson<T>(key, row.value, 'postgres');
  }

  async write(key: string, value: unknown): Promise<void> {
    validateKey(key);
    const text = encodeJson(key, value);
    await this.ready();
    await this.fenced_(
      `INSERT INTO drctl_documents (namespace, key, value, updated_at)
       SELECT $1, $2, $3, now() FROM fence
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
      [this.namespace, key, text],
      key,
    );
  }

  async append(key: string, entry: unknown): Promise<void> {
    validateKey(key);
    const text = encodeJson(key, entry);
    await this.ready();
    await this.fenced_(
      'INSERT INTO drctl_log_entries (namespace, key, entry) SELECT $1, $2, $3 FROM fence',
      [this.namespace, key, text],
      key,
    );
  }

  async readLog<T = unknown>(key: string): Promise<T[]> {
    validateKey(key);
    await this.ready();
    const { rows } = await this.pool.query<{ entry: string }>(
      'SELECT entry FROM drctl_log_entries WHERE namespace = $1 AND key = $2 ORDER BY seq',
      [this.namespace, key],
    );
    return rows.map((row) => decodeJson<T>(key, row.entry, 'postgres log'));
  }

  async list(prefix: string): Promise<string[]> {
    const folder = normalizePrefix(prefix);
    await this.ready();
    const start = folder === '' ? '' : `${folder}/`;
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT DISTINCT split_part(substr(key, $3), '/', 1) AS name FROM (
         SELECT key FROM drctl_documents WHERE namespace = $1 AND starts_with(key, $2)
         UNION ALL
         SELECT key FROM drctl_log_entries WHERE namespace = $1 AND starts_with(key, $2)
       ) AS keys`,
      [this.namespace, start, start.length + 1],
    );
    // Sorted here, by UTF-16 code units like the other stores, not by the database's collation.
    return rows
      .map((row) => row.name)
      .sort()
      .map((name) => childKey(folder, name));
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.ready();
    await this.transaction(async (client) => {
      await this.checkFence(client);
      for (const table of ['drctl_documents', 'drctl_log_entries']) {
        await client.query(`DELETE FROM ${table} WHERE namespace = $1 AND (key = $2 OR starts_with(key, $3))`, [
          this.namespace,
          key,
          `${key}/`,
        ]);
      }
    });
  }

  /**
   * Atomic read-modify-write: one transaction holds a lock on the key (an advisory lock, so a key
   * with no row yet is locked too) from the read to the write; a change that throws, or a process
   * that dies inside, writes nothing.
   */
  async update<T = unknown>(key: string, change: (current: T | undefined) => T | Promise<T>): Promise<T> {
    validateKey(key);
    await this.ready();
    let queues = updateQueues.get(this.pool);
    if (!queues) {
      queues = new Map();
      updateQueues.set(this.pool, queues);
    }
    const queueKey = JSON.stringify([this.namespace, key]);
    const before = queues.get(queueKey) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => this.updateNow(key, change));
    const tail = mine.catch(() => undefined);
    queues.set(queueKey, tail);
    void tail.then(() => {
      if (queues.get(queueKey) === tail) queues.delete(queueKey);
    });
    return mine;
  }

  private async updateNow<T>(key: string, change: (current: T | undefined) => T | Promise<T>): Promise<T> {
    const client = await connectForTransaction(this.pool);
    try {
      await client.query('BEGIN');
      await this.checkFence(client);
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        JSON.stringify([this.namespace, key]),
      ]);
      const { rows } = await client.query<{ value: string }>(
        'SELECT value FROM drctl_documents WHERE namespace = $1 AND key = $2 FOR UPDATE',
        [this.namespace, key],
      );
      const row = rows[0];
      const next = await change(row === undefined ? undefined : decodeJson<T>(key, row.value, 'postgres'));
      const text = encodeJson(key, next);
      await client.query(
        `INSERT INTO drctl_documents (namespace, key, value, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
        [this.namespace, key, text],
      );
      await client.query('COMMIT');
      return decodeJson<T>(key, text, 'postgres');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Writes several documents and log entries in one transaction: all land or none (a step's
   * journal entry with the snapshot that follows it).
   */
  async writeAll(operations: readonly StoreOperation[]): Promise<void> {
    const encoded = operations.map((o) => {
      validateKey(o.key);
      return { ...o, text: encodeJson(o.key, o.op === 'write' ? o.value : o.entry) };
    });
    await this.ready();
    await this.transaction(async (client) => {
      await this.checkFence(client);
      for (const o of encoded) {
        await client.query(
          o.op === 'write'
            ? `INSERT INTO drctl_documents (namespace, key, value, updated_at) VALUES ($1, $2, $3, now())
               ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = now()`
            : 'INSERT INTO drctl_log_entries (namespace, key, entry) VALUES ($1, $2, $3)',
          [this.namespace, o.key, o.text],
        );
      }
    });
  }

  /** A cross-engine lock: a lease renewed while held, free again once released or expired. */
  async lock(name: string, options: PostgresLockOptions = {}): Promise<() => Promise<void>> {
    const lease = await this.acquireOrWait(name, options);
    return () => lease.release();
  }

  async acquire(name: string): Promise<RunLease | null> {
    keySegments(name, 'lock name');
    await this.ready();
    return acquireLease(this.pool, this.namespace, name, this.engineId, this.leaseSettings);
  }

  fenced(lease: RunLease): PostgresStore {
    return new PostgresStore(
      {
        pool: this.pool,
        namespace: this.namespace,
        engineId: this.engineId,
        leaseMs: this.leaseSettings.leaseMs,
        heartbeatMs: this.leaseSettings.heartbeatMs,
        ...(this.track ? { track: this.track } : {}),
      },
      lease,
    );
  }

  async expired(prefix: string): Promise<ExpiredLease[]> {
    await this.ready();
    const { rows } = await this.pool.query<{ name: string; owner: string; token: string; expires_at: Date }>(
      `SELECT name, owner, token::text AS token, expires_at FROM drctl_leases
       WHERE namespace = $1 AND starts_with(name, $2) AND owner IS NOT NULL AND expires_at < now()
       ORDER BY expires_at`,
      [this.namespace, prefix],
    );
    return rows.map((r) => ({
      name: r.name,
      owner: r.owner,
      token: Number(r.token),
      expiredAt: r.expires_at.toISOString(),
    }));
  }

  /** Registers this engine in `drctl_engines` and heartbeats it (what `drctl engines` lists). */
  async register(details: Record<string, unknown>): Promise<{ stop: () => Promise<void> }> {
    await this.ready();
    return registerEngine(this.pool, this.namespace, this.engineId, details, this.leaseSettings.heartbeatMs);
  }

  /** The engines of this namespace, their heartbeats and the runs they own. */
  async engines(): Promise<EngineRecord[]> {
    await this.ready();
    return listEngines(this.pool, this.namespace, this.leaseSettings.leaseMs);
  }

  private broadcastOfThisStore: PostgresBroadcast | undefined;
  private readonly url: string | undefined;

  /** Messages between the engines of this namespace (LISTEN/NOTIFY): run events, prompt answers, released leases. */
  get broadcast(): Broadcast {
    this.broadcastOfThisStore ??= new PostgresBroadcast(this.pool, this.url, this.namespace);
    return this.broadcastOfThisStore;
  }

  /**
   * When the soonest run lease still held runs out, in ms from now (by the database clock);
   * undefined when none is held. A watcher sleeps until then instead of polling blindly.
   */
  async nextExpiryMs(prefix: string): Promise<number | undefined> {
    await this.ready();
    const { rows } = await this.pool.query<{ ms: string | null }>(
      `SELECT (extract(epoch FROM min(expires_at) - now()) * 1000)::bigint::text AS ms FROM drctl_leases
       WHERE namespace = $1 AND starts_with(name, $2) AND owner IS NOT NULL AND expires_at >= now()`,
      [this.namespace, prefix],
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
  }

  private slotsOfThisStore: PostgresSlots | undefined;

  /**
   * Limits counted across every engine on this database and namespace (storage commands in
   * flight, boots per host and cluster): slots held under this engine's id, freed by expiry if
   * it dies.
   */
  get slots(): SharedSlots {
    this.slotsOfThisStore ??= new PostgresSlots(this.pool, () => this.ready(), {
      namespace: this.namespace,
      engineId: this.engineId,
      leaseMs: this.leaseSettings.leaseMs,
      ...(this.track ? { track: this.track } : {}),
    });
    return this.slotsOfThisStore;
  }

  /** Closes the connection pool when this store created it. */
  async close(): Promise<void> {
    await this.broadcastOfThisStore?.close();
    if (this.ownsPool && this.fence === undefined) await this.pool.end();
  }

  private async acquireOrWait(name: string, options: PostgresLockOptions): Promise<HeldLease> {
    const deadline = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      const lease = (await this.acquire(name)) as HeldLease | null;
      if (lease) return lease;
      if (Date.now() >= deadline) {
        const holder = await leaseHolder(this.pool, this.namespace, name);
        throw new DrError(
          'DR_OPERATION_REFUSED',
          `Lock ${name} is held by engine ${holder?.owner ?? 'unknown'} until ${holder?.expiresAt ?? 'it is released'}.`,
          { details: { lock: name, ...(holder ? { owner: holder.owner, expiresAt: holder.expiresAt } : {}) } },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 50, deadline - Date.now())));
    }
  }

  /**
   * Runs an insert whose rows come `FROM fence`: one row when unfenced or when the lease still
   * has this token (locked FOR SHARE, so a takeover waits for this write to commit), none after a
   * takeover, and then nothing is written.
   */
  private async fenced_(sql: string, params: unknown[], key: string): Promise<void> {
    if (!this.fence) {
      await this.pool.query(`WITH fence AS (SELECT 1) ${sql}`, params);
      return;
    }
    const lease = this.fence.lease;
    lease.assertHeld();
    const n = params.length;
    const { rowCount } = await this.pool.query(
      `WITH fence AS (
         SELECT 1 FROM drctl_leases WHERE namespace = $1 AND name = $${n + 1} AND owner = $${n + 2} AND token = $${n + 3}
         FOR SHARE
       ) ${sql}`,
      [...params, lease.name, lease.owner, lease.token],
    );
    if (rowCount === 0) throw this.leaseLost(lease, key);
  }

  private async checkFence(client: pg.PoolClient): Promise<void> {
    if (!this.fence) return;
    const lease = this.fence.lease;
    lease.assertHeld();
    const { rowCount } = await client.query(
      `SELECT 1 FROM drctl_leases WHERE namespace = $1 AND name = $2 AND owner = $3 AND token = $4 FOR SHARE`,
      [this.namespace, lease.name, lease.owner, lease.token],
    );
    if (rowCount === 0) throw this.leaseLost(lease, lease.name);
  }

  private leaseLost(lease: RunLease, key: string): DrError {
    return new DrError(
      'DR_LEASE_LOST',
      `Engine ${lease.owner} no longer holds ${lease.name} (token ${lease.token}); the write of ${key} was refused.`,
      { details: { lease: lease.name, owner: lease.owner, token: lease.token, key } },
    );
  }

  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await connectForTransaction(this.pool);
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
