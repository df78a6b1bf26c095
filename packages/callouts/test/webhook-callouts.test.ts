import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { webhookCalloutSchema, type CalloutContext } from '@drctl/domain';
import { createCalloutRunner, type CalloutLogger } from '../src/index.js';
import { eventually, ManualClock } from './support/manual-clock.js';

const context: CalloutContext = {
  runId: 'run-7',
  plan: 'Protect vcsite2',
  workflow: 'planned-migration',
  protectedSite: 'vcsite2',
  recoverySite: 'vcsite1',
  step: 'sync-storage',
};
const TOKEN = 's3cret-token-value';

interface Received {
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let baseUrl: string;
let received: Received[] = [];
let respond: (request: IncomingMessage, response: ServerResponse) => void = (_req, res) => res.end();
const agent = new Agent();

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method!, headers: request.headers, body });
      respond(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  received = [];
  server.closeAllConnections();
});
afterAll(async () => {
  await agent.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function webhook(extra: Record<string, unknown> = {}) {
  return webhookCalloutSchema.parse({ type: 'webhook', url: `${baseUrl}/hooks/drctl`, ...extra });
}

const never = new AbortController().signal;

describe('webhook callouts', () => {
  it('POSTs the run context as JSON with the bearer token, and succeeds on 2xx', async () => {
    respond = (_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"accepted":true}');
    };
    const runner = createCalloutRunner({ env: { NOTIFY_TOKEN: TOKEN }, dispatcher: agent });
    const outcome = await runner.runWebhook(webhook({ name: 'notify', tokenEnv: 'NOTIFY_TOKEN' }), context, never);
    expect(outcome).toEqual({
      status: 'success',
      code: 202,
      message: 'Webhook notify answered HTTP 202.',
      output: '{"accepted":true}',
    });
    expect(received).toHaveLength(1);
    const request = received[0]!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(request.body)).toEqual({ event: 'drctl.callout', ...context });
  });

  it('sends no Authorization header without tokenEnv', async () => {
    respond = (_req, res) => res.end('ok');
    const outcome = await createCalloutRunner({ dispatcher: agent }).runWebhook(webhook(), context, never);
    expect(outcome.status).toBe('success');
    expect(received[0]!.headers['authorization']).toBeUndefined();
  });

  it('reports a non-2xx answer as an error with the status and the response body', async () => {
    respond = (_req, res) => {
      res.writeHead(500);
      res.end('database unavailable');
    };
    const outcome = await createCalloutRunner({ dispatcher: agent }).runWebhook(
      webhook({ name: 'cmdb' }),
      context,
      never,
    );
    expect(outcome).toEqual({
      status: 'error',
      code: 500,
      message: 'Webhook cmdb failed: HTTP 500.',
      output: 'database unavailable',
    });
  });

  it('treats a redirect as an error (it is not followed)', async () => {
    respond = (_req, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    };
    const outcome = await createCalloutRunner({ dispatcher: agent }).runWebhook(webhook(), context, never);
    expect(outcome).toMatchObject({ status: 'error', code: 302 });
  });

  it('times out after timeoutSeconds when the server never answers', async () => {
    respond = () => undefined; // hold the request open
    const clock = new ManualClock();
    const running = createCalloutRunner({ clock, dispatcher: agent }).runWebhook(
      webhook({ name: 'slow', timeoutSeconds: 30 }),
      context,
      never,
    );
    await eventually(() => received.length === 1, 5000, 'the request to arrive');
    expect(clock.pending()).toEqual([30_000]);
    clock.fireAll();
    expect(await running).toEqual({ status: 'error', message: 'Webhook slow timed out after 30 s.' });
  });

  it('is cancelled by the run signal', async () => {
    respond = () => undefined;
    const controller = new AbortController();
    const running = createCalloutRunner({ dispatcher: agent }).runWebhook(
      webhook({ name: 'slow' }),
      context,
      controller.signal,
    );
    await eventually(() => received.length === 1, 5000, 'the request to arrive');
    controller.abort();
    expect(await running).toEqual({ status: 'error', message: 'Webhook slow was cancelled.' });
  });

  it('reports a network error without throwing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const callout = webhookCalloutSchema.parse({ type: 'webhook', url: `http://127.0.0.1:${port}/x` });
    const outcome = await createCalloutRunner({ dispatcher: agent }).runWebhook(callout, context, never);
    expect(outcome.status).toBe('error');
    expect(outcome.message).toContain('ECONNREFUSED');
    expect(outcome.message).toMatch(/^Webhook http:\/\/127\.0\.0\.1:\d+\/x failed: /);
  });

  it('does not send when the token variable is missing, and names the variable', async () => {
    const outcome = await createCalloutRunner({ env: {}, dispatcher: agent }).runWebhook(
      webhook({ name: 'notify', tokenEnv: 'NOTIFY_TOKEN' }),
      context,
      never,
    );
    expect(outcome).toEqual({
      status: 'error',
      message: 'Webhook notify was not sent: environment variable NOTIFY_TOKEN (tokenEnv) is not set.',
    });
    expect(received).toHaveLength(0);
  });

  it('keeps only the first bytes of a large response body', async () => {
    respond = (_req, res) => res.end('y'.repeat(500_000));
    const outcome = await createCalloutRunner({ dispatcher: agent, maxOutputBytes: 1000 }).runWebhook(
      webhook(),
      context,
      never,
    );
    expect(outcome.status).toBe('success');
    expect(outcome.output).toBe(`${'y'.repeat(1000)}\n[… truncated after 1000 bytes …]`);
  });

  it('never lets the token or URL credentials reach the outcome or the logs', async () => {
    respond = (_req, res) => {
      res.writeHead(500);
      res.end('no');
    };
    const lines: string[] = [];
    const logger: CalloutLogger = {
      info: (fields, message) => lines.push(JSON.stringify({ ...fields, message })),
      warn: (fields, message) => lines.push(JSON.stringify({ ...fields, message })),
    };
    const callout = webhookCalloutSchema.parse({
      type: 'webhook',
      url: `${baseUrl.replace('http://', 'http://user:pa55word@')}/x`,
      tokenEnv: 'NOTIFY_TOKEN',
    });
    const outcome = await createCalloutRunner({ env: { NOTIFY_TOKEN: TOKEN }, dispatcher: agent, logger }).runWebhook(
      callout,
      context,
      never,
    );
    expect(outcome.status).toBe('error');
    expect(lines.length).toBe(2);
    const everything = JSON.stringify(outcome) + lines.join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('pa55word');
    expect(outcome.message).toContain(`${baseUrl}/x`);
  });
});
