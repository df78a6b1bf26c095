import type { EngineRecord } from '@drctl/domain';
import type { Pool } from 'pg';

const RUN_LEASE_PREFIX = 'run-';

/** Writes this engine's row (again) and renews its heartbeat until stopped; the row stays as history. */
export async function registerEngine(
  pool: Pool,
  namespace: string,
  engineId: string,
  details: Record<string, unknown>,
  heartbeatMs: number,
): Promise<{ stop: () => Promise<void> }> {
  await pool.query(
    `INSERT INTO drctl_engines (namespace, engine_id, started_at, heartbeat_at, details)
     VALUES ($1, $2, now(), now(), $3)
     ON CONFLICT (namespace, engine_id) DO UPDATE
       SET started_at = now(), heartbeat_at = now(), details = excluded.details`,
    [namespace, engineId, JSON.stringify(details)],
  );
  const beat = () =>
    pool
      .query('UPDATE drctl_engines SET heartbeat_at = now() WHERE namespace = $1 AND engine_id = $2', [
        namespace,
        engineId,
      ])
      // Unreachable database: the heartbeat ages, which is what `drctl engines` should show.
      .catch(() => undefined);
  const timer = setInterval(() => void beat(), heartbeatMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
    },
  };
}

interface EngineRow {
  engine_id: string;
  started_at: Date;
  heartbeat_at: Date;
  details: string;
  alive: boolean;
}

interface LeaseRow {
  name: string;
  owner: string;
  token: string;
  expires_at: Date;
  expired: boolean;
}

/** Every engine of a namespace with the run leases it holds; engines that own runs but never registered too. */
export async function listEngines(pool: Pool, namespace: string, leaseMs: number): Promise<EngineRecord[]> {
  const engines = await pool.query<EngineRow>(
    `SELECT engine_id, started_at, heartbeat_at, details,
            heartbeat_at > now() - $2 * interval '1 millisecond' AS alive
     FROM drctl_engines WHERE namespace = $1 ORDER BY heartbeat_at DESC, engine_id`,
    [namespace, leaseMs],
  );
  const leases = await pool.query<LeaseRow>(
    `SELECT name, owner, token::text AS token, expires_at, expires_at < now() AS expired
     FROM drctl_leases WHERE namespace = $1 AND owner IS NOT NULL AND starts_with(name, $2) ORDER BY name`,
    [namespace, RUN_LEASE_PREFIX],
  );
  const records = new Map<string, EngineRecord>();
  for (const row of engines.rows) {
    records.set(row.engine_id, {
      engineId: row.engine_id,
      startedAt: row.started_at.toISOString(),
      heartbeatAt: row.heartbeat_at.toISOString(),
      alive: row.alive,
      details: parseDetails(row.details),
      runs: [],
    });
  }
  for (const lease of leases.rows) {
    let record = records.get(lease.owner);
    if (!record) {
      // An engine from before registration existed, or one whose row was removed: still an owner.
      record = { engineId: lease.owner, startedAt: '', heartbeatAt: '', alive: false, details: {}, runs: [] };
      records.set(lease.owner, record);
    }
    record.runs.push({
      runId: lease.name.slice(RUN_LEASE_PREFIX.length),
      token: Number(lease.token),
      expiresAt: lease.expires_at.toISOString(),
      expired: lease.expired,
    });
  }
  return [...records.values()];
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
