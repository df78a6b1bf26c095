import { afterAll, describe, expect, it } from '@jest/globals';
import { startServer, type RunningServer } from '../src/index.js';
import { removeTempDirs, smallEnvironmentFile } from './support/environments.js';
import { call, readEvents, waitFor } from './support/http.js';

const SECRET = 'multi-engine-secret-0123456789';

/**
 * The PostgreSQL jest's globalSetup started for this jest run (scripts/jest/postgres-setup.mjs);
 * its own database, which no other test file uses (they make scratch databases).
 */
function testPostgresUrl(): string {
  const url = process.env['DRCTL_TEST_PG_URL'];
  if (!url) throw new Error('DRCTL_TEST_PG_URL is not set: jest globalSetup did not start PostgreSQL.');
  return url;
}

afterAll(removeTempDirs);

function serve(environmentPath: string, stateDir: string, engineId: string, token: string): Promise<RunningServer> {
  return startServer({
    environmentPath,
    stateDir,
    port: 0,
    tokens: [{ name: token, secret: SECRET }],
    workspace: { store: testPostgresUrl(), engineId, leaseMs: 3000 },
  });
}

describe('servers of two engines sharing PostgreSQL', () => {
  it("streams a run's events and answers its prompt through the engine that does not drive it", async () => {
    const { environmentPath, stateDir, plan } = smallEnvironmentFile();
    const siteA = await serve(environmentPath, stateDir, 'site-a', 'ops-a');
    const siteB = await serve(environmentPath, `${stateDir}-b`, 'site-b', 'ops-b');
    try {
      const started = await call<{ runId: string }>(siteA.url, '/api/v1/runs', {
        token: SECRET,
        body: { plan, workflow: 'test' },
      });
      expect(started.status).toBe(202);
      const runId = started.body.runId;
      // Site B lists the prompt site A's run waits on...
      const prompt = await waitFor(async () => {
        const listed = await call<{ prompts: Array<{ promptId: string; runId: string }> }>(
          siteB.url,
          '/api/v1/prompts',
          { token: SECRET },
        );
        return listed.body.prompts.find((p) => p.runId === runId);
      }, 'the prompt through site B');
      expect(siteB.workspace().engine.activeRuns()).not.toContain(runId);
      // ...follows the run's events, and answers the prompt: site A's run goes on to its end.
      const events = readEvents(`${siteB.url}/api/v1/runs/${encodeURIComponent(runId)}/events`, SECRET, {
        timeoutMs: 40_000,
      });
      const answered = await call(siteB.url, `/api/v1/prompts/${encodeURIComponent(prompt.promptId)}/answer`, {
        token: SECRET,
        body: { answer: 'answered at site B' },
      });
      expect(answered.status).toBe(200);
      const seen = await events;
      expect(seen.map((e) => e.event)).toContain('prompt-answered');
      expect(JSON.parse(seen.at(-1)!.data)).toMatchObject({ type: 'run-finished', runId, result: 'success' });

      const report = await call<{ result: string; prompts: Array<{ answeredBy?: string; answer?: string }> }>(
        siteA.url,
        `/api/v1/runs/${encodeURIComponent(runId)}/report`,
        { token: SECRET },
      );
      expect(report.body.result).toBe('success');
      expect(report.body.prompts.at(-1)).toMatchObject({ answeredBy: 'ops-b', answer: 'answered at site B' });
    } finally {
      await siteB.close();
      await siteA.close();
    }
  }, 60_000);
});
