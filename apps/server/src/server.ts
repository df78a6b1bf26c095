import { createRequire } from 'node:module';
import websocket from '@fastify/websocket';
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import { DrError } from '@drctl/domain';
import { RunInspection } from '@drctl/inspect';
import type { EngineEvent } from '@drctl/workflows';
import {
  checkSameInvocation,
  loadRunInvocation,
  openStore,
  openWorkspace,
  readEnvironment,
  type Workspace,
  type WorkspaceOptions,
} from '@drctl/runtime';
import { driveClock, type ClockDriver } from './clock-driver.js';
import { startTakeoverWatch } from './takeover-watch.js';
import { EngineRelay } from './runs/engine-relay.js';
import type { ServerContext } from './context.js';
import { errorBody, errorHandler, parseInput } from './http/errors.js';
import { openApiDocument } from './http/openapi.js';
import type { AnyRoute } from './http/route.js';
import { inspectQuery } from './http/schemas.js';
import { bearerToken, TokenVerifier, type ApiToken } from './http/tokens.js';
import { InspectHub } from './inspect-hub.js';
import { checkPredictRoutes } from './routes/check-predict.js';
import { engineRoutes } from './routes/engines.js';
import { environmentRoutes } from './routes/environment.js';
import { machineRoutes } from './routes/machines.js';
import { metaRoutes } from './routes/meta.js';
import { promptRoutes } from './routes/prompts.js';
import { runRoutes } from './routes/runs.js';
import { RunMonitor } from './runs/run-monitor.js';
import { viewerFile } from './viewer-assets.js';

export interface ServerOptions {
  /** The environment file to serve (its `include:` files resolve from its folder). */
  environmentPath: string;
  /** Where runs, reports and the simulated world live. @default `<environment folder>/.drctl` */
  stateDir?: string;
  /** @default 8787; 0 picks a free port (see `RunningServer.port`) */
  port?: number;
  /** @default 127.0.0.1 (loopback only; bind wider on purpose, behind TLS) */
  host?: string;
  /** Bearer tokens the API accepts; answers to prompts are attributed to the token's name. At least one. */
  tokens: ApiToken[];
  /** pino logger (requests, failures); tokens are never logged. @default silent */
  logger?: Logger;
  /**
   * Virtual seconds per real second for simulated runs (e.g. 60: a minute of recovery per
   * second), so people can watch them in the viewer. @default as fast as possible
   */
  pace?: number;
  /** Resume runs a previous server left interrupted. @default true */
  resumeInterrupted?: boolean;
  /** More options of the workspace: `inject`, `set`, `seed`, `storage`, `vmwareDrXml`, `inMemory`, `storageFactories`. */
  workspace?: Omit<WorkspaceOptions, 'environmentPath' | 'stateDir' | 'logger'>;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8787` */
  url: string;
  port: number;
  /** Runs resumed at start (interrupted by a previous server). */
  resumed: string[];
  workspace(): Workspace;
  /** Stops listening, ends streams and sockets, persists the simulated world. Runs still active are left interrupted and resume at the next start. */
  close(): Promise<void>;
}

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

declare module 'fastify' {
  interface FastifyRequest {
    caller: string;
  }
  interface FastifyContextConfig {
    public?: boolean;
    queryToken?: boolean;
  }
}

/** Security headers for every response; the viewer page may only load its own files. */
function securityHeaders(reply: FastifyReply): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  );
}

/**
 * Starts the drctl HTTP API and viewer on an environment: opens its workspace (store, simulated
 * world, engine), resumes runs a previous server left interrupted, keeps virtual time moving,
 * and listens. Every `/api/` request needs `Authorization: Bearer <token>`.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const verifier = new TokenVerifier(options.tokens);
  const logger = options.logger ?? pino({ level: 'silent' });
  const baseOptions = (): WorkspaceOptions => ({
    ...options.workspace,
    environmentPath: options.environmentPath,
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    logger,
  });

  // The inspection sends each new frame to the hub; the hub replays the inspection's frames to
  // clients that connect late: each needs the other, so the hub is bound once both exist.
  let hub: InspectHub | undefined;
  const inspection = new RunInspection({ send: (frame) => hub?.broadcast(frame) });
  hub = new InspectHub(inspection);
  // The engine reports its workflow actors to the inspection: the viewer's live highlight is the
  // state XState itself reports, not one rebuilt from engine events.
  const openOptions = (): WorkspaceOptions => ({ ...baseOptions(), inspect: inspection.inspect });
  let ws = await openWorkspace(openOptions());
  const monitor = new RunMonitor({ logger, onEvent: inspection.handle, onForget: (runId) => inspection.forget(runId) });
  // With a shared store: one connection for the server's life (the workspace's store is
  // reopened on reload) carries the other engines' events, prompt answers and released leases.
  const shared = ws.ownership
    ? openStore(
        {
          store: options.workspace?.store,
          engineId: ws.ownership.engineId,
          ...(options.workspace?.leaseMs !== undefined ? { leaseMs: options.workspace.leaseMs } : {}),
        },
        '',
      )
    : undefined;
  const local = (event: EngineEvent) => {
    monitor.handle(event);
    ctx.relay?.publish(event);
  };
  let unsubscribe = ws.engine.subscribe(local);
  let driver: ClockDriver = driveClock(ws.clock, options.pace);

  const ctx: ServerContext = {
    workspace: () => ws,
    monitor,
    inspection,
    hub,
    logger,
    streams: new Set(),
    async reload() {
      if (ws.engine.activeRuns().length > 0) {
        throw new DrError(
          'DR_OPERATION_REFUSED',
          `Runs are active (${ws.engine.activeRuns().join(', ')}); reload the environment once they end.`,
          {
            issues: [{ path: 'environment', message: 'runs active' }],
          },
        );
      }
      readEnvironment(options.environmentPath); // an invalid file is refused here, and the current one stays
      unsubscribe();
      driver.stop();
      await ws.close();
      ws = await openWorkspace(openOptions());
      unsubscribe = ws.engine.subscribe(local);
      driver = driveClock(ws.clock, options.pace);
      return ws;
    },
  };

  if (shared?.broadcast) ctx.relay = await EngineRelay.start(ctx, shared.broadcast, ws.ownership!.engineId);
  const resumed = options.resumeInterrupted === false ? [] : await resumeInterrupted(ctx);
  // Several engines share the store: take over the runs of engines that stop.
  const takeover =
    options.resumeInterrupted === false || !ws.ownership
      ? undefined
      : startTakeoverWatch(ctx, options.workspace?.leaseMs ?? 15_000, shared);

  let app: FastifyInstance;
  try {
    app = await buildApp(ctx, verifier);
    await app.listen({ port: options.port ?? 8787, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await takeover?.stop();
    await ctx.relay?.stop();
    await shared?.close();
    driver.stop();
    unsubscribe();
    await ws.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8787);
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, environment: ws.env.name, resumed }, 'drctl server listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    resumed,
    workspace: () => ws,
    close() {
      closed ??= (async () => {
        ctx.hub.closeAll();
        for (const stream of [...ctx.streams]) stream.end();
        await app.close();
        await takeover?.stop();
        await ctx.relay?.stop();
        await shared?.close();
        driver.stop();
        unsubscribe();
        await ws.close();
      })();
      return closed;
    },
  };
}

/** Runs the store says are running but no process holds: a previous server died with them. */
async function resumeInterrupted(ctx: ServerContext): Promise<string[]> {
  const workspace = ctx.workspace();
  const engine = workspace.engine;
  const resumed: string[] = [];
  for (const runId of await engine.findInterrupted()) {
    try {
      // A run resumes only on the world it started on: one started with other options is left
      // interrupted for `drctl resume`, which rebuilds that world.
      const saved = await loadRunInvocation(workspace.store, runId);
      if (saved) checkSameInvocation(runId, saved, workspace.invocation);
      ctx.monitor.track(await engine.resume(runId));
      resumed.push(runId);
    } catch (error) {
      ctx.logger.error({ err: error, runId }, 'could not resume an interrupted run');
    }
  }
  return resumed;
}

async function buildApp(ctx: ServerContext, verifier: TokenVerifier): Promise<FastifyInstance> {
  const app = fastify({
    logger: false,
    bodyLimit: 16 * 1024 * 1024,
    forceCloseConnections: true,
    // Prompt ids hold the run id and the step path: well over fastify's default 100 characters.
    routerOptions: { maxParamLength: 1000 },
    return503OnClosing: true,
  });
  app.decorateRequest('caller', '');
  app.setErrorHandler(errorHandler(ctx.logger));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('DR_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`)),
  );
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply);
    if (request.routeOptions.config.public) return;
    let presented = bearerToken(request.headers.authorization);
    if (presented === undefined && request.routeOptions.config.queryToken) {
      const query = request.query as Record<string, unknown>;
      if (typeof query['access_token'] === 'string') presented = query['access_token'];
    }
    const caller = verifier.verify(presented);
    if (!caller) {
      reply.header('www-authenticate', 'Bearer realm="drctl"');
      return reply
        .code(401)
        .send(errorBody('DR_UNAUTHORIZED', 'A valid bearer token is required (Authorization: Bearer <token>).'));
    }
    request.caller = caller;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    // A WebSocket upgrade refused with a plain HTTP answer: its socket left the HTTP server's
    // keep-alive handling, so say it closes (and close it below).
    if (request.raw.headers.upgrade) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.raw.headers.upgrade && reply.statusCode !== 101) {
      const socket = request.raw.socket;
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    }
    // The path only: a WebSocket's query may carry its token.
    ctx.logger.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        caller: request.caller || undefined,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  let document: Record<string, unknown> | undefined;
  const routes: AnyRoute[] = [
    ...environmentRoutes(ctx),
    ...checkPredictRoutes(ctx),
    ...runRoutes(ctx),
    ...promptRoutes(ctx),
    ...engineRoutes(ctx),
    ...machineRoutes(),
    ...metaRoutes(ctx, () => document!),
  ];
  document = openApiDocument(routes, { version: VERSION });
  for (const spec of routes) registerRoute(app, ctx, spec);
  registerViewer(app);
  return app;
}

function registerRoute(app: FastifyInstance, ctx: ServerContext, spec: AnyRoute): void {
  if (spec.kind === 'websocket') {
    app.get(spec.url, { websocket: true, config: { queryToken: true } }, (socket, request) => {
      const query = inspectQuery.safeParse(request.query);
      ctx.hub.add(socket, query.success ? query.data.runId : undefined);
      socket.on('close', () => ctx.hub.remove(socket));
    });
    return;
  }
  app.route({
    method: spec.method,
    url: spec.url,
    config: { public: spec.public === true },
    handler: async (request, reply) => {
      const params = spec.params ? parseInput(spec.params, request.params, 'request path') : request.params;
      const query = spec.query ? parseInput(spec.query, request.query, 'query') : request.query;
      let body: unknown = request.body;
      if (spec.body) {
        if (body === undefined || body === null || body === '') {
          if (!spec.body.optional)
            throw new DrError('DR_INPUT_INVALID', 'The request needs a body.', {
              issues: [{ path: 'body', message: 'required' }],
            });
          body = undefined;
        } else if (!(spec.body.yaml && typeof body === 'string')) {
          body = parseInput(spec.body.schema, body, 'request body');
        }
      }
      const result = await spec.handler({ params, query, body, caller: request.caller, request, reply });
      return spec.kind === 'stream' ? reply : result;
    },
  });
}

function registerViewer(app: FastifyInstance): void {
  // The viewer's files hold no data: they are public; the page sends the token with each API call.
  app.get('/', { config: { public: true } }, (_request, reply) => reply.redirect('/viewer/'));
  app.get('/favicon.ico', { config: { public: true } }, (_request, reply) => reply.code(204).send());
  app.get('/viewer', { config: { public: true } }, (_request, reply) => reply.redirect('/viewer/'));
  app.get('/viewer/*', { config: { public: true } }, async (request, reply) => {
    const name = (request.params as { '*': string })['*'] || 'index.html';
    const file = await viewerFile(name);
    if (!file) return reply.code(404).send(errorBody('DR_NOT_FOUND', `No viewer file ${name}.`));
    reply.header('cache-control', name.startsWith('vendor/') ? 'public, max-age=86400' : 'no-cache');
    return reply.type(file.type).send(file.body);
  });
}
