import type { ServerContext } from '../context.js';
import { route, type AnyRoute } from '../http/route.js';
import { inspectQuery, openApiSchema } from '../http/schemas.js';
import { z } from 'zod';

export const healthResponse = z.object({
  status: z.literal('ok'),
  environment: z.string(),
  activeRuns: z.number().int(),
  now: z.string(),
});

export function metaRoutes(ctx: ServerContext, document: () => Record<string, unknown>): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/health',
      operationId: 'health',
      summary: 'The server is up: the environment it serves, its active runs and its clock.',
      tag: 'meta',
      responses: { 200: { description: 'Up.', schema: healthResponse } },
      handler: () => {
        const ws = ctx.workspace();
        return {
          status: 'ok' as const,
          environment: ws.env.name,
          activeRuns: ws.engine.activeRuns().length,
          now: new Date(ws.clock.now()).toISOString(),
        };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/openapi.json',
      operationId: 'openApi',
      summary: 'This document.',
      tag: 'meta',
      responses: {
        200: {
          description:
            'The OpenAPI 3.1 document, generated from the same zod schemas the engine and the API validate with.',
          schema: openApiSchema,
        },
      },
      handler: () => document(),
    }),
    route({
      method: 'GET',
      url: '/api/v1/inspect',
      operationId: 'inspect',
      summary:
        'WebSocket of live inspection frames in the @statelyai/inspect protocol (actor, event, snapshot), of every run or of ?runId=.',
      description:
        'Upgrade to a WebSocket. Each message is one JSON frame as `@statelyai/inspect` sends them (its `createWebSocketReceiver` reads this endpoint). A client first gets each known actor and its latest snapshot. Browsers cannot set headers on a WebSocket: pass the token as ?access_token= instead.',
      tag: 'inspect',
      kind: 'websocket',
      query: inspectQuery,
      responses: { 101: { description: 'Switching to the WebSocket protocol.' } },
      handler: () => undefined,
    }),
  ];
}
