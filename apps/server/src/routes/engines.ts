import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { route, type AnyRoute } from '../http/route.js';

const engineRecord = z.object({
  engineId: z.string(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  alive: z.boolean(),
  details: z.record(z.string(), z.unknown()),
  runs: z.array(z.object({ runId: z.string(), token: z.number().int(), expiresAt: z.string(), expired: z.boolean() })),
});

export const engineList = z.object({
  /** False with the state folder: one engine, no registry. */
  shared: z.boolean(),
  /** This server's engine id in leases (shared store only). */
  self: z.string().optional(),
  engines: z.array(engineRecord),
});

export function engineRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/engines',
      operationId: 'listEngines',
      summary: 'Engines sharing the store: their last heartbeat and the runs each owns (drctl engines).',
      description:
        'With a PostgreSQL store every engine registers and heartbeats; a run whose lease expired is listed as expired under its last owner until another engine takes it over. With the state folder the list is empty and `shared` is false.',
      tag: 'meta',
      responses: { 200: { description: 'The engines.', schema: engineList } },
      handler: async () => {
        const ws = ctx.workspace();
        if (!ws.engines) return { shared: false, engines: [] };
        return {
          shared: true,
          ...(ws.ownership ? { self: ws.ownership.engineId } : {}),
          engines: await ws.engines.engines(),
        };
      },
    }),
  ];
}
