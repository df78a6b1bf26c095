import type { DsmModel } from '../model/dsm-model.js';
import type { Session, SessionStore } from '../server/sessions.js';
import type { AsyncTaskRegistry } from '../server/async-tasks.js';
import type { Reply } from './reply.js';

/**
 * - `read`: GET, never async, never counted;
 * - `list`: a GetList POST: synchronous only (Cinder commit 2c5448047: GetList must not be async);
 * - `change`: state-changing; may be async; counted;
 * - `login` / `logout` / `poll`: the session and AsyncTask calls.
 */
export type RouteKind = 'read' | 'list' | 'change' | 'login' | 'logout' | 'poll';

export interface RouteContext {
  params: Record<string, string>;
  body: unknown;
  model: DsmModel;
  session: Session | undefined;
  /** `https://127.0.0.1:<port>` as the client reached it. */
  origin: string;
  sessions: SessionStore;
  tasks: AsyncTaskRegistry;
  /** Data Collector facts for the ApiConnection object. */
  connection: ConnectionFacts;
  /** The `Authorization` header's user on Login. */
  loginUser?: string;
}

export interface ConnectionFacts {
  apiVersion: string;
  minApiVersion: string;
  provider: 'EnterpriseManager' | 'StorageCenter';
  providerVersion: string;
  hostName: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path after `/api/rest/`; `{name}` matches one segment. */
  pattern: string;
  kind: RouteKind;
  /** DSM object type acted on, for counters and AsyncTask `objectTypeName`. */
  resource: string;
  /** Method name for counters and AsyncTask `methodName` (`CreateReplay`, `Create`, `Delete`…). */
  action: string;
  /** Object a change acts on: the path id by default; creates name what they create. */
  objectKey?: (context: RouteContext) => string;
  handle(context: RouteContext): Reply;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface Compiled {
  route: Route;
  segments: string[];
  literals: number;
}

/** Finds the route for a method and path; the most literal pattern wins. */
export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const segments = route.pattern.split('/');
      return { route, segments, literals: segments.filter((s) => !s.startsWith('{')).length };
    });
  }

  match(method: string, path: string): RouteMatch | 'wrong-method' | undefined {
    const parts = path.split('/');
    let best: { compiled: Compiled; params: Record<string, string> } | undefined;
    let pathExists = false;
    for (const compiled of this.compiled) {
      const params = matchSegments(compiled.segments, parts);
      if (!params) continue;
      pathExists = true;
      if (compiled.route.method !== method) continue;
      if (!best || compiled.literals > best.compiled.literals) best = { compiled, params };
    }
    if (best) return { route: best.compiled.route, params: best.params };
    return pathExists ? 'wrong-method' : undefined;
  }

  get routes(): Route[] {
    return this.compiled.map((c) => c.route);
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i]!;
    const part = parts[i]!;
    if (segment.startsWith('{')) {
      if (part === '') return undefined;
      params[segment.slice(1, -1)] = decodeURIComponent(part);
    } else if (segment !== part) {
      return undefined;
    }
  }
  return params;
}
