import type { JsonObject } from '../protocol/body.js';
import { SESSION_COOKIE, type Session } from '../server/sessions.js';
import { errorReply, json, noContent } from './reply.js';
import type { Route, RouteContext } from './route.js';

/** The ApiConnection object (fixtures `apiConnection`, `apiConnectionApi42`). */
export function apiConnection(context: RouteContext, session: Session, body?: unknown): JsonObject {
  const fromBody = (name: string) => {
    if (typeof body !== 'object' || body === null) return '';
    const entry = Object.entries(body).find(([key]) => key.toLowerCase() === name.toLowerCase());
    return typeof entry?.[1] === 'string' ? entry[1] : '';
  };
  const facts = context.connection;
  return {
    instanceId: '0',
    instanceName: 'ApiConnection',
    objectType: 'ApiConnection',
    hostName: facts.hostName,
    userName: session.userName,
    userId: 434226,
    connected: true,
    apiVersion: facts.apiVersion,
    minApiVersion: facts.minApiVersion,
    apiBuild: 7,
    provider: facts.provider,
    providerVersion: facts.providerVersion,
    webServicesPort: 3033,
    sessionKey: session.sessionKey,
    locale: 'en_US',
    source: 'REST',
    commandLine: false,
    secureString: '',
    connectionKey: '',
    useHttps: false,
    application: fromBody('Application'),
    applicationVersion: fromBody('ApplicationVersion'),
  };
}

export const apiConnectionRoutes: Route[] = [
  {
    method: 'POST',
    pattern: 'ApiConnection/Login',
    kind: 'login',
    resource: 'ApiConnection',
    action: 'Login',
    handle(context) {
      const session = context.sessions.open(context.loginUser!);
      const reply = json(200, apiConnection(context, session, context.body));
      reply.headers = { 'set-cookie': `${SESSION_COOKIE}=${session.token}; Path=/api/rest; Secure; HttpOnly` };
      return reply;
    },
  },
  {
    method: 'POST',
    pattern: 'ApiConnection/Logout',
    kind: 'logout',
    resource: 'ApiConnection',
    action: 'Logout',
    handle(context) {
      if (context.session) context.sessions.close(context.session.token);
      return noContent();
    },
  },
  {
    method: 'GET',
    pattern: 'ApiConnection/ApiConnection',
    kind: 'read',
    resource: 'ApiConnection',
    action: 'Get',
    handle: (context) => json(200, apiConnection(context, context.session!)),
  },
  {
    method: 'GET',
    pattern: 'ApiConnection/ApiConnection/{id}',
    kind: 'read',
    resource: 'ApiConnection',
    action: 'Get',
    handle: (context) =>
      context.params['id'] === '0'
        ? json(200, apiConnection(context, context.session!))
        : errorReply(404, `ApiConnection ${context.params['id']} was not found.`),
  },
  {
    method: 'GET',
    pattern: 'ApiConnection/ApiConnection/{id}/StorageCenterList',
    kind: 'read',
    resource: 'ApiConnection',
    action: 'StorageCenterList',
    handle: (context) =>
      context.params['id'] === '0'
        ? json(200, context.model.storageCenters())
        : errorReply(404, `ApiConnection ${context.params['id']} was not found.`),
  },
  {
    method: 'GET',
    pattern: 'ApiConnection/AsyncTask/{id}',
    kind: 'poll',
    resource: 'AsyncTask',
    action: 'Get',
    handle: (context) =>
      context.tasks.poll(context.params['id']!, context.origin) ??
      errorReply(404, `AsyncTask ${context.params['id']} was not found.`),
  },
];
