import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@drctl/domain';

/** The Data Collector's session cookie; real DSM runs on a Java servlet container. */
export const SESSION_COOKIE = 'JSESSIONID';

export interface Credentials {
  username: string;
  password: string;
}

export interface Session {
  token: string;
  userName: string;
  createdAt: number;
  lastUsedAt: number;
  /** Key shown as `sessionKey` in the ApiConnection object. */
  sessionKey: number;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `Authorization: Basic base64(user:password)` → credentials, or undefined. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The session token from a Cookie header. Tolerant of clients (like the Go client) that copy the
 * whole Set-Cookie value, attributes included, into Cookie.
 */
export function sessionTokenFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name?.trim().toUpperCase() === SESSION_COOKIE) return rest.join('=').trim();
  }
  return undefined;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    private readonly credentials: readonly Credentials[],
    /** Idle time after which a session is gone; undefined = never. */
    private readonly idleTimeoutMs: number | undefined,
  ) {}

  verify(credentials: Credentials | undefined): string | undefined {
    if (!credentials) return undefined;
    const match = this.credentials.find(
      (c) => sameText(c.username, credentials.username) && sameText(c.password, credentials.password),
    );
    return match?.username;
  }

  open(userName: string): Session {
    const now = this.clock.now();
    const session: Session = {
      token: randomBytes(16).toString('hex').toUpperCase(),
      userName,
      createdAt: now,
      lastUsedAt: now,
      sessionKey: now + this.sessions.size,
    };
    this.sessions.set(session.token, session);
    return session;
  }

  /** A session for one request only (Basic auth accepted in place of the cookie). */
  transient(userName: string): Session {
    const now = this.clock.now();
    return { token: '', userName, createdAt: now, lastUsedAt: now, sessionKey: now };
  }

  /** The live session for a token (touching it), or undefined. */
  resume(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    const now = this.clock.now();
    if (this.idleTimeoutMs !== undefined && now - session.lastUsedAt > this.idleTimeoutMs) {
      this.sessions.delete(token);
      return undefined;
    }
    session.lastUsedAt = now;
    return session;
  }

  close(token: string): void {
    this.sessions.delete(token);
  }

  /** Every session ends (a session-expiry fault, or the Data Collector restarting). */
  expireAll(): void {
    this.sessions.clear();
  }

  get size(): number {
    return this.sessions.size;
  }
}
