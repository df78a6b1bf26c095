import { z } from 'zod';
import type { AnyRoute } from './route.js';
import { errorResponse } from './schemas.js';

const ERROR_RESPONSES: Record<number, string> = {
  400: 'Bad input: `error.issues` names each field path.',
  401: 'No valid bearer token.',
};

/** `/api/v1/runs/:runId` → `/api/v1/runs/{runId}` */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The OpenAPI 3.1 document of the routes, generated from their zod schemas (JSON Schema 2020-12,
 * which OpenAPI 3.1 uses as is). Named schemas go to `components.schemas` and are referenced.
 */
export function openApiDocument(
  routes: readonly AnyRoute[],
  info: { version: string; serverUrl?: string },
): Record<string, unknown> {
  const requests = z.registry<{ id: string }>();
  const responses = z.registry<{ id: string }>();
  const name = (operationId: string, suffix: string) =>
    `${operationId[0]!.toUpperCase()}${operationId.slice(1)}${suffix}`;
  responses.add(errorResponse, { id: 'Error' });

  // First pass: name every body and response schema, so the converter can reference them.
  const responseIds = new Map<z.ZodType, string>([[errorResponse, 'Error']]);
  for (const r of routes) {
    if (r.body && !requests.has(r.body.schema)) requests.add(r.body.schema, { id: name(r.operationId, 'Request') });
    for (const [status, spec] of Object.entries(r.responses)) {
      if (spec.schema && !responseIds.has(spec.schema)) {
        const id = name(r.operationId, Number(status) < 300 ? 'Response' : `Response${status}`);
        responses.add(spec.schema, { id });
        responseIds.set(spec.schema, id);
      }
    }
  }
  const uri = (id: string) => `#/components/schemas/${id}`;
  const requestSchemas = z.toJSONSchema(requests, { io: 'input', unrepresentable: 'any', uri }).schemas;
  const responseSchemas = z.toJSONSchema(responses, { io: 'output', unrepresentable: 'any', uri }).schemas;
  const strip = (schema: Record<string, unknown>) => {
    const { $schema: _s, id: _i, ...rest } = schema;
    return rest;
  };
  const schemas: Record<string, unknown> = {};
  for (const [id, schema] of [...Object.entries(requestSchemas), ...Object.entries(responseSchemas)])
    schemas[id] = strip(schema);
  const inline = (schema: z.ZodType, io: 'input' | 'output') =>
    strip(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));

  const parameters = (r: AnyRoute) => {
    const out: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const json = inline(schema, 'input') as {
        properties?: Record<string, Record<string, unknown>>;
        required?: string[];
      };
      for (const [key, property] of Object.entries(json.properties ?? {})) {
        const { description, ...propertySchema } = property;
        out.push({
          name: key,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(key),
          schema: propertySchema,
          ...(typeof description === 'string' ? { description } : {}),
        });
      }
    }
    return out;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = openApiPath(r.url);
    const operation: Record<string, unknown> = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      ...(r.public ? { security: [] } : {}),
    };
    const params = parameters(r);
    if (params.length > 0) operation['parameters'] = params;
    if (r.body) {
      const ref = { $ref: uri(requests.get(r.body.schema)!.id) };
      operation['requestBody'] = {
        required: !r.body.optional,
        ...(r.body.description ? { description: r.body.description } : {}),
        content: {
          'application/json': { schema: ref },
          ...(r.body.yaml
            ? { 'application/yaml': { schema: { type: 'string', description: 'The same document as YAML text.' } } }
            : {}),
        },
      };
    }
    const responsesOut: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      const contentType = spec.contentType ?? 'application/json';
      responsesOut[status] = {
        description: spec.description,
        ...(spec.schema
          ? { content: { [contentType]: { schema: { $ref: uri(responseIds.get(spec.schema)!) } } } }
          : spec.contentType
            ? { content: { [contentType]: { schema: { type: 'string' } } } }
            : {}),
      };
    }
    for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
      if (status === '401' && r.public) continue;
      if (status === '400' && !r.body && !r.params && !r.query) continue;
      responsesOut[status] ??= { description, content: { 'application/json': { schema: { $ref: uri('Error') } } } };
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = { ...operation, responses: responsesOut };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'drctl API',
      version: info.version,
      description:
        'Recovery plans, runs, prompts and history of a drctl engine. Every request needs `Authorization: Bearer <token>`; a prompt answer is attributed to the name of the token that gave it.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((t) => ({ name: t })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas,
    },
  };
}
