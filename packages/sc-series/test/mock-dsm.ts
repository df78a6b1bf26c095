import { MockAgent } from 'undici';
import pino from 'pino';
import { Writable } from 'node:stream';
import { SystemClock } from '@drctl/domain';
import { DsmClient, type DsmClientConfig } from '../src/http/dsm-client.js';

/** A request as the mock DSM saw it. */
export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export const ORIGIN = 'https://dsm.test:3033';
export const PASSWORD = 'pa55-w0rd!';
export const COOKIE_VALUE = 'sess-7f3a9c';

/**
 * undici's MockAgent, for shapes the DSM simulator does not produce: interceptors are answered in
 * the order they are declared, per method and path, and every request is recorded.
 */
export function mockDsm() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const seen: Seen[] = [];
  const record = (opts: { method: string; path: string; headers?: unknown; body?: unknown }) => {
    const headers: Record<string, string> = {};
    const raw = opts.headers as Record<string, string> | string[] | undefined;
    if (Array.isArray(raw))
      for (let i = 0; i < raw.length; i += 2) headers[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
    else if (raw) for (const [k, v] of Object.entries(raw)) headers[k.toLowerCase()] = String(v);
    let body: unknown = undefined;
    if (typeof opts.body === 'string' && opts.body !== '') body = JSON.parse(opts.body);
    seen.push({ method: opts.method, path: opts.path.replace('/api/rest/', ''), headers, body });
  };
  const reply = (
    method: string,
    path: string,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
    times = 1,
  ) => {
    pool
      .intercept({ method, path: `/api/rest/${path}` })
      .reply((opts) => {
        record(opts);
        return {
          statusCode: status,
          data: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
          responseOptions: { headers: { 'content-type': 'application/json', ...headers } },
        };
      })
      .times(times);
  };
  const fail = (
    method: string,
    path: string,
    error: Error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  ) => {
    pool.intercept({ method, path: `/api/rest/${path}` }).replyWithError(error);
  };
  const login = (apiVersion = '4.2') =>
    reply(
      'POST',
      'ApiConnection/Login',
      200,
      {
        objectType: 'ApiConnection',
        instanceId: '0',
        apiVersion,
        provider: 'EnterpriseManager',
        providerVersion: '18.1.20.114',
      },
      {
        'set-cookie': `JSESSIONID=${COOKIE_VALUE}; Path=/api/rest; Secure; HttpOnly`,
      },
    );
  return { agent, pool, seen, reply, fail, login };
}

/** A pino logger writing into a string, at debug level. */
export function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export function testClient(agent: MockAgent, over: Partial<DsmClientConfig> = {}) {
  const { logger, lines } = capturedLogger();
  const client = new DsmClient({
    host: 'dsm.test',
    port: 3033,
    username: 'srmadmin',
    password: PASSWORD,
    apiVersion: '4.0',
    verifyTls: true,
    clock: new SystemClock(),
    logger,
    requestTimeoutMs: 5000,
    asyncPollIntervalMs: 1,
    readAttempts: 3,
    retryBaseDelayMs: 1,
    dispatcher: agent,
    ...over,
  });
  return { client, lines };
}

export function signal(): AbortSignal {
  return new AbortController().signal;
}
