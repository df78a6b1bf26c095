import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { pgDriver } from './pg-driver.js';

export interface ScratchDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Drops it, closing whatever connections are left. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a unique name in the server `adminUrl` points at (tests, trial
 * runs); `drop` removes it. The schema is created by the first store that uses it.
 */
export async function createScratchDatabase(adminUrl: string, prefix = 'drctl_scratch'): Promise<ScratchDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix))
    throw new Error(`Database name prefix ${JSON.stringify(prefix)} is not a plain SQL name.`);
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withClient(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new (pgDriver().Client)({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
