import { startServer, type RunningServer, type ServerOptions } from '../../src/index.js';
import { smallEnvironmentFile } from './environments.js';

export const ALICE = { name: 'alice', secret: 'alice-secret-0123456789' };
export const BOB = { name: 'bob', secret: 'bob-secret-9876543210' };

/** A server on a free loopback port over a fresh small environment, with two named tokens. */
export async function testServer(
  overrides: Partial<ServerOptions> = {},
): Promise<RunningServer & { plan: string; environmentPath: string; stateDir: string }> {
  const files = smallEnvironmentFile();
  const server = await startServer({
    environmentPath: files.environmentPath,
    stateDir: files.stateDir,
    port: 0,
    tokens: [ALICE, BOB],
    ...overrides,
  });
  return Object.assign(
    server,
    files,
    overrides.environmentPath ? { environmentPath: overrides.environmentPath } : {},
    overrides.stateDir ? { stateDir: overrides.stateDir } : {},
  );
}
