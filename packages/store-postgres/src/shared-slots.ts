import { randomUUID } from 'node:crypto';
import { abortReason, onAbort, type SharedSlots } from '@drctl/domain';
import type { Pool } from 'pg';
import { connectForTransaction } from './schema.js';

export interface PostgresSlotsOptions {
  namespace: string;
  /** This engine's id; the holder of a slot is `<engineId>/<instance>/<n>`. */
  engineId: string;
  /** How long a slot stays held without a heartbeat (the holder died or lost the database). */
  leaseMs: number;
  /** The longest pause before a request for a full name is tried again (pauses double from 5 ms). @default 50 */
  pollMs?: number;
  /** Wraps each transaction and statement (not the pauses between): see `PostgresStoreOptions.track`. */
  track?: <T>(work: Promise<T>) => Promise<T>;
}

/** A request waiting for a slot of `name`. */
interface Waiting {
  name: string;
  limit: number;
  grant: (giveBack: () => Promise<void>) => void;
  fail: (error: unknown) => void;
}

/**
 * SharedSlots in PostgreSQL: a row per held slot (`drctl_slots`), taken in a transaction that
 * first takes an advisory lock on each name (so two engines never count the same free slot), and
 * renewed by one heartbeat per engine for all its slots. A row whose holder stopped renewing it
 * counts as free: the limit frees itself when an engine dies mid-command.
 *
 * An engine asks for a slot per VM it boots or shuts down, and a power-on wave asks for
 * thousands at once (every host's and cluster's first slots): every request waiting when a
 * transaction starts is served by that one transaction, and slots given back within one turn of
 * the event loop are deleted by one statement. A transaction per request made a 10,000-VM run
 * on PostgreSQL five times slower than in memory.
 */
export class PostgresSlots implements SharedSlots {
  private readonly instance = `${randomUUID().slice(0, 8)}`;
  private held = 0;
  private batches = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly waiting = new Set<Waiting>();
  private taking = false;
  /** Ends the pause between two transactions early: a new request came. */
  private wake: (() => void) | undefined;
  private toDelete: Array<{ holder: string; done: () => void; fail: (error: unknown) => void }> = [];

  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
    private readonly options: PostgresSlotsOptions,
  ) {}

  private tracked<T>(work: Promise<T>): Promise<T> {
    return this.options.track ? this.options.track(work) : work;
  }

  private get holderPrefix(): string {
    return `${this.options.engineId}/${this.instance}/`;
  }

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    await this.ready();
    if (signal?.aborted) throw abortReason(signal);
    return new Promise((resolve, reject) => {
      const forget = signal ? onAbort(signal, () => withdraw(abortReason(signal))) : () => undefined;
      const request: Waiting = {
        name,
        limit,
        grant: (giveBack) => {
          forget();
          resolve(giveBack);
        },
        fail: (error) => {
          forget();
          reject(error);
        },
      };
      const withdraw = (reason: unknown) => {
        if (this.waiting.delete(request)) request.fail(reason);
      };
      this.waiting.add(request);
      this.wake?.();
      if (!this.taking) void this.takeWhileWaiting();
    });
  }

  /** Serves the waiting requests, a transaction for all of them at a time, until none is left. */
  private async takeWhileWaiting(): Promise<void> {
    this.taking = true;
    let pause = 5;
    try {
      while (this.waiting.size > 0) {
        const batch = [...this.waiting];
        let granted: Array<{ name: string; holder: string }>;
        try {
          granted = await this.tracked(this.take(batch));
        } catch (error) {
          for (const request of batch) if (this.waiting.delete(request)) request.fail(error);
          continue;
        }
        // Each name's grants go to its requests in the order they came (a wave is thousands).
        const byName = new Map<string, Waiting[]>();
        for (const request of batch) {
          if (!this.waiting.has(request)) continue;
          const queue = byName.get(request.name);
          if (queue) queue.push(request);
          else byName.set(request.name, [request]);
        }
        for (const { name, holder } of granted) {
          // The map holds only requests still waiting, and nothing between here and there withdraws one.
          const request = byName.get(name)?.shift();
          if (!request) {
            // Its request was withdrawn while the transaction ran: the slot goes straight back.
            void this.giveBack(holder).catch(() => undefined);
            continue;
          }
          this.waiting.delete(request);
          this.held++;
          this.startHeartbeat();
          request.grant(this.giveBackOnce(holder));
        }
        if (this.waiting.size === 0) break;
        // Requests that came while the transaction ran were not tried yet: at once.
        const tried = new Set(batch);
        if ([...this.waiting].some((request) => !tried.has(request))) {
          pause = 5;
          continue;
        }
        if (granted.length > 0) pause = 5;
        // Full names: look again after a pause (longer each time), or as soon as a new request comes.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        pause = Math.min(this.options.pollMs ?? 50, pause * 2);
      }
    } finally {
      this.taking = false;
    }
  }

  /** In one transaction, the lowest free slots of each name, as many as its requests ask for. */
  private async take(batch: readonly Waiting[]): Promise<Array<{ name: string; holder: string }>> {
    const wanted = new Map<string, { limit: number; count: number }>();
    for (const { name, limit } of batch) {
      const entry = wanted.get(name);
      // Requests of one name share its limit; should two differ, the lower one holds.
      if (entry) {
        entry.count++;
        entry.limit = Math.min(entry.limit, limit);
      } else wanted.set(name, { limit, count: 1 });
    }
    const names = [...wanted.keys()];
    const client = await connectForTransaction(this.pool);
    try {
      await client.query('BEGIN');
      // Each name's lock, in the order of the lock keys: two engines never wait on each other.
      await client.query(
        `SELECT count(pg_advisory_xact_lock(key)) FROM (
           SELECT hashtextextended(lock, 1) AS key FROM unnest($1::text[]) AS lock ORDER BY key
         ) AS ordered`,
        [names.map((name) => JSON.stringify([this.options.namespace, 'slots', name]))],
      );
      // Per name, the lowest slot numbers free (never held, or their holder stopped renewing them).
      const { rows } = await client.query<{ name: string; holder: string }>(
        `WITH wanted AS (
           SELECT * FROM unnest($2::text[], $3::int[], $4::int[]) AS w(name, lim, count)
         ), free AS (
           SELECT w.name, n, w.count, row_number() OVER (PARTITION BY w.name ORDER BY n) AS rank
           FROM wanted w, generate_series(0, w.lim - 1) AS n
           WHERE NOT EXISTS (
             SELECT 1 FROM drctl_slots t
             WHERE t.namespace = $1 AND t.name = w.name AND t.slot = n AND t.expires_at >= now()
           )
         )
         INSERT INTO drctl_slots AS s (namespace, name, slot, holder, expires_at)
         SELECT $1, name, n, $5 || n || '/' || name, now() + $6 * interval '1 millisecond'
         FROM free WHERE rank <= count
         ON CONFLICT (namespace, name, slot) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         RETURNING s.name, s.holder`,
        [
          this.options.namespace,
          names,
          names.map((name) => wanted.get(name)!.limit),
          names.map((name) => wanted.get(name)!.count),
          `${this.holderPrefix}${++this.batches}/`,
          this.options.leaseMs,
        ],
      );
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private giveBackOnce(holder: string): () => Promise<void> {
    let given: Promise<void> | undefined;
    return () => {
      if (!given) {
        if (--this.held === 0) this.stopHeartbeat();
        given = this.giveBack(holder);
      }
      return given;
    };
  }

  /** Deletes the slot's row, with every other slot given back in the same turn of the event loop. */
  private giveBack(holder: string): Promise<void> {
    return new Promise((done, fail) => {
      if (this.toDelete.length === 0) setImmediate(() => void this.deleteGivenBack());
      this.toDelete.push({ holder, done, fail });
    });
  }

  private async deleteGivenBack(): Promise<void> {
    const given = this.toDelete;
    this.toDelete = [];
    try {
      await this.tracked(
        this.pool.query('DELETE FROM drctl_slots WHERE namespace = $1 AND holder = ANY($2::text[])', [
          this.options.namespace,
          given.map((g) => g.holder),
        ]),
      );
      for (const g of given) g.done();
    } catch (error) {
      for (const g of given) g.fail(error);
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
