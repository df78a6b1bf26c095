import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh database for one test file in the PostgreSQL that jest's globalSetup started
 * (scripts/jest/postgres-setup.mjs). `drop` removes it after the file's tests.
 */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env['DRCTL_TEST_PG_URL'];
  if (!adminUrl) throw new Error('DRCTL_TEST_PG_URL is not set: jest globalSetup did not start PostgreSQL.');
  const name = `drctl_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
