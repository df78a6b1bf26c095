import type { IncomingMessage, ServerResponse } from 'node:http';
import { SystemClock } from '@drctl/domain';
import type { DsmModel } from '../model/dsm-model.js';
import { compareApiVersions, invalidApiVersionMessage, parseApiVersion } from '../protocol/api-version.js';
import { asBoolean } from '../protocol/body.js';
import { errorReply, isSuccess, type Reply } from '../routes/reply.js';
import type { ConnectionFacts, Route, RouteContext, Router } from '../routes/route.js';
import type { AsyncTaskRegistry } from './async-tasks.js';
import type { CallCounters } from './counters.js';
import type { RequestTally } from './request-tally.js';
import type { FaultSpec, FaultTable } from './faults.js';
import { readJsonBody, resetConnection, sendReply } from './http-io.js';
import { parseBasicAuth, sessionTokenFromCookie, type Session, type SessionStore } from './sessions.js';

export const BASE_PATH = '/api/rest/';

export interface HandlerDependencies {
  model: DsmModel;
  router: Router;
  sessions: SessionStore;
  tasks: AsyncTaskRegistry;
  counters: CallCounters;
  /** Every request received, by route: round trips, not only state changes. */
  requests: RequestTally;
  faults: FaultTable;
  connection: ConnectionFacts;
  /** Cinder sends Basic auth on every call; with this a valid Basic header stands in for a session. */
  acceptBasicAuthAsSession: boolean;
  /** Responses held open by a hang fault, so closing the simulator can drop them. */
  hung: Set<ServerResponse>;
  /** Called after every call that changed the model, before it is answered. */
  onChange?: (() => void) | undefined;
}

/** Network latency is real time even under a virtual clock: the client is waiting on a socket. */
const network = new SystemClock();

const UNAUTHORIZED = 'Unauthorized: log in with ApiConnection/Login and send the session cookie it sets.';

/**
 * One request through the simulated Data Collector: faults, API version check, routing,
 * authentication, the call itself (run at once, answered 202 + AsyncTask when sent async), and
 * the counters.
 */
export async function handleRequest(
  deps: HandlerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = new URL(request.url ?? '/', 'https://simulator');
  const bodyResult = await readJsonBody(request);
  if (!url.pathname.startsWith(BASE_PATH))
    return sendReply(response, errorReply(404, `Not found: ${url.pathname}. The API lives under ${BASE_PATH}.`));
  const path = url.pathname.slice(BASE_PATH.length);
  const kind = tally(deps, method, path);
  if (kind !== 'change') return serve(deps, request, response, method, path, bodyResult);
  const answered = deps.requests.changeStarted(header(request, 'cookie') ?? header(request, 'authorization') ?? '');
  try {
    await serve(deps, request, response, method, path, bodyResult);
  } finally {
    answered();
  }
}

async function serve(
  deps: HandlerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
  method: string,
  path: string,
  bodyResult: Awaited<ReturnType<typeof readJsonBody>>,
): Promise<void> {
  const isAsync = asBoolean(header(request, 'async')) === true;

  const faults = deps.faults.take(method, path, isAsync);
  if (faults.latencyMs > 0) await network.sleep(faults.latencyMs);
  const terminal = faults.terminal;
  const afterEffect = terminal?.when === 'after' && terminal.kind !== 'session-expiry';
  if (terminal && !afterEffect && applyTerminalFault(deps, terminal, request, response)) return;

  const reply = runCall(deps, method, path, isAsync, bodyResult, request, terminal);
  // The call took effect; the client still never learns the outcome.
  if (terminal && afterEffect && applyTerminalFault(deps, terminal, request, response)) return;
  sendReply(response, reply);
}

function tally(deps: HandlerDependencies, method: string, path: string): string {
  const match = deps.router.match(method, path);
  if (match === undefined || match === 'wrong-method') {
    deps.requests.record(method, path, 'unknown');
    return 'unknown';
  }
  deps.requests.record(method, match.route.pattern, match.route.kind);
  return match.route.kind;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function origin(request: IncomingMessage): string {
  return `https://${header(request, 'host') ?? 'localhost'}`;
}

/** Applies a fault that replaces the answer; false when the fault does not do that (async URL). */
function applyTerminalFault(
  deps: HandlerDependencies,
  fault: FaultSpec,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  switch (fault.kind) {
    case 'hang':
      deps.hung.add(response);
      response.on('close', () => deps.hung.delete(response));
      return true;
    case 'connection-reset':
      resetConnection(response);
      return true;
    case 'server-error':
      sendReply(
        response,
        errorReply(500, fault.message ?? 'Internal Server Error: the Data Collector failed to process the request.'),
      );
      return true;
    case 'unhandled-exception':
      sendReply(response, errorReply(400, 'Unhandled Exception: java.lang.NullPointerException'));
      return true;
    case 'session-expiry': {
      const token = sessionTokenFromCookie(header(request, 'cookie'));
      if (token) deps.sessions.close(token);
      sendReply(response, errorReply(401, `Session expired. ${UNAUTHORIZED}`));
      return true;
    }
    default:
      return false;
  }
}

function checkApiVersion(deps: HandlerDependencies, request: IncomingMessage): Reply | undefined {
  const { minApiVersion, apiVersion } = deps.connection;
  const requested = parseApiVersion(header(request, 'x-dell-api-version'));
  const minimum = parseApiVersion(minApiVersion)!;
  const maximum = parseApiVersion(apiVersion)!;
  if (requested && compareApiVersions(requested, minimum) >= 0 && compareApiVersions(requested, maximum) <= 0)
    return undefined;
  return errorReply(400, invalidApiVersionMessage(minApiVersion, apiVersion));
}

function authenticate(
  deps: HandlerDependencies,
  route: Route,
  request: IncomingMessage,
): { session?: Session; loginUser?: string; refusal?: Reply } {
  const basicUser = deps.sessions.verify(parseBasicAuth(header(request, 'authorization')));
  if (route.kind === 'login') {
    return basicUser
      ? { loginUser: basicUser }
      : { refusal: errorReply(401, 'Invalid credentials: the user name or password is not valid.') };
  }
  const session = deps.sessions.resume(sessionTokenFromCookie(header(request, 'cookie')));
  if (session) return { session };
  if (deps.acceptBasicAuthAsSession && basicUser) return { session: deps.sessions.transient(basicUser) };
  return { refusal: errorReply(401, UNAUTHORIZED) };
}

function runCall(
  deps: HandlerDependencies,
  method: string,
  path: string,
  isAsync: boolean,
  bodyResult: Awaited<ReturnType<typeof readJsonBody>>,
  request: IncomingMessage,
  fault: FaultSpec | undefined,
): Reply {
  const versionProblem = checkApiVersion(deps, request);
  if (versionProblem) return versionProblem;
  const match = deps.router.match(method, path);
  if (match === undefined) return errorReply(404, `Not found: ${path}.`);
  if (match === 'wrong-method') return errorReply(400, `Invalid method name: ${method} is not supported on ${path}.`);
  const { route, params } = match;
  const auth = authenticate(deps, route, request);
  if (auth.refusal) return auth.refusal;
  if (!bodyResult.ok) return errorReply(400, bodyResult.reason);
  if (isAsync && route.kind === 'list')
    return errorReply(400, 'Invalid request: GetList cannot be called asynchronously.');

  const context: RouteContext = {
    params,
    body: bodyResult.body,
    model: deps.model,
    session: auth.session,
    origin: origin(request),
    sessions: deps.sessions,
    tasks: deps.tasks,
    connection: deps.connection,
    ...(auth.loginUser ? { loginUser: auth.loginUser } : {}),
  };
  deps.model.advance();
  const reply = route.handle(context);
  if (route.kind === 'change' && isSuccess(reply)) {
    deps.counters.record({
      method,
      resource: route.resource,
      action: route.action,
      object: route.objectKey?.(context) ?? params['id'] ?? '',
    });
    deps.onChange?.();
  }
  if (!(isAsync && route.kind === 'change')) return reply;

  const taskId = deps.tasks.start({
    objectTypeName: route.resource,
    methodName: route.action,
    userName: auth.session?.userName ?? '',
    storageCenter: Number(params['id']?.split('.')[0] ?? 0) || 0,
    result: reply,
  });
  const variant = fault?.kind === 'malformed-async-url' ? fault.variant : undefined;
  return { status: 202, body: deps.tasks.describe(taskId, context.origin, variant) };
}
