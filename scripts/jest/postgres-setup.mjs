// Jest globalSetup: one throwaway PostgreSQL per jest run, for the tests that need a real one
// (each test file makes its own database in it). DRCTL_TEST_PG_URL points at an existing server
// instead. When PostgreSQL cannot start, the whole run fails here and says why.
import { startTestPostgres, stopTestPostgres } from '../test-postgres.mjs';

export default async function setup() {
  if (process.env.DRCTL_TEST_PG_URL) return;
  let started;
  try {
    started = await startTestPostgres();
  } catch (error) {
    throw new Error(`drctl tests need a throwaway PostgreSQL and it could not start: ${error.message}`, {
      cause: error,
    });
  }
  process.env.DRCTL_TEST_PG_URL = started.url;
  process.env.DRCTL_TEST_PG_DIR = started.dir;
  // Stops it even when jest exits without running globalTeardown (an error, Ctrl-C).
  const stop = () => {
    if (!process.env.DRCTL_TEST_PG_DIR) return;
    stopTestPostgres(started.dir);
    delete process.env.DRCTL_TEST_PG_DIR;
  };
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  }
}
