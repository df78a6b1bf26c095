// Jest globalTeardown: stops and deletes the PostgreSQL that postgres-setup.mjs started.
import { stopTestPostgres } from '../test-postgres.mjs';

export default async function teardown() {
  const dir = process.env.DRCTL_TEST_PG_DIR;
  if (!dir) return;
  stopTestPostgres(dir);
  delete process.env.DRCTL_TEST_PG_DIR;
}
