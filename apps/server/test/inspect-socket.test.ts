import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect';
import { ALICE, testServer } from './support/server.js';
import { removeTempDirs } from './support/environments.js';
import { call, readEvents, waitFor } from './support/http.js';

afterAll(removeTempDirs);

/** Asks for a WebSocket upgrade and says how the server answered: 101, or the HTTP status. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('no answer to the upgrade request')));
    req.end();
  });
}

describe('live inspection over WebSocket', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  it('needs a token, in the header or (for browsers) in access_token', async () => {
    const url = `${server.url}/api/v1/inspect`;
    expect(await upgradeStatus(url)).toBe(401);
    expect(await upgradeStatus(`${url}?access_token=wrong`)).toBe(401);
    expect(await upgradeStatus(url, { authorization: `Bearer ${ALICE.secret}` })).toBe(101);
    expect(await upgradeStatus(`${url}?access_token=${ALICE.secret}`)).toBe(101);
  });

  it("streams a run as @statelyai/inspect's own receiver reads it: the workflow actor, its states, a child per VM", async () => {
    const frames: StatelyInspectionEvent[] = [];
    const receiver = createWebSocketReceiver({
      server: `${server.url.replace('http', 'ws')}/api/v1/inspect?access_token=${ALICE.secret}`,
    });
    receiver.subscribe((frame) => frames.push(frame));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = await call<{ runId: string; links: { events: string } }>(server.url, '/api/v1/runs', {
      token: ALICE.secret,
      body: { plan: server.plan, workflow: 'test' },
    });
    const runId = started.body.runId;
    await readEvents(`${server.url}${started.body.links.events}`, ALICE.secret, {
      onEvent: async (e) => {
        if (e.event === 'prompt-waiting')
          await call(server.url, `/api/v1/prompts/${encodeURIComponent(JSON.parse(e.data).promptId)}/answer`, {
            token: ALICE.secret,
            body: { answer: 'go' },
          });
      },
    });
    await waitFor(
      async () =>
        frames.some((f) => f.type === '@xstate.snapshot' && f.sessionId === runId && f.snapshot.status === 'done')
          ? true
          : undefined,
      'the final snapshot',
    );

    const actor = frames.find((f) => f.type === '@xstate.actor' && f.sessionId === runId);
    expect(actor).toMatchObject({ type: '@xstate.actor', name: 'test', rootId: runId, _version: '0.7.2' });
    const definition = JSON.parse((actor as { definition: string }).definition);
    expect(definition.id).toBe('test');
    expect(Object.keys(definition.states)).toContain('power-on-priority-5');

    const values = frames
      .filter((f) => f.type === '@xstate.snapshot' && f.sessionId === runId)
      .map((f) => (f as { snapshot: { value: unknown } }).snapshot.value);
    expect(values).toContain('power-on-priority-1');
    expect(values.at(-1)).toBe('done');
    expect(values.indexOf('power-on-priority-1')).toBeLessThan(values.indexOf('power-on-priority-3'));
    const vms = frames.filter((f) => f.type === '@xstate.actor' && (f as { parentId?: string }).parentId === runId);
    expect(vms.length).toBe(12);
    expect(
      frames.some(
        (f) =>
          f.type === '@xstate.event' &&
          f.sessionId === runId &&
          (f.event as { type: string }).type === 'drctl.prompt-answered',
      ),
    ).toBe(true);
  });

  it('brings a late client up to date with each actor and its latest snapshot, for the run it asks for', async () => {
    const { body } = await call<{ runs: Array<{ runId: string }> }>(server.url, '/api/v1/history', {
      token: ALICE.secret,
    });
    const runId = body.runs[0]!.runId;
    const frames: StatelyInspectionEvent[] = [];
    createWebSocketReceiver({
      server: `${server.url.replace('http', 'ws')}/api/v1/inspect?runId=${encodeURIComponent(runId)}&access_token=${ALICE.secret}`,
    }).subscribe((f) => frames.push(f));
    await waitFor(async () => (frames.length >= 26 ? true : undefined), 'the replayed frames');
    expect(frames[0]).toMatchObject({ type: '@xstate.actor', sessionId: runId });
    expect(frames[1]).toMatchObject({
      type: '@xstate.snapshot',
      sessionId: runId,
      snapshot: { status: 'done', value: 'done' },
    });
    expect(frames.every((f) => f.rootId === runId)).toBe(true);
  });
});
