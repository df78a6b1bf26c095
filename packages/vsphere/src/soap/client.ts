import type { TLSSocket } from 'node:tls';
import type { buildConnector, Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { abortReason, onAbort, type Clock } from '@drctl/domain';
import { VimFault, VimTransportError, faultFromBody } from './faults.js';
import { child, envelope, morefEl, parseXml, soapBody, type MoRef, type XmlNode } from './xml.js';
import { undici } from './undici.js';

export interface VimClientOptions {
  host: string;
  /** @default 443 */
  port?: number;
  username: string;
  password: string;
  /** PEM CA bundle the server's certificate must chain to. */
  caPem?: string;
  /** SHA-256 thumbprint (`AB:CD:…`) the server's certificate must have, as SRM pins vCenter's. */
  thumbprint?: string;
  /** Turning verification off (no CA, no thumbprint) is explicit and logged. @default true */
  verifyTls?: boolean;
  clock: Clock;
  logger: Logger;
  /** Connections kept to this vCenter. @default 8 */
  connections?: number;
  /** Bound on one exchange. @default 120000 */
  requestTimeoutMs?: number;
  /** Attempts for a read whose connection failed. @default 3 */
  readAttempts?: number;
  /** @default 250 */
  retryBaseDelayMs?: number;
}

export interface CallOptions {
  signal: AbortSignal;
  /** A read may be sent again after a dropped connection; a change never is. */
  read: boolean;
}

const SESSION_COOKIE = 'vmware_soap_session';
const TRANSPORT_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function normaliseThumbprint(thumbprint: string): string {
  return thumbprint.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

/**
 * One vCenter's vim25 endpoint: one keep-alive agent with bounded connections, the
 * `vmware_soap_session` cookie, a single login shared by concurrent callers and a new one when
 * the server answers NotAuthenticated (the refused call did nothing, so it is sent again), and
 * retries of reads only after a dropped connection. The password is never logged.
 */
export class VimClient {
  readonly endpoint: string;
  private readonly url: string;
  private readonly agent: Dispatcher;
  private cookie: string | undefined;
  private login: Promise<void> | undefined;
  private generation = 0;
  private serviceContent: ServiceContent | undefined;
  /** Counters for tests and benchmarks. */
  readonly stats = { calls: 0, logins: 0, retries: 0, byMethod: new Map<string, number>() };

  constructor(private readonly options: VimClientOptions) {
    const port = options.port ?? 443;
    const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
    this.endpoint = `${options.host}:${port}`;
    this.url = `https://${host}:${port}/sdk`;
    this.agent = new (undici().Agent)({
      connections: options.connections ?? 8,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.requestTimeoutMs ?? 120_000,
      bodyTimeout: options.requestTimeoutMs ?? 120_000,
      connect: this.connector(),
    });
    if (options.verifyTls === false && !options.thumbprint) {
      options.logger.warn({ vcenter: this.endpoint }, 'TLS certificate verification is turned off for this vCenter');
    }
  }

  private connector(): buildConnector.connector {
    const pinned = this.options.thumbprint ? normaliseThumbprint(this.options.thumbprint) : undefined;
    const verify = this.options.verifyTls !== false && pinned === undefined;
    const base = undici().buildConnector({
      rejectUnauthorized: verify,
      // A resumed TLS session has no peer certificate to compare with the pinned thumbprint.
      ...(pinned !== undefined ? { maxCachedSessions: 0 } : {}),
      ...(this.options.caPem ? { ca: this.options.caPem } : {}),
    });
    if (pinned === undefined) return base;
    return (opts, callback) =>
      base(opts, (error, socket) => {
        if (error || !socket) {
          callback(error ?? new Error('no socket'), null);
          return;
        }
        const certificate = (socket as TLSSocket).getPeerCertificate();
        const actual = normaliseThumbprint(certificate.fingerprint256 ?? '');
        if (actual !== pinned) {
          socket.destroy();
          const mismatch = new Error(
            `the certificate of vCenter ${this.endpoint} has thumbprint ${certificate.fingerprint256 ?? '(none)'}, not the pinned one`,
          );
          Object.assign(mismatch, { code: 'CERT_THUMBPRINT_MISMATCH' });
          callback(mismatch, null);
          return;
        }
        callback(null, socket);
      });
  }

  /** The ServiceInstance's content (no session needed); read once. */
  async content(signal: AbortSignal): Promise<ServiceContent> {
    if (this.serviceContent) return this.serviceContent;
    const res = await this.send('RetrieveServiceContent', SERVICE_INSTANCE, '', { signal, read: true }, false);
    const r = child(res, 'returnval');
    const ref = (name: string): MoRef => {
      const node = child(r, name);
      const value = typeof node === 'object' && !Array.isArray(node) ? node : undefined;
      return { type: String(value?.['@_type'] ?? name), value: String(value?.['#text'] ?? '') };
    };
    const about = child(r, 'about');
    this.serviceContent = {
      rootFolder: ref('rootFolder'),
      propertyCollector: ref('propertyCollector'),
      viewManager: ref('viewManager'),
      sessionManager: ref('sessionManager'),
      searchIndex: ref('searchIndex'),
      instanceUuid: String(child(about, 'instanceUuid') ?? ''),
      apiVersion: String(child(about, 'apiVersion') ?? ''),
      fullName: String(child(about, 'fullName') ?? ''),
    };
    return this.serviceContent;
  }

  /** Calls a vim25 method under the session; returns the `…Response` element. */
  async call(method: string, self: MoRef, args: string, options: CallOptions): Promise<XmlNode> {
    let relogged = false;
    for (;;) {
      const generation = await this.ensureSession(options.signal);
      try {
        return await this.send(method, self, args, options, true);
      } catch (error) {
        if (error instanceof VimFault && error.faultType === 'NotAuthenticated' && !relogged) {
          relogged = true;
          this.invalidate(generation);
          this.options.logger.info({ vcenter: this.endpoint, method }, 'vCenter session expired; logging in again');
          continue;
        }
        throw error;
      }
    }
  }

  async close(signal: AbortSignal = AbortSignal.timeout(5000)): Promise<void> {
    if (this.cookie && this.serviceContent) {
      try {
        await this.send('Logout', this.serviceContent.sessionManager, '', { signal, read: false }, true);
      } catch (error) {
        this.options.logger.debug({ vcenter: this.endpoint, err: String(error) }, 'vCenter logout failed');
      }
    }
    this.cookie = undefined;
    await this.agent.close();
  }

  private async ensureSession(signal: AbortSignal): Promise<number> {
    if (signal.aborted) throw abortReason(signal);
    if (this.cookie) return this.generation;
    this.login ??= this.doLogin(signal).finally(() => {
      this.login = undefined;
    });
    await this.login;
    return this.generation;
  }

  private invalidate(generation: number): void {
    if (generation === this.generation) this.cookie = undefined;
  }

  private async doLogin(signal: AbortSignal): Promise<void> {
    const content = await this.content(signal);
    this.stats.logins++;
    const args = `<userName>${escape(this.options.username)}</userName><password>${escape(this.options.password)}</password>`;
    const cookie = await this.send('Login', content.sessionManager, args, { signal, read: true }, false, true);
    if (!cookie) throw new VimFault('InvalidLogin', 'vCenter set no session cookie', 'Login', content.sessionManager);
    this.cookie = cookie;
    this.generation++;
    this.options.logger.info({ vcenter: this.endpoint, user: this.options.username }, 'vCenter session opened');
  }

  private send(method: string, self: MoRef, args: string, options: CallOptions, withSession: boolean): Promise<XmlNode>;
  private send(
    method: string,
    self: MoRef,
    args: string,
    options: CallOptions,
    withSession: boolean,
    wantCookie: true,
  ): Promise<string | undefined>;
  private async send(
    method: string,
    self: MoRef,
    args: string,
    options: CallOptions,
    withSession: boolean,
    wantCookie = false,
  ): Promise<XmlNode | string | undefined> {
    const body = envelope(`<${method} xmlns="urn:vim25">${morefEl('_this', self)}${args}</${method}>`);
    const attempts = options.read ? (this.options.readAttempts ?? 3) : 1;
    for (let attempt = 1; ; attempt++) {
      if (options.signal.aborted) throw abortReason(options.signal);
      this.stats.calls++;
      this.stats.byMethod.set(method, (this.stats.byMethod.get(method) ?? 0) + 1);
      let status: number;
      let responseText: string;
      let setCookie: string | string[] | undefined;
      try {
        const headers: Record<string, string> = {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: 'urn:vim25/6.5',
        };
        if (withSession && this.cookie) headers.cookie = `${SESSION_COOKIE}=${this.cookie}`;
        // undici listens on the signal it is given: a signal of this request's own, tied to the
        // caller's through one shared listener, so hundreds of calls in flight under one run's
        // signal do not pile listeners on it (Node warns of a leak past ten).
        const request = new AbortController();
        const forget = onAbort(options.signal, () => request.abort(options.signal.reason));
        try {
          const res = await this.options.clock.track(
            undici().request(this.url, {
              method: 'POST',
              headers,
              body,
              dispatcher: this.agent,
              signal: request.signal,
            }),
          );
          status = res.statusCode;
          setCookie = res.headers['set-cookie'];
          responseText = await this.options.clock.track(res.body.text());
        } finally {
          forget();
        }
      } catch (error) {
        if (options.signal.aborted) throw abortReason(options.signal);
        const transport = asTransportError(error, method, this.endpoint);
        if (!transport) throw error;
        if (!TRANSPORT_CODES.has(transport.code) || attempt >= attempts) throw transport;
        this.stats.retries++;
        const delay = (this.options.retryBaseDelayMs ?? 250) * 2 ** (attempt - 1);
        this.options.logger.debug(
          { vcenter: this.endpoint, method, attempt, code: transport.code },
          'retrying vCenter read',
        );
        await this.options.clock.sleep(delay, options.signal);
        continue;
      }
      const doc = parseXml(responseText);
      const first = soapBody(doc);
      const fault = child(first, 'soapenv:Fault') ?? child(first, 'soap:Fault') ?? child(first, 'Fault');
      if (fault !== undefined && !Array.isArray(fault)) throw faultFromBody(fault, method, self);
      if (status < 200 || status >= 300 || first === undefined) {
        throw new VimFault('SystemError', `HTTP ${status}`, method, self);
      }
      if (wantCookie) return sessionCookie(setCookie);
      const response = child(first, `${method}Response`);
      return response === undefined || Array.isArray(response) ? '' : response;
    }
  }
}

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  searchIndex: MoRef;
  instanceUuid: string;
  apiVersion: string;
  fullName: string;
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sessionCookie(header: string | string[] | undefined): string | undefined {
  for (const line of Array.isArray(header) ? header : header ? [header] : []) {
    const match = new RegExp(`${SESSION_COOKIE}=("[^"]*"|[^;]*)`).exec(line);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function asTransportError(error: unknown, method: string, endpoint: string): VimTransportError | undefined {
  // Not `instanceof Error`: Node's own errors may come from another realm (a test's VM context).
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (
      typeof code === 'string' &&
      (TRANSPORT_CODES.has(code) ||
        code === 'CERT_THUMBPRINT_MISMATCH' ||
        code.startsWith('ERR_TLS') ||
        /CERT|SELF_SIGNED/.test(code))
    ) {
      return new VimTransportError(method, endpoint, code, { cause: error });
    }
    current = cause;
  }
  return undefined;
}
