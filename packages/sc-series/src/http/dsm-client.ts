import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { DrError, abortReason, onAbort, type Clock } from '@drctl/domain';
import { DsmConnectionError, DsmHttpError, DsmProtocolError, isRetryableRead } from './errors.js';
import { asyncTaskFailure, asyncTaskPath, isAsyncTask } from './async-task.js';
import { isVersionRejection, negotiatedVersion, usesLegacyFilters } from './api-version.js';
import { filterPayload, type FilterCondition, type FilterValue } from './filters.js';
import { undici } from './undici.js';

export interface DsmClientConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Version sent in `x-dell-api-version` until DSM asks for another. */
  apiVersion: string;
  caPem?: string;
  verifyTls: boolean;
  clock: Clock;
  logger: Logger;
  /** Bound on one HTTP exchange (virtual time under a VirtualClock); 0 = none. */
  requestTimeoutMs: number;
  /** Wait between two polls of an AsyncTask (Cinder: 1 s). */
  asyncPollIntervalMs: number;
  /** Attempts for a GET (and Login) that fails transiently; the wait doubles from `retryBaseDelayMs`. */
  readAttempts: number;
  retryBaseDelayMs: number;
  /** Replaces the HTTPS agent (tests use undici's MockAgent). */
  dispatcher?: Dispatcher;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface CallOptions {
  signal: AbortSignal;
  body?: unknown;
  /** Sends `async: true` and waits for the AsyncTask's result object. */
  async?: boolean;
}

const APPLICATION = { Application: 'drctl', ApplicationVersion: '0.1.0' };

/**
 * One DSM Data Collector session: Login with Basic auth, the session cookie on every later call,
 * `x-dell-api-version` on every request (negotiated when DSM refuses it), a new Login when the
 * session expires (401, once per call), AsyncTask polling, and bounded retries for reads only.
 * State-changing calls are never repeated here: callers check the array before repeating them.
 */
export class DsmClient {
  private readonly config: DsmClientConfig;
  private readonly dispatcher: Dispatcher;
  private dispatcherClosed = false;
  private readonly ownsDispatcher: boolean;
  private readonly base: string;
  private version: string;
  private cookie: string | undefined;
  private loggedIn = false;
  private login: Promise<void> | undefined;
  private generation = 0;
  private serverApiVersion: string | undefined;
  /** Counters for tests and benchmarks. */
  readonly stats = { requests: 0, logins: 0, retries: 0 };

  constructor(config: DsmClientConfig) {
    this.config = config;
    this.version = config.apiVersion;
    const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
    this.base = `https://${host}:${config.port}/api/rest/`;
    if (config.dispatcher) {
      this.dispatcher = config.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new (undici().Agent)({
        connect: { rejectUnauthorized: config.verifyTls, ...(config.caPem ? { ca: config.caPem } : {}) },
      });
      this.ownsDispatcher = true;
    }
    if (!config.verifyTls) {
      config.logger.warn(
        { host: config.host, port: config.port },
        'TLS certificate verification is turned off for this Data Collector',
      );
    }
  }

  /** The API version DSM reported at Login (drives filter shapes); the header version before that. */
  get apiVersion(): string {
    return this.serverApiVersion ?? this.version;
  }

  /** The version sent in `x-dell-api-version`. */
  get headerVersion(): string {
    return this.version;
  }

  get legacyFilters(): boolean {
    return usesLegacyFilters(this.apiVersion);
  }

  async get<T = unknown>(path: string, signal: AbortSignal): Promise<T> {
    return (await this.call('GET', path, { signal })) as T;
  }

  async post<T = unknown>(path: string, options: CallOptions): Promise<T> {
    return (await this.call('POST', path, options)) as T;
  }

  async put<T = unknown>(path: string, options: CallOptions): Promise<T> {
    return (await this.call('PUT', path, options)) as T;
  }

  async delete<T = unknown>(path: string, options: CallOptions): Promise<T> {
    return (await this.call('DELETE', path, options)) as T;
  }

  /** `POST <type>/GetList` with a filter; always synchronous (DSM mishandles an async GetList). */
  async getList<T = unknown>(
    objectPath: string,
    conditions: Record<string, FilterValue | undefined> | FilterCondition[],
    signal: AbortSignal,
  ): Promise<T[]> {
    await this.ensureSession(signal);
    const result = await this.call('POST', `${objectPath}/GetList`, {
      signal,
      body: filterPayload(conditions, this.legacyFilters),
      readLike: true,
    });
    return Array.isArray(result) ? (result as T[]) : [];
  }

  /** Logs out (DSM answers 204) and releases connections. Failures are logged only. */
  async close(): Promise<void> {
    if (this.loggedIn) {
      const signal = AbortSignal.timeout(5000);
      try {
        const res = await this.exchange('POST', 'ApiConnection/Logout', this.headers(false), '{}', signal);
        this.config.logger.debug({ status: res.status }, 'DSM logout');
      } catch (error) {
        this.config.logger.warn({ err: errorSummary(error) }, 'DSM logout failed');
      }
      this.loggedIn = false;
      this.cookie = undefined;
    }
    // Closing twice is harmless: the engine and the composition root may both close an adapter.
    if (this.ownsDispatcher && !this.dispatcherClosed) {
      this.dispatcherClosed = true;
      await this.dispatcher.close();
    }
  }

  private async call(method: Method, path: string, options: CallOptions & { readLike?: boolean }): Promise<unknown> {
    const body = options.body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(options.body);
    // GetList is a read sent as POST: it may be retried like a GET.
    const retryable = method === 'GET' || options.readLike === true;
    let relogged = false;
    for (;;) {
      const generation = await this.ensureSession(options.signal);
      const res = retryable
        ? await this.withReadRetries(
            method,
            path,
            () => this.exchange(method, path, this.headers(false), body, options.signal),
            options.signal,
          )
        : await this.exchange(method, path, this.headers(options.async === true), body, options.signal);
      if (res.status === 401 && !relogged) {
        // The session expired: nothing was done under it, so the call is safe to send again.
        relogged = true;
        this.invalidate(generation);
        this.config.logger.info({ method, path }, 'DSM session expired; logging in again');
        continue;
      }
      if (options.async) return this.finishAsync(method, path, res, options.signal);
      if (res.status < 200 || res.status >= 300) throw new DsmHttpError(method, path, res.status, resultText(res.text));
      return parseBody(res.text);
    }
  }

  private async finishAsync(method: Method, path: string, res: RawResponse, signal: AbortSignal): Promise<unknown> {
    if (res.status < 200 || res.status >= 300) throw new DsmHttpError(method, path, res.status, resultText(res.text));
    let current = parseBody(res.text);
    if (res.status !== 202) {
      // A server that ran the call synchronously: its body is already the result.
      this.config.logger.debug({ method, path, status: res.status }, 'async call answered synchronously');
      return current;
    }
    if (!isAsyncTask(current)) throw new DsmProtocolError(`DSM accepted ${method} ${path} without an AsyncTask.`);
    for (;;) {
      if (!isAsyncTask(current)) return current;
      const failure = asyncTaskFailure(current);
      if (failure) throw new DsmHttpError(method, path, 500, failure);
      const pollPath = asyncTaskPath(current);
      await this.config.clock.sleep(this.config.asyncPollIntervalMs, signal);
      current = await this.pollOnce(pollPath, method, path, signal);
    }
  }

  private async pollOnce(pollPath: string, method: Method, path: string, signal: AbortSignal): Promise<unknown> {
    try {
      return await this.get(pollPath, signal);
    } catch (error) {
      // A non-2xx poll is the call's final, failed result.
      if (error instanceof DsmHttpError) throw new DsmHttpError(method, path, error.status, error.resultText);
      throw error;
    }
  }

  private async withReadRetries(
    method: Method,
    path: string,
    send: () => Promise<RawResponse>,
    signal: AbortSignal,
  ): Promise<RawResponse> {
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const res = await send();
        if (!(res.status === 400 && /unhandled exception/i.test(res.text))) return res;
        failure = new DsmHttpError(method, path, res.status, resultText(res.text));
        if (attempt >= this.config.readAttempts) return res;
      } catch (error) {
        if (!isRetryableRead(error) || attempt >= this.config.readAttempts) throw error;
        failure = error;
      }
      this.stats.retries++;
      const delay = this.config.retryBaseDelayMs * 2 ** (attempt - 1);
      this.config.logger.debug(
        { method, path, attempt, delayMs: delay, err: errorSummary(failure) },
        'retrying DSM read',
      );
      await this.config.clock.sleep(delay, signal);
    }
  }

  /** Logs in once for all concurrent callers; returns the session generation in use. */
  private async ensureSession(signal: AbortSignal): Promise<number> {
    if (signal.aborted) throw abortReason(signal);
    if (this.loggedIn) return this.generation;
    this.login ??= this.doLogin(signal).finally(() => {
      this.login = undefined;
    });
    await this.login;
    return this.generation;
  }

  private invalidate(generation: number): void {
    if (generation !== this.generation) return; // someone already logged in again
    this.loggedIn = false;
    this.cookie = undefined;
  }

  private async doLogin(signal: AbortSignal): Promise<void> {
    let negotiated = false;
    for (;;) {
      this.stats.logins++;
      const res = await this.withReadRetries(
        'POST',
        'ApiConnection/Login',
        () => this.exchange('POST', 'ApiConnection/Login', this.loginHeaders(), JSON.stringify(APPLICATION), signal),
        signal,
      );
      const text = resultText(res.text);
      if (res.status === 400 && isVersionRejection(text) && !negotiated) {
        const next = negotiatedVersion(text, this.version);
        if (next && next !== this.version) {
          this.config.logger.info({ requested: this.version, using: next }, 'DSM refused the API version; negotiating');
          this.version = next;
          negotiated = true;
          continue;
        }
      }
      if (res.status < 200 || res.status >= 300) {
        const reason =
          res.status === 401 || res.status === 403
            ? 'check the user name, password and its rights on both arrays'
            : text || 'no reason given';
        throw new DrError(
          'DR_STORAGE_ERROR',
          `DSM login to ${this.config.host}:${this.config.port} failed (${res.status}): ${reason}.`,
          {
            details: { status: res.status },
          },
        );
      }
      this.cookie = sessionCookie(res.headers['set-cookie']);
      const connection = parseBody(res.text) as
        { apiVersion?: unknown; provider?: unknown; providerVersion?: unknown } | undefined;
      if (typeof connection?.apiVersion === 'string') this.serverApiVersion = connection.apiVersion;
      this.loggedIn = true;
      this.generation++;
      this.config.logger.info(
        {
          apiVersion: this.apiVersion,
          headerVersion: this.version,
          provider: connection?.provider,
          providerVersion: connection?.providerVersion,
        },
        'DSM session opened',
      );
      return;
    }
  }

  private loginHeaders(): Record<string, string> {
    const basic = Buffer.from(`${this.config.username}:${this.config.password}`).toString('base64');
    return { ...this.commonHeaders(), authorization: `Basic ${basic}` };
  }

  private headers(async: boolean): Record<string, string> {
    const headers = this.commonHeaders();
    if (this.cookie) headers.cookie = this.cookie;
    else if (this.loggedIn) {
      // A Data Collector that set no cookie: authenticate every call as Cinder does.
      headers.authorization = `Basic ${Buffer.from(`${this.config.username}:${this.config.password}`).toString('base64')}`;
    }
    if (async) headers.async = 'true';
    return headers;
  }

  private commonHeaders(): Record<string, string> {
    return {
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      'x-dell-api-version': this.version,
    };
  }

  /** One HTTP exchange, cut by the caller's signal or the request timeout. Never retried here. */
  private async exchange(
    method: Method,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<RawResponse> {
    if (signal.aborted) throw abortReason(signal);
    const controller = new AbortController();
    // One listener on the caller's signal however many requests are in flight under it (Node
    // warns of a leak past ten, and each added listener scans the ones already there).
    const forget = onAbort(signal, () => controller.abort(signal.reason));
    let timedOut = false;
    const cancelTimer =
      this.config.requestTimeoutMs > 0
        ? this.config.clock.setTimer(this.config.requestTimeoutMs, () => {
            timedOut = true;
            controller.abort(new Error('request timeout'));
          })
        : () => undefined;
    const started = Date.now();
    this.stats.requests++;
    try {
      const work = (async (): Promise<RawResponse> => {
        const res = await undici().request(this.base + path, {
          method,
          headers,
          body,
          dispatcher: this.dispatcher,
          signal: controller.signal,
        });
        const text = await res.body.text();
        return { status: res.statusCode, headers: res.headers, text };
      })();
      const res = await this.config.clock.track(work);
      this.config.logger.debug({ method, path, status: res.status, ms: Date.now() - started }, 'DSM request');
      return res;
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      throw new DsmConnectionError(method, path, error, timedOut);
    } finally {
      cancelTimer();
      forget();
    }
  }
}

function sessionCookie(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const list = Array.isArray(header) ? header : [header];
  const pairs = list.map((c) => c.split(';')[0]!.trim()).filter((c) => c.includes('='));
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

function parseBody(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

/** DSM error bodies are plain text or JSON with a `result` string. */
function resultText(text: string): string {
  const body = parseBody(text);
  if (typeof body === 'object' && body !== null) {
    const result = (body as Record<string, unknown>).result ?? (body as Record<string, unknown>).Result;
    if (typeof result === 'string') return result;
    return JSON.stringify(body).slice(0, 500);
  }
  return typeof body === 'string' ? body.slice(0, 500) : '';
}

/** What may go in a log line about an error: its kind and message, never request headers. */
export function errorSummary(error: unknown): { type: string; message: string } {
  if (error instanceof Error) return { type: error.name, message: error.message };
  return { type: typeof error, message: String(error) };
}
