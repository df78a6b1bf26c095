import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ALICE, testServer } from './support/server.js';
import { removeTempDirs } from './support/environments.js';
import { call, readEvents } from './support/http.js';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        parameters?: Array<{ name: string; in: string }>;
        responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
      }
    >
  >;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

/** The API the issue asks for: environments and plans, runs, prompts, history, events, the document itself. */
const REQUIRED: Array<[string, string]> = [
  ['post', '/api/v1/environments/validate'],
  ['get', '/api/v1/environment'],
  ['post', '/api/v1/environment/reload'],
  ['get', '/api/v1/plans'],
  ['get', '/api/v1/plans/{plan}'],
  ['post', '/api/v1/plans/validate'],
  ['post', '/api/v1/runs'],
  ['get', '/api/v1/runs'],
  ['get', '/api/v1/runs/{runId}'],
  ['get', '/api/v1/runs/{runId}/report'],
  ['get', '/api/v1/runs/{runId}/events'],
  ['post', '/api/v1/runs/{runId}/cancel'],
  ['post', '/api/v1/runs/{runId}/resume'],
  ['get', '/api/v1/prompts'],
  ['post', '/api/v1/prompts/{promptId}/answer'],
  ['get', '/api/v1/history'],
  ['get', '/api/v1/machines/{name}/export'],
  ['get', '/api/v1/inspect'],
  ['get', '/api/v1/openapi.json'],
];

afterAll(removeTempDirs);

describe('the OpenAPI document', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  const BASE = 'https://drctl.invalid/openapi.json';
  const validator = (name: string) => ajv.getSchema(`${BASE}#/components/schemas/${name}`)!;

  beforeAll(async () => {
    server = await testServer();
    const response = await call<Doc>(server.url, '/api/v1/openapi.json', { token: ALICE.secret });
    expect(response.status).toBe(200);
    doc = response.body;
    ajv.addSchema({ $id: BASE, components: doc.components });
  });
  afterAll(() => server.close());

  it('is OpenAPI 3.1 with a bearer scheme and every route the API has', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
    for (const [method, path] of REQUIRED)
      expect([method, path, doc.paths[path]?.[method] !== undefined]).toEqual([method, path, true]);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents only routes that exist: the server answers each of them', async () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (
          op.operationId === 'inspect' ||
          op.operationId === 'streamRunEvents' ||
          op.operationId === 'reloadEnvironment'
        )
          continue;
        const concrete = path.replace(/\{[^}]+\}/g, (p) => (p === '{name}' ? 'test' : 'x'));
        const response = await call<{ error?: { message: string } }>(server.url, concrete, {
          method: method.toUpperCase(),
          token: ALICE.secret,
          ...(method === 'post' ? { body: {} } : {}),
        });
        expect([op.operationId, response.body.error?.message ?? '']).not.toEqual([
          op.operationId,
          expect.stringMatching(/^No route/),
        ]);
        expect(response.status).not.toBe(401);
      }
    }
  });

  it('resolves every reference, and every schema compiles as JSON Schema 2020-12', () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, child] of Object.entries(v)) {
          if (k === '$ref' && typeof child === 'string') refs.push(child);
          else walk(child);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(30);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\/[A-Za-z0-9]+$/);
      expect([ref, doc.components.schemas[ref.split('/').pop()!] !== undefined]).toEqual([ref, true]);
    }
    for (const name of Object.keys(doc.components.schemas))
      expect([name, typeof validator(name)]).toEqual([name, 'function']);
  });

  it("describes the bodies the API accepts and refuses, with the engine's own schemas", () => {
    const start = validator('StartRunRequest');
    expect(start({ plan: 'p', workflow: 'test', syncData: false })).toBe(true);
    expect(start({ plan: 'p', workflow: 'tset' })).toBe(false);
    expect(start({ plan: 'p', workflow: 'test', extra: 1 })).toBe(false);
    const environment = validator('ValidateEnvironmentRequest') as unknown as {
      schema: { properties: Record<string, unknown> };
    };
    expect(Object.keys(environment.schema.properties)).toEqual(
      expect.arrayContaining(['sites', 'plans', 'vms', 'arrayManagers', 'settings']),
    );
  });

  it("matches what the server really sends, for a whole run's documents", async () => {
    const started = await call<{ runId: string; links: Record<string, string> }>(server.url, '/api/v1/runs', {
      token: ALICE.secret,
      body: { plan: server.plan, workflow: 'test' },
    });
    expect(validator('StartRunResponse')(started.body)).toBe(true);
    await readEvents(`${server.url}${started.body.links['events']}`, ALICE.secret, {
      onEvent: async (e) => {
        if (e.event !== 'prompt-waiting') return;
        const prompts = await call(server.url, '/api/v1/prompts', { token: ALICE.secret });
        expect(validator('ListPromptsResponse')(prompts.body)).toBe(true);
        const answer = await call(
          server.url,
          `/api/v1/prompts/${encodeURIComponent(JSON.parse(e.data).promptId)}/answer`,
          { token: ALICE.secret, body: { answer: 'go' } },
        );
        expect(validator('AnswerPromptResponse')(answer.body)).toBe(true);
      },
    });
    const runId = encodeURIComponent(started.body.runId);
    const checks: Array<[string, string]> = [
      [`/api/v1/runs/${runId}`, 'GetRunResponse'],
      [`/api/v1/runs/${runId}/report`, 'GetRunReportResponse'],
      [`/api/v1/runs/${runId}/view`, 'GetRunViewResponse'],
      ['/api/v1/history', 'ListHistoryResponse'],
      ['/api/v1/plans', 'ListPlansResponse'],
      [`/api/v1/plans/${encodeURIComponent(server.plan)}`, 'GetPlanResponse'],
      ['/api/v1/environment', 'GetEnvironmentResponse'],
      ['/api/v1/machines', 'ListMachinesResponse'],
      ['/api/v1/machines/failback', 'GetMachineResponse'],
      ['/api/v1/machines/plan-lifecycle/export?format=json', 'ExportMachineResponse'],
      ['/api/v1/health', 'HealthResponse'],
      ['/api/v1/runs/nope', 'Error'],
    ];
    for (const [path, schema] of checks) {
      const response = await call(server.url, path, { token: ALICE.secret });
      const validate = validator(schema);
      expect([path, validate(response.body), validate.errors ?? null]).toEqual([path, true, null]);
      // ...and the schema is not one that accepts anything.
      expect([path, validate({ unexpected: true })]).toEqual([path, false]);
    }
  });
});
