import { createRequire } from 'node:module';
import type pg from 'pg';

let loaded: typeof pg | undefined;

/**
 * The `pg` driver, loaded when the first PostgreSQL store or client is made rather than when
 * drctl is imported: an engine on a state folder or in memory never opens a connection, and the
 * driver is megabytes of heap.
 */
export function pgDriver(): typeof pg {
  return (loaded ??= createRequire(import.meta.url)('pg') as typeof pg);
}
