import { randomUUID } from 'node:crypto';
import { abortReason, type SharedSlots } from '@drctl/domain';
import type { Pool } from 'pg';
import { connectForTransaction } from './schema.js';

export interface PostgresSlotsOptions {
  namespace: string;
  /** This engine's id; the holder of a slot is `<engineId>/<instance>/<n>`. */
  engineId: string;
  /** How long a slot stays held without a heartbeat (the holder died or lost the database). */
  leaseMs: number;
  /** How often a waiting engine looks again when no NOTIFY woke it sooner. @default 50 */
  pollMs?: number;
}

/**
 * SharedSlots in PostgreSQL: a row per held slot (`drctl_slots`), taken in a transaction that
 * first takes an advisory lock on the name (so two engines never count the same free slot), and
 * renewed by one heartbeat per engine for all its slots. A row whose holder stopped renewing it
 * counts as free: the limit frees itself when an engine dies mid-command.
 */
export class PostgresSlots implements SharedSlots {
  private readonly instance = `${randomUUID().slice(0, 8)}`;
  private held = 0;
  private seq = 0;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
    private readonly options: PostgresSlotsOptions,
  ) {}

  private get holderPrefix(): string {
    return `${this.options.engineId}/${this.instance}/`;
  }

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    await this.ready();
    const holder = `${this.holderPrefix}${++this.seq}`;
    let wait = 5;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      if (await this.tryTake(name, limit, holder)) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(this.options.pollMs ?? 50, wait * 2);
    }
    this.held++;
    this.startHeartbeat();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (--this.held === 0) this.stopHeartbeat();
      await this.pool.query('DELETE FROM drctl_slots WHERE namespace = $1 AND name = $2 AND holder = $3', [
        this.options.namespace,
        name,
        holder,
      ]);
    };
  }

  private async tryTake(name: string, limit: number, holder: string): Promise<boolean> {
    const client = await connectForTransaction(this.pool);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [
        JSON.stringify([this.options.namespace, 'slots', name]),
      ]);
      // The lowest slot number free (never held, or its holder stopped renewing it).
      const { rows } = await client.query<{ slot: number }>(
        `INSERT INTO drctl_slots AS s (namespace, name, slot, holder, expires_at)
         SELECT $1, $2, n, $3, now() + $5 * interval '1 millisecond'
         FROM generate_series(0, $4 - 1) AS n
         WHERE NOT EXISTS (
           SELECT 1 FROM drctl_slots t
           WHERE t.namespace = $1 AND t.name = $2 AND t.slot = n AND t.expires_at >= now()
         )
         ORDER BY n LIMIT 1
         ON CONFLICT (namespace, name, slot) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         RETURNING s.slot`,
        [this.options.namespace, name, holder, limit, this.options.leaseMs],
      );
      await client.query('COMMIT');
      return rows.length === 1;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    const every = Math.max(10, Math.floor(this.options.leaseMs / 3));
    this.heartbeat = setInterval(() => {
      this.pool
        .query(
          `UPDATE drctl_slots SET expires_at = now() + $3 * interval '1 millisecond'
           WHERE namespace = $1 AND starts_with(holder, $2)`,
          [this.options.namespace, this.holderPrefix, this.options.leaseMs],
        )
        // Unreachable database: the slots expire on their own, as a dead engine's do.
        .catch(() => undefined);
    }, every);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
