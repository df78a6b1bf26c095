import { createScratchDatabase, type ScratchDatabase } from '../../src/index.js';

/**
 * A fresh database for one test file in the PostgreSQL that jest's globalSetup started
 * (scripts/jest/postgres-setup.mjs).
 */
export function createTestDatabase(): Promise<ScratchDatabase> {
  const adminUrl = process.env['DRCTL_TEST_PG_URL'];
  if (!adminUrl) throw new Error('DRCTL_TEST_PG_URL is not set: jest globalSetup did not start PostgreSQL.');
  return createScratchDatabase(adminUrl, 'drctl_test');
}
