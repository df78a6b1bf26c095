import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST';

/** What a handler gets: the parsed path, query and body, and the name of the token that called. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Name of the API token the request carried (prompt answers are attributed to it). */
  caller: string;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** @default application/json */
  contentType?: string;
}

/**
 * One route of the API, described once: fastify registers it, requests are parsed with its zod
 * schemas (a failure is a 400 with the field paths), and the OpenAPI document is generated from it.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: HttpMethod;
  /** Fastify path, e.g. `/api/v1/runs/:runId`. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: { schema: z.ZodType<B>; description?: string; optional?: boolean; yaml?: boolean };
  responses: Record<number, ResponseSpec>;
  /** `json` (default): the handler returns the body; `stream`: the handler writes the reply itself; `websocket`. */
  kind?: 'json' | 'stream' | 'websocket';
  /** Reachable without a token (the viewer's static files only). @default false */
  public?: boolean;
  handler: (input: RouteInput<P, Q, B>) => unknown;
}

/** Identity, for type inference of a route's parsed inputs from its schemas. */
export function route<P = unknown, Q = unknown, B = unknown>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;
