import { performance } from 'node:perf_hooks';
import { DrError, type RunLease } from '@drctl/domain';
import type { Pool } from 'pg';

export interface LeaseSettings {
  /** How long a lease lasts without a heartbeat. */
  leaseMs: number;
  /** How often a held lease is renewed; a third of the lease by default. */
  heartbeatMs: number;
}

interface AcquiredRow {
  token: string;
  previous_owner: string | null;
  previous_expires_at: Date | null;
}

/**
 * Takes a lease row: inserted when new; otherwise taken only when free (released) or expired,
 * and then its token grows. Expiry is judged by the database clock, the one clock every engine
 * shares. Returns null when another owner holds it.
 */
export async function acquireLease(
  pool: Pool,
  namespace: string,
  name: string,
  owner: string,
  settings: LeaseSettings,
): Promise<HeldLease | null> {
  const started = performance.now();
  const { rows } = await pool.query<AcquiredRow>(
    `WITH before AS (
       SELECT owner, expires_at FROM drctl_leases WHERE namespace = $1 AND name = $2
     )
     INSERT INTO drctl_leases AS l (namespace, name, owner, token, expires_at, acquired_at, previous_owner, reason)
     VALUES ($1, $2, $3, 1, now() + $4 * interval '1 millisecond', now(), NULL, 'new')
     ON CONFLICT (namespace, name) DO UPDATE
       SET owner = excluded.owner,
           token = l.token + 1,
           expires_at = excluded.expires_at,
           acquired_at = now(),
           previous_owner = l.owner,
           reason = CASE WHEN l.owner IS NULL THEN 'released' ELSE 'expired' END
       WHERE l.owner IS NULL OR l.expires_at < now()
     RETURNING l.token::text AS token,
       (SELECT owner FROM before) AS previous_owner,
       (SELECT expires_at FROM before) AS previous_expires_at`,
    [namespace, name, owner, settings.leaseMs],
  );
  const row = rows[0];
  if (!row) return null;
  const takenFrom =
    row.previous_owner !== null && row.previous_expires_at !== null
      ? { owner: row.previous_owner, expiredAt: row.previous_expires_at.toISOString() }
      : undefined;
  return new HeldLease(pool, namespace, name, owner, Number(row.token), takenFrom, settings, started);
}

/** Who holds a lease now, for refusal messages. */
export async function leaseHolder(
  pool: Pool,
  namespace: string,
  name: string,
): Promise<{ owner: string; expiresAt: string } | undefined> {
  const { rows } = await pool.query<{ owner: string | null; expires_at: Date }>(
    'SELECT owner, expires_at FROM drctl_leases WHERE namespace = $1 AND name = $2',
    [namespace, name],
  );
  const row = rows[0];
  return row?.owner ? { owner: row.owner, expiresAt: row.expires_at.toISOString() } : undefined;
}

/**
 * A lease this process holds, renewed by a heartbeat until released or lost. `assertHeld` trusts
 * only the local monotonic clock measured from the start of the last successful renewal: a
 * process paused past its lease (SIGSTOP, a long GC, a VM freeze) finds it expired the moment it
 * runs again, before any database round trip.
 */
export class HeldLease implements RunLease {
  private validUntil: number;
  private lostReason: string | undefined;
  private released = false;
  private readonly listeners: Array<(reason: string) => void> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly namespace: string,
    readonly name: string,
    readonly owner: string,
    readonly token: number,
    readonly takenFrom: { owner: string; expiredAt: string } | undefined,
    private readonly settings: LeaseSettings,
    acquiredAt: number,
  ) {
    this.validUntil = acquiredAt + settings.leaseMs;
    this.timer = setInterval(() => void this.renew(), settings.heartbeatMs);
    this.timer.unref();
  }

  get held(): boolean {
    return !this.released && this.lostReason === undefined && performance.now() < this.validUntil;
  }

  assertHeld(): void {
    if (this.released) throw this.lostError('it was released');
    if (this.lostReason === undefined && performance.now() >= this.validUntil) {
      this.markLost(`not renewed within ${this.settings.leaseMs} ms`);
    }
    if (this.lostReason !== undefined) throw this.lostError(this.lostReason);
  }

  onLost(listener: (reason: string) => void): void {
    this.listeners.push(listener);
  }

  /** Extends the lease if this owner and token still hold it; otherwise marks it lost. */
  async renew(): Promise<void> {
    if (this.released || this.lostReason !== undefined) return;
    if (performance.now() >= this.validUntil) {
      this.markLost(`not renewed within ${this.settings.leaseMs} ms`);
      return;
    }
    const started = performance.now();
    try {
      const { rowCount } = await this.pool.query(
        `UPDATE drctl_leases SET expires_at = now() + $5 * interval '1 millisecond'
         WHERE namespace = $1 AND name = $2 AND owner = $3 AND token = $4`,
        [this.namespace, this.name, this.owner, this.token, this.settings.leaseMs],
      );
      if (rowCount === 1) this.validUntil = started + this.settings.leaseMs;
      else if (!this.released) this.markLost('another engine took it over');
    } catch {
      // The database is unreachable: the lease runs out on its own (assertHeld) unless a later
      // heartbeat gets through in time.
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    await this.pool.query(
      `UPDATE drctl_leases SET owner = NULL, expires_at = now()
       WHERE namespace = $1 AND name = $2 AND owner = $3 AND token = $4`,
      [this.namespace, this.name, this.owner, this.token],
    );
    // Wakes the engines watching for free leases at once (PostgresBroadcast's topic `leases`).
    await this.pool
      .query('SELECT pg_notify($1, $2)', [
        'drctl_leases',
        JSON.stringify({ ns: this.namespace, m: { name: this.name, released: true } }),
      ])
      .catch(() => undefined);
  }

  lostError(reason: string): DrError {
    return new DrError(
      'DR_LEASE_LOST',
      `Engine ${this.owner} no longer holds ${this.name} (token ${this.token}): ${reason}.`,
      { details: { lease: this.name, owner: this.owner, token: this.token } },
    );
  }

  private markLost(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    clearInterval(this.timer);
    for (const listener of this.listeners) listener(reason);
  }
}
