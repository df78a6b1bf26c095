import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunReport } from '@drctl/domain';
import { createScratchDatabase, type ScratchDatabase } from '@drctl/store-postgres';
import { drctl, ensureBuilt, jsonLines, startDrctl, tempDir, TECHSOL, type RunningCli } from './support/cli-process.js';

const PLAN = 'Protect vcsite1';
const LEASE = { DRCTL_LEASE_MS: '2000' };
const dirs: string[] = [];
const servers: RunningCli[] = [];
let database: ScratchDatabase;

function stateDir(): string {
  const dir = tempDir('multi-engine');
  dirs.push(dir);
  return dir;
}

/** The PostgreSQL jest's globalSetup started (scripts/jest/postgres-setup.mjs). */
function testPostgresUrl(): string {
  const url = process.env['DRCTL_TEST_PG_URL'];
  if (!url) throw new Error('DRCTL_TEST_PG_URL is not set: jest globalSetup did not start PostgreSQL.');
  return url;
}

beforeAll(async () => {
  ensureBuilt();
  database = await createScratchDatabase(testPostgresUrl(), 'drctl_test');
});

afterAll(async () => {
  for (const server of servers) server.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.done.catch(() => undefined)));
  await database.drop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

async function history(): Promise<Array<{ runId: string; result: string }>> {
  const listed = await drctl(['history', '--store', database.url, '--json']);
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout) as Array<{ runId: string; result: string }>;
}

describe('drctl with engines sharing a PostgreSQL store', () => {
  it('serve --engine-id takes over and finishes a run whose engine was killed', async () => {
    const server = startDrctl(
      [
        'serve',
        '--env',
        TECHSOL,
        '--simulate',
        '--store',
        database.url,
        '--engine-id',
        'site-b',
        '--port',
        '0',
        '--json',
      ],
      { env: { DRCTL_API_TOKEN: 'e2e-secret', ...LEASE }, timeoutMs: 120_000 },
    );
    servers.push(server);
    const { url } = JSON.parse(await server.waitForLine((l) => l.includes('"type":"listening"'))) as { url: string };
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${url}/api/v1${path}`, {
        ...init,
        headers: { authorization: 'Bearer e2e-secret', 'content-type': 'application/json' },
      });

    const crashed = await drctl(
      [
        'run',
        'disaster-recovery',
        '--env',
        TECHSOL,
        '--plan',
        PLAN,
        '--simulate',
        '--answer',
        'ok',
        '--state-dir',
        stateDir(),
        '--store',
        database.url,
        '--engine-id',
        'site-a',
        '--json',
        '--inject',
        'crash-after:sync-storage',
      ],
      { env: LEASE },
    );
    expect(crashed.signal).toBe('SIGKILL');
    const runId = jsonLines<{ runId: string }>(crashed.stdout)[0]?.runId;
    expect(runId).toBeDefined();

    let result = '';
    for (let waited = 0; waited < 80_000 && result !== 'success'; waited += 500) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The run's prompts are answered through the engine that now drives it.
      const { prompts } = (await (await api('/prompts')).json()) as { prompts: Array<{ promptId: string }> };
      for (const prompt of prompts) {
        await api(`/prompts/${encodeURIComponent(prompt.promptId)}/answer`, {
          method: 'POST',
          body: JSON.stringify({ answer: 'ok' }),
        });
      }
      result = (await history()).find((r) => r.runId === runId)?.result ?? '';
    }
    expect(result).toBe('success');
    const shown = await drctl(['history', '--store', database.url, '--run', String(runId), '--json']);
    const report = JSON.parse(shown.stdout) as RunReport;
    expect(report.notes.join('\n')).toMatch(/engine site-b took the run over .* from engine site-a/);
    expect(report.steps.find((s) => s.id === 'sync-storage' && s.target === undefined)?.engine).toBe('site-a');
    expect(report.steps.find((s) => s.id === 'power-on-priority-1' && s.target === undefined)?.engine).toBe('site-b');

    const status = await drctl(['status', '--env', TECHSOL, '--store', database.url, '--plan', PLAN, '--json']);
    expect(JSON.parse(status.stdout).plans[0]).toMatchObject({ state: 'recovery-complete', activeRunId: null });

    // The API lists the engines too: the serving one alive, the killed one silent, no run owned.
    const listed = (await (await api('/engines')).json()) as {
      shared: boolean;
      self: string;
      engines: Array<{ engineId: string; alive: boolean; runs: unknown[] }>;
    };
    expect(listed).toMatchObject({ shared: true, self: 'site-b' });
    expect(listed.engines.find((e) => e.engineId === 'site-b')).toMatchObject({ alive: true, runs: [] });
    expect(listed.engines.find((e) => e.engineId === 'site-a')).toMatchObject({ alive: false, runs: [] });
  }, 120_000);

  it('starts one run when two engines start the same plan at once', async () => {
    const start = (engineId: string) =>
      drctl(
        [
          'run',
          'test',
          '--env',
          TECHSOL,
          '--plan',
          'Protect vcsite2',
          '--simulate',
          '--answer',
          'ok',
          '--state-dir',
          stateDir(),
          '--store',
          database.url,
          '--engine-id',
          engineId,
          '--json',
        ],
        { env: LEASE },
      );
    const outcomes = await Promise.all([start('site-a'), start('site-b')]);
    const runs = (await history()).filter((r) => r.runId.includes('protect-vcsite2-test'));
    expect(runs).toHaveLength(1);
    // One engine ran it; the other was refused (exit 2) and started nothing.
    expect(outcomes.filter((o) => o.code === 2)).toHaveLength(1);
    expect(outcomes.filter((o) => o.code === 0 || o.code === 1)).toHaveLength(1);
  });

  it('drctl engines lists each engine, its heartbeat and the run it still owns after dying', async () => {
    // No engine watches this time: the first test's server would take the run over.
    for (const server of servers.splice(0)) {
      server.kill('SIGKILL');
      await server.done.catch(() => undefined);
    }
    const crashed = await drctl(
      [
        'run',
        // The previous test left the plan test-complete: its cleanup is the run that dies here.
        'cleanup',
        '--env',
        TECHSOL,
        '--plan',
        'Protect vcsite2',
        '--simulate',
        '--answer',
        'ok',
        '--state-dir',
        stateDir(),
        '--store',
        database.url,
        '--engine-id',
        'site-c',
        '--json',
        '--inject',
        'crash-after:power-off-test-vms',
      ],
      { env: LEASE },
    );
    expect(crashed.signal).toBe('SIGKILL');
    const runId = jsonLines<{ runId: string }>(crashed.stdout)[0]?.runId;
    // Past its lease (2 s): nobody watches, so the run stays with its dead owner, expired.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const json = await drctl(['engines', '--store', database.url, '--json'], { env: LEASE });
    expect(json.code).toBe(0);
    const { engines } = JSON.parse(json.stdout) as {
      engines: Array<{
        engineId: string;
        alive: boolean;
        heartbeatAt: string;
        runs: Array<{ runId: string; expired: boolean }>;
      }>;
    };
    const dead = engines.find((e) => e.engineId === 'site-c');
    expect(dead).toMatchObject({ alive: false, runs: [{ runId, expired: true }] });
    expect(Date.parse(dead!.heartbeatAt)).toBeGreaterThan(0);
    const text = await drctl(['engines', '--store', database.url], { env: LEASE });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`site-c\\s+silent\\s+.*${runId} \\(lease expired: waiting for a takeover\\)`),
    );
    const refused = await drctl(['engines']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--store');
  });
});
