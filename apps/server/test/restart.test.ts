import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/index.js';
import { PROMPT_TEXT, removeTempDirs, smallEnvironmentFile } from './support/environments.js';
import { call, readEvents, waitFor } from './support/http.js';

const REGISTER = fileURLToPath(new URL('../../../test-support/register-ts.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/serve-child.ts', import.meta.url));
const SECRET = 'restart-secret-0123456789';

afterAll(removeTempDirs);

/** Starts a server in its own node process; resolves with its URL once it listens. */
function serveInChild(
  environmentPath: string,
  stateDir: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@drctl/source',
      '--conditions=development',
      '--import',
      REGISTER,
      CHILD,
      environmentPath,
      stateDir,
      SECRET,
    ],
    { stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server process exited (${code}) before listening: ${stderr}`)));
  });
}

describe('a run started through the API survives a server restart', () => {
  it('resumes in the next server after the first is killed, and finishes without redoing its steps', async () => {
    const { environmentPath, stateDir, plan } = smallEnvironmentFile();
    const first = await serveInChild(environmentPath, stateDir);
    const started = await call<{ runId: string }>(first.url, '/api/v1/runs', {
      token: SECRET,
      body: { plan, workflow: 'test' },
    });
    expect(started.status).toBe(202);
    const runId = started.body.runId;
    await waitFor(
      async () =>
        (await call<{ prompts: unknown[] }>(first.url, '/api/v1/prompts', { token: SECRET })).body.prompts.length > 0
          ? true
          : undefined,
      'the prompt',
    );
    const before = await call<{
      steps: Array<{ id: string; status: string; target?: string }>;
      storageCommands: unknown[];
    }>(first.url, `/api/v1/runs/${encodeURIComponent(runId)}/report`, { token: SECRET });

    // The power goes: no shutdown, no cleanup.
    const exited = new Promise((resolve) => first.child.on('exit', (_code, signal) => resolve(signal)));
    first.child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const second = await startServer({
      environmentPath,
      stateDir,
      port: 0,
      tokens: [{ name: 'night-shift', secret: SECRET }],
    });
    try {
      expect(second.resumed).toEqual([runId]);
      const status = await call<{ active: boolean; state: string; result: string }>(
        second.url,
        `/api/v1/runs/${encodeURIComponent(runId)}`,
        { token: SECRET },
      );
      expect(status.body).toMatchObject({ active: true, result: 'running' });

      const events = await readEvents(`${second.url}/api/v1/runs/${encodeURIComponent(runId)}/events`, SECRET, {
        onEvent: async (e) => {
          if (e.event !== 'prompt-waiting') return;
          const prompt = JSON.parse(e.data) as { promptId: string; text: string };
          expect(prompt.text).toBe(PROMPT_TEXT);
          await call(second.url, `/api/v1/prompts/${encodeURIComponent(prompt.promptId)}/answer`, {
            token: SECRET,
            body: { answer: 'after the restart' },
          });
        },
      });
      expect(events[0]!.event).toBe('run-started');
      expect(JSON.parse(events[0]!.data)).toMatchObject({ resumed: true });
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: 'run-finished', result: 'success' });

      const report = await call<{
        result: string;
        notes: string[];
        steps: Array<{ id: string; status: string; target?: string }>;
        storageCommands: Array<{ command: string }>;
        prompts: Array<{ answeredBy?: string }>;
      }>(second.url, `/api/v1/runs/${encodeURIComponent(runId)}/report`, { token: SECRET });
      expect(report.body.result).toBe('success');
      expect(report.body.notes.some((n) => n.startsWith('resumed at'))).toBe(true);
      expect(report.body.prompts.at(-1)!.answeredBy).toBe('night-shift');
      // Steps finished before the crash were not run again: the storage commands before the
      // prompt appear once, as they did before the crash.
      const finishedBefore = before.body.steps
        .filter((s) => s.target === undefined && s.status === 'success')
        .map((s) => s.id);
      expect(finishedBefore).toContain('create-test-snapshots');
      const starts = report.body.storageCommands.filter((c) => c.command === 'testFailoverStart');
      expect(starts).toHaveLength(
        before.body.storageCommands.filter((c) => (c as { command: string }).command === 'testFailoverStart').length,
      );
      const resumedSteps = events
        .filter((e) => e.event === 'step-started')
        .map((e) => JSON.parse(e.data).step as string);
      for (const step of finishedBefore) expect(resumedSteps).not.toContain(step);
    } finally {
      await second.close();
    }
  }, 60_000);
});
