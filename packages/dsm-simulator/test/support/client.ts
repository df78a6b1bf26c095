import { Agent, request } from 'undici';
import type { DsmSimulator } from '../../src/index.js';

export interface DsmAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when empty. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary DSM JSON
  body: any;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  async?: boolean;
  version?: string;
  cookie?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * A minimal DSM client for tests: verified TLS against the simulator's CA, the session cookie,
 * `x-dell-api-version` on every call. It deliberately does no retries or negotiation, so each
 * test sees exactly what the server answered.
 */
export class TestClient {
  readonly agent: Agent;
  cookie: string | undefined;
  version: string;

  constructor(
    readonly simulator: DsmSimulator,
    version = '4.0',
  ) {
    this.agent = new Agent({ connect: { ca: simulator.caPem }, headersTimeout: 10_000, bodyTimeout: 10_000 });
    this.version = version;
  }

  basicAuth(username = this.simulator.credentials.username, password = this.simulator.credentials.password): string {
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async login(
    options: { username?: string; password?: string; version?: string; body?: unknown } = {},
  ): Promise<DsmAnswer> {
    const answer = await this.call('POST', 'ApiConnection/Login', {
      body: options.body ?? {},
      version: options.version,
      cookie: null,
      headers: { authorization: this.basicAuth(options.username, options.password) },
    });
    const setCookie = answer.headers['set-cookie'];
    if (answer.status === 200 && setCookie)
      this.cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0];
    return answer;
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<DsmAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
    const version = options.version ?? this.version;
    if (version !== '') headers['x-dell-api-version'] = version;
    const cookie = options.cookie === null ? undefined : (options.cookie ?? this.cookie);
    if (cookie) headers['cookie'] = cookie;
    if (options.async) headers['async'] = 'True';
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    const response = await request(`${this.simulator.baseUrl}${path}`, {
      method: method as 'GET',
      headers,
      body: payload,
      dispatcher: this.agent,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      headers: response.headers,
      body: text === '' ? undefined : JSON.parse(text),
      text,
    };
  }

  get(path: string, options: CallOptions = {}) {
    return this.call('GET', path, options);
  }

  post(path: string, body: unknown = {}, options: CallOptions = {}) {
    return this.call('POST', path, { ...options, body });
  }

  put(path: string, body: unknown, options: CallOptions = {}) {
    return this.call('PUT', path, { ...options, body });
  }

  delete(path: string, body?: unknown, options: CallOptions = {}) {
    return this.call('DELETE', path, { ...options, ...(body === undefined ? {} : { body }) });
  }

  /** GetList with the API ≥ 2.2 filter shape. */
  getList(type: string, filters: Array<[string, unknown, string?]> = [], combine = 'AND') {
    return this.post(`StorageCenter/${type}/GetList`, {
      filter: {
        filterType: combine,
        filters: filters.map(([attributeName, attributeValue, filterType]) => ({
          attributeName,
          attributeValue,
          filterType: filterType ?? 'Equals',
        })),
      },
    });
  }

  /** Follows an AsyncTask as Cinder does: poll `returnValue` until the answer is not an AsyncTask. */
  async awaitTask(accepted: DsmAnswer, maxPolls = 20): Promise<DsmAnswer & { polls: number }> {
    let url = String(accepted.body.returnValue)
      .replace(/^https:\/\/[^/]+\//, '')
      .replace(/^api\/rest\//, '');
    for (let polls = 1; polls <= maxPolls; polls++) {
      const answer = await this.get(url);
      if (answer.status < 200 || answer.status >= 300 || answer.body?.objectType !== 'AsyncTask')
        return { ...answer, polls };
      url = String(answer.body.returnValue)
        .replace(/^https:\/\/[^/]+\//, '')
        .replace(/^api\/rest\//, '');
    }
    throw new Error('the async task never finished');
  }

  /** A state-changing call sent async, followed to its result. */
  async asyncCall(method: string, path: string, body?: unknown): Promise<DsmAnswer & { polls: number }> {
    const accepted = await this.call(method, path, { body, async: true });
    if (accepted.status !== 202) throw new Error(`expected 202, got ${accepted.status}: ${accepted.text}`);
    return this.awaitTask(accepted);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
