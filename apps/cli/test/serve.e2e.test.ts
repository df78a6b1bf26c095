import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { drctl, ensureBuilt, startDrctl, tempDir, TECHSOL } from './support/cli-process.js';

const dir = tempDir('serve');

describe('drctl serve', () => {
  beforeAll(() => ensureBuilt());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the API behind a bearer token until SIGTERM, and refuses to start without a token', async () => {
    const server = startDrctl(['serve', '--env', TECHSOL, '--simulate', '--state-dir', dir, '--port', '0', '--json'], {
      env: { DRCTL_API_TOKEN: 'e2e-secret' },
    });
    const listening = JSON.parse(await server.waitForLine((l) => l.includes('"type":"listening"'))) as {
      url: string;
      viewer: string;
    };
    const health = await fetch(`${listening.url}/api/v1/health`, { headers: { authorization: 'Bearer e2e-secret' } });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', environment: 'techsol' });
    expect((await fetch(`${listening.url}/api/v1/plans`)).status).toBe(401);
    server.kill('SIGTERM');
    const ended = await server.done;
    expect(ended.code).toBe(0);
    expect(ended.stdout.trim().split('\n').at(-1)).toBe('{"type":"stopped"}');

    const noToken = await drctl(['serve', '--env', TECHSOL, '--simulate', '--state-dir', dir, '--port', '0'], {
      env: { DRCTL_API_TOKEN: '', DRCTL_API_TOKENS: '' },
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/The API needs at least one token: set DRCTL_API_TOKEN or DRCTL_API_TOKENS/);
  });
});
