import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ALICE, BOB, testServer } from './support/server.js';
import { PROMPT_TEXT, removeTempDirs } from './support/environments.js';
import { call, readEvents, waitFor, type SseEvent } from './support/http.js';

type Server = Awaited<ReturnType<typeof testServer>>;
interface ErrorBody {
  error: { code: string; message: string; issues: Array<{ path: string; message: string }> };
}
const paths = (body: unknown) => (body as ErrorBody).error.issues.map((i) => i.path);
const runPath = (runId: string) => `/api/v1/runs/${encodeURIComponent(runId)}`;

afterAll(removeTempDirs);

describe('authentication', () => {
  let server: Server;
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  // Three columns in every row: jest reads a callback with more parameters than a row has as `done`.
  const routes: Array<[string, string, unknown]> = [
    ['GET', '/api/v1/plans', null],
    ['GET', '/api/v1/environment', null],
    ['GET', '/api/v1/openapi.json', null],
    ['GET', '/api/v1/history', null],
    ['POST', '/api/v1/runs', { plan: 'x', workflow: 'test' }],
    ['POST', '/api/v1/prompts/p/answer', { answer: 'yes' }],
    ['GET', '/api/v1/runs/r/events', null],
    ['GET', '/api/v1/no-such-route', null],
  ];

  it.each(routes)('refuses %s %s without a valid bearer token', async (method, path, body) => {
    for (const token of [null, 'wrong-token', `${ALICE.secret}x`, ALICE.secret.slice(0, -1)]) {
      const response = await call(server.url, path, { method, token, ...(body ? { body } : {}) });
      expect([token, response.status]).toEqual([token, 401]);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="drctl"');
      expect((response.body as ErrorBody).error.code).toBe('DR_UNAUTHORIZED');
    }
    // Another scheme with the right secret is not a bearer token.
    const basic = await call(server.url, path, {
      method,
      headers: { authorization: `Basic ${ALICE.secret}` },
      ...(body ? { body } : {}),
    });
    expect(basic.status).toBe(401);
  });

  it('accepts each named token', async () => {
    for (const token of [ALICE, BOB])
      expect((await call(server.url, '/api/v1/plans', { token: token.secret })).status).toBe(200);
  });

  it("serves the viewer's files without a token, and no data with them", async () => {
    const page = await call<string>(server.url, '/viewer/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).not.toContain(server.plan);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const mermaid = await fetch(`${server.url}/viewer/vendor/mermaid.min.js`);
    expect(mermaid.status).toBe(200);
    expect((await mermaid.text()).length).toBeGreaterThan(1_000_000);
    // Only the viewer's own files: nothing else of the disk.
    expect((await call(server.url, '/viewer/..%2fpackage.json')).status).toBe(404);
    expect((await call(server.url, '/viewer/app.js')).status).toBe(200);
  });
});

describe('bad input gets 400 with the field path', () => {
  let server: Server;
  const post = (path: string, body: unknown) => call(server.url, path, { token: ALICE.secret, body });
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  it('names each wrong field of a run request', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{}, ['plan', 'workflow']],
      [{ plan: server.plan, workflow: 'tset' }, ['workflow']],
      [{ plan: server.plan, workflow: 'test', force: true }, ['force']],
      [{ plan: server.plan, workflow: 'cleanup', forcedRecovery: true }, ['forcedRecovery']],
      [{ plan: server.plan, workflow: 'reprotect', syncData: false }, ['syncData']],
      [{ plan: server.plan, workflow: 'test', extra: 1 }, ['extra']],
      [{ plan: 'no-such-plan', workflow: 'test' }, ['plan']],
      [{ plan: 7, workflow: 'test' }, ['plan']],
    ];
    for (const [body, expected] of cases) {
      const response = await post('/api/v1/runs', body);
      expect([body, response.status, paths(response.body).sort()]).toEqual([body, 400, expected.sort()]);
      expect((response.body as ErrorBody).error.code).toBe('DR_INPUT_INVALID');
    }
  });

  it('refuses a body that is not JSON, or none', async () => {
    const broken = await call(server.url, '/api/v1/runs', { token: ALICE.secret, raw: '{"plan": ' });
    expect(broken.status).toBe(400);
    expect(paths(broken.body)).toEqual(['body']);
    const none = await call(server.url, '/api/v1/runs', { token: ALICE.secret, method: 'POST' });
    expect(none.status).toBe(400);
    expect(paths(none.body)).toEqual(['body']);
  });

  it('names wrong query and path fields', async () => {
    const limit = await call(server.url, '/api/v1/history?limit=0', { token: ALICE.secret });
    expect([limit.status, paths(limit.body)]).toEqual([400, ['limit']]);
    const machine = await call(server.url, '/api/v1/machines/nope/export', { token: ALICE.secret });
    expect([machine.status, paths(machine.body)]).toEqual([400, ['name']]);
    const format = await call(server.url, '/api/v1/machines/test/export?format=svg', { token: ALICE.secret });
    expect([format.status, paths(format.body)]).toEqual([400, ['format']]);
    const answer = await post('/api/v1/prompts/x/answer', { answer: '' });
    expect([answer.status, paths(answer.body)]).toEqual([400, ['answer']]);
  });

  it('validates environment documents, JSON or YAML, down to the field and the reference', async () => {
    const env = JSON.parse(readFileSync(server.environmentPath, 'utf8'));
    const ok = await post('/api/v1/environments/validate', env);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ valid: true, summary: { name: env.name, plans: [server.plan] } });

    const badField = structuredClone(env);
    badField.vms[0].datastores = [];
    badField.plans[0].vms = [{ vm: env.vms[0].name, priority: 9 }];
    const field = await post('/api/v1/environments/validate', badField);
    expect(field.status).toBe(400);
    expect(paths(field.body).sort()).toEqual(['plans[0].vms[0].priority', 'vms[0].datastores']);

    const badReference = structuredClone(env);
    badReference.plans[0].protectionGroups = ['no-such-group'];
    const reference = await post('/api/v1/environments/validate', badReference);
    expect(reference.status).toBe(400);
    expect(paths(reference.body)[0]).toMatch(/^plans\[0\]\.protectionGroups/);

    const yaml = await call(server.url, '/api/v1/environments/validate', {
      token: ALICE.secret,
      raw: 'name: x\nsites: []\n',
      contentType: 'application/yaml',
    });
    expect(yaml.status).toBe(400);
    expect(paths(yaml.body)).toEqual(['sites']);
    const yamlOk = await call(server.url, '/api/v1/environments/validate', {
      token: ALICE.secret,
      raw: readFileSync(server.environmentPath, 'utf8'),
      contentType: 'application/yaml',
    });
    expect(yamlOk.status).toBe(200);
  });

  it('validates a plan against the loaded environment', async () => {
    const { body: detail } = await call<{ definition: { name: string; vms: unknown[] } }>(
      server.url,
      `/api/v1/plans/${encodeURIComponent(server.plan)}`,
      { token: ALICE.secret },
    );
    const ok = await post('/api/v1/plans/validate', { plan: { ...detail.definition, name: 'copy' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ valid: true, plan: 'copy', vms: 12 });
    const bad = await post('/api/v1/plans/validate', {
      plan: { ...detail.definition, vms: [{ vm: 'vm-that-is-not-there' }], suspendVms: 'x' },
    });
    expect(bad.status).toBe(400);
    expect(paths(bad.body)).toEqual(['plan.suspendVms']);
    const unknownVm = await post('/api/v1/plans/validate', {
      plan: { ...detail.definition, vms: [{ vm: 'vm-that-is-not-there' }] },
    });
    expect(unknownVm.status).toBe(400);
    expect(paths(unknownVm.body)[0]).toMatch(/^plan\.vms\[0\]/);
    expect((await call(server.url, '/api/v1/plans/nope', { token: ALICE.secret })).status).toBe(404);
  });
});

describe('runs over HTTP', () => {
  let server: Server;
  let testRun: string;
  let events: SseEvent[];
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  it('starts a test run, streams its events in order, and records who answered its prompt', async () => {
    const started = await call<{ runId: string; links: { events: string } }>(server.url, '/api/v1/runs', {
      token: ALICE.secret,
      body: { plan: server.plan, workflow: 'test' },
    });
    expect(started.status).toBe(202);
    testRun = started.body.runId;

    events = await readEvents(`${server.url}${started.body.links.events}`, ALICE.secret, {
      onEvent: async (e) => {
        if (e.event !== 'prompt-waiting') return;
        const { promptId, text } = JSON.parse(e.data) as { promptId: string; text: string };
        expect(text).toBe(PROMPT_TEXT);
        // While it waits: the plan is busy, and the run shows where it is.
        const again = await call(server.url, '/api/v1/runs', {
          token: ALICE.secret,
          body: { plan: server.plan, workflow: 'test' },
        });
        expect(again.status).toBe(409);
        expect((again.body as ErrorBody).error).toMatchObject({
          code: 'DR_OPERATION_REFUSED',
          message: expect.stringContaining(`Plan ${server.plan}`),
        });
        const status = await call<{ state: string; active: boolean; waitingPrompts: unknown[] }>(
          server.url,
          runPath(testRun),
          { token: ALICE.secret },
        );
        expect(status.body).toMatchObject({
          state: 'test.power-on-priority-1',
          active: true,
          waitingPrompts: [{ promptId, text: PROMPT_TEXT }],
        });
        const answered = await call(server.url, `/api/v1/prompts/${encodeURIComponent(promptId)}/answer`, {
          token: BOB.secret,
          body: { answer: 'test network checked' },
        });
        expect(answered).toMatchObject({ status: 200, body: { promptId, answeredBy: 'bob' } });
      },
    });

    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    const parsed = events.map(
      (e) =>
        ({ type: e.event, ...JSON.parse(e.data) }) as {
          type: string;
          step?: string;
          result?: string;
          answeredBy?: string;
          devices?: Array<{ device: string; percent: number }>;
        },
    );
    expect(parsed.every((e) => e.type === (e as { type: string }).type)).toBe(true);
    expect(parsed[0]!.type).toBe('run-started');
    expect(parsed.at(-1)).toMatchObject({ type: 'run-finished', result: 'success' });
    const started_ = parsed.filter((e) => e.type === 'step-started').map((e) => e.step);
    expect(started_).toEqual(
      [
        'sync-storage',
        'suspend-recovery-vms',
        'create-test-snapshots',
        'rescan-hosts',
        'match-stretched-devices',
        'mount-datastores',
        'configure-test-networks',
        'power-on-priority-1',
        'power-on-priority-2',
        'power-on-priority-3',
        'power-on-priority-4',
        'power-on-priority-5',
      ].filter((s) => started_.includes(s)),
    );
    expect(started_.length).toBeGreaterThanOrEqual(8);
    // Each step finishes after it starts, and before the next starts.
    for (const step of started_) {
      const begin = parsed.findIndex((e) => e.type === 'step-started' && e.step === step);
      const end = parsed.findIndex((e) => e.type === 'step-finished' && e.step === step);
      expect(end).toBeGreaterThan(begin);
    }
    // Issue 10 §4: the sync's polled progress reaches API clients, inside its step, per device.
    const syncBegin = parsed.findIndex((e) => e.type === 'step-started' && e.step === 'sync-storage');
    const syncEnd = parsed.findIndex((e) => e.type === 'step-finished' && e.step === 'sync-storage');
    const polls = parsed.map((e, i) => ({ e, i })).filter(({ e }) => e.type === 'sync-progress');
    expect(polls.length).toBeGreaterThan(0);
    for (const { e, i } of polls) {
      expect(i).toBeGreaterThan(syncBegin);
      expect(i).toBeLessThan(syncEnd);
      expect(e.devices!.length).toBeGreaterThan(0);
      for (const d of e.devices!) expect(d.percent).toBeGreaterThanOrEqual(0);
    }
    expect(polls.at(-1)!.e.devices!.every((d) => d.percent === 100)).toBe(true);
    const waiting = parsed.findIndex((e) => e.type === 'prompt-waiting');
    const answered = parsed.findIndex((e) => e.type === 'prompt-answered');
    expect(answered).toBeGreaterThan(waiting);
    expect(parsed[answered]!.answeredBy).toBe('bob');

    const report = await call<{ result: string; prompts: Array<{ text: string; answer: string; answeredBy: string }> }>(
      server.url,
      `${runPath(testRun)}/report`,
      { token: ALICE.secret },
    );
    expect(report.body.result).toBe('success');
    expect(report.body.prompts).toEqual([
      expect.objectContaining({ text: PROMPT_TEXT, answer: 'test network checked', answeredBy: 'bob' }),
    ]);
  });

  it('resumes a stream after Last-Event-ID, and replays a finished run', async () => {
    const rest = await readEvents(`${server.url}${runPath(testRun)}/events`, ALICE.secret, {
      headers: { 'last-event-id': '20' },
    });
    expect(rest.map((e) => e.id)).toEqual(events.slice(20).map((e) => e.id));
    const after = await readEvents(`${server.url}${runPath(testRun)}/events?after=${events.length - 1}`, ALICE.secret);
    expect(after.map((e) => e.event)).toEqual(['run-finished']);
  });

  it('refuses what does not fit, with the reason (409), and what does not exist (404)', async () => {
    const promptId = `${testRun}:test/callout/power-on-priority-1/0`;
    const twice = await call(server.url, `/api/v1/prompts/${encodeURIComponent(promptId)}/answer`, {
      token: ALICE.secret,
      body: { answer: 'again' },
    });
    expect(twice.status).toBe(409);
    expect((twice.body as ErrorBody).error.message).toMatch(/already answered by bob/);

    const migration = await call(server.url, '/api/v1/runs', {
      token: ALICE.secret,
      body: { plan: server.plan, workflow: 'planned-migration' },
    });
    expect(migration.status).toBe(409);
    expect((migration.body as ErrorBody).error).toMatchObject({
      code: 'DR_OPERATION_REFUSED',
      message: expect.stringMatching(/is test complete, so planned-migration cannot start: run cleanup first/),
    });

    const cancel = await call(server.url, `${runPath(testRun)}/cancel`, { token: ALICE.secret, method: 'POST' });
    expect(cancel.status).toBe(409);
    expect((cancel.body as ErrorBody).error.message).toMatch(/is not running \(success\)/);
    const resume = await call(server.url, `${runPath(testRun)}/resume`, { token: ALICE.secret, method: 'POST' });
    expect(resume.status).toBe(409);
    expect((resume.body as ErrorBody).error.message).toMatch(/already finished \(success\)/);

    for (const path of [
      runPath('no-such-run'),
      `${runPath('no-such-run')}/report`,
      `${runPath('no-such-run')}/events`,
      `${runPath('no-such-run')}/view`,
    ]) {
      expect([path, (await call(server.url, path, { token: ALICE.secret })).status]).toEqual([path, 404]);
    }
    expect(
      (await call(server.url, '/api/v1/prompts/nope/answer', { token: ALICE.secret, body: { answer: 'x' } })).status,
    ).toBe(404);
  });

  it('cleans up, then cancels a test waiting on its prompt', async () => {
    const cleanup = await call<{ runId: string; links: { events: string } }>(server.url, '/api/v1/runs', {
      token: ALICE.secret,
      body: { plan: server.plan, workflow: 'cleanup' },
    });
    expect(cleanup.status).toBe(202);
    const cleanupEvents = await readEvents(`${server.url}${cleanup.body.links.events}`, ALICE.secret);
    expect(JSON.parse(cleanupEvents.at(-1)!.data)).toMatchObject({ result: 'success' });

    const test = await call<{ runId: string; links: { events: string } }>(server.url, '/api/v1/runs', {
      token: ALICE.secret,
      body: { plan: server.plan, workflow: 'test' },
    });
    const streamed = readEvents(`${server.url}${test.body.links.events}`, ALICE.secret);
    await waitFor(
      async () =>
        (
          await call<{ prompts: unknown[] }>(
            server.url,
            `/api/v1/prompts?runId=${encodeURIComponent(test.body.runId)}`,
            { token: ALICE.secret },
          )
        ).body.prompts.length > 0
          ? true
          : undefined,
      'the prompt',
    );
    const cancel = await call(server.url, `${runPath(test.body.runId)}/cancel`, {
      token: BOB.secret,
      body: { reason: 'maintenance window closed' },
    });
    expect(cancel.status).toBe(202);
    const last = (await streamed).at(-1)!;
    expect(last.event).toBe('run-finished');
    expect(JSON.parse(last.data)).toMatchObject({ result: 'cancelled' });
    expect(
      (await call<{ prompts: unknown[] }>(server.url, '/api/v1/prompts', { token: ALICE.secret })).body.prompts,
    ).toEqual([]);
    const status = await call<{ state: string; active: boolean }>(server.url, runPath(test.body.runId), {
      token: ALICE.secret,
    });
    expect(status.body).toMatchObject({ state: 'test.cancelled', active: false });
  });

  it('lists the history newest first, and the plans with their state', async () => {
    const history = await call<{ runs: Array<{ workflow: string; result: string }> }>(server.url, '/api/v1/history', {
      token: ALICE.secret,
    });
    expect(history.body.runs.map((r) => [r.workflow, r.result])).toEqual([
      ['test', 'cancelled'],
      ['cleanup', 'success'],
      ['test', 'success'],
    ]);
    const limited = await call<{ runs: unknown[] }>(
      server.url,
      `/api/v1/history?limit=1&plan=${encodeURIComponent(server.plan)}`,
      { token: ALICE.secret },
    );
    expect(limited.body.runs).toHaveLength(1);
    const plans = await call<{ plans: Array<{ plan: string; state: string; lastResult: string }> }>(
      server.url,
      '/api/v1/plans',
      { token: ALICE.secret },
    );
    expect(plans.body.plans).toEqual([
      expect.objectContaining({ plan: server.plan, state: 'test-complete', lastResult: 'cancelled' }),
    ]);
    expect((await call<{ runs: unknown[] }>(server.url, '/api/v1/runs', { token: ALICE.secret })).body.runs).toEqual(
      [],
    );
  });

  it('gives the viewer its run view: steps with their states, VM power-ons, prompts', async () => {
    const view = await call<{
      run: { state: string };
      steps: Array<{ id: string; state: string; status: string }>;
      vms: Array<{ host: string; powerOnStartedAt?: string; recoveredAt?: string }>;
      prompts: { waiting: unknown[]; answered: Array<{ answeredBy: string }> };
    }>(server.url, `${runPath(testRun)}/view`, { token: ALICE.secret });
    expect(view.status).toBe(200);
    expect(view.body.run.state).toBe('test.done');
    expect(view.body.steps).toHaveLength(12);
    for (const step of view.body.steps) {
      expect(step.state).toBe(`test.${step.id}`);
      expect(['success', 'skipped']).toContain(step.status);
    }
    expect(view.body.vms.length).toBe(12);
    for (const vm of view.body.vms) expect(vm.recoveredAt! >= vm.powerOnStartedAt!).toBe(true);
    expect(view.body.prompts).toEqual({ waiting: [], answered: [expect.objectContaining({ answeredBy: 'bob' })] });
  });

  it('reloads the environment file only when no run is active', async () => {
    const reloaded = await call<{ name: string }>(server.url, '/api/v1/environment/reload', {
      token: ALICE.secret,
      method: 'POST',
    });
    expect(reloaded.status).toBe(200);
    expect(
      (await call<{ plans: unknown[] }>(server.url, '/api/v1/plans', { token: ALICE.secret })).body.plans,
    ).toHaveLength(1);
    // History survives a reload: it lives in the store.
    expect(
      (await call<{ runs: unknown[] }>(server.url, '/api/v1/history', { token: ALICE.secret })).body.runs,
    ).toHaveLength(3);
  });
});
