import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ALICE, testServer } from './support/server.js';
import { removeTempDirs } from './support/environments.js';
import { call } from './support/http.js';

type Server = Awaited<ReturnType<typeof testServer>>;

interface CheckBody {
  environment: string;
  loaded: boolean;
  counts: { error: number; warning: number; info: number; total: number };
  findings: Array<{ severity: string; code: string; path: string; source: string; fix: string; scope: string }>;
  live: { requested: boolean; sources: Array<{ status: string }>; coverage: { notLive: string[] } };
}
interface PredictionBody {
  plan: string;
  workflow: string;
  totalMs: number;
  steps: Array<{ id: string; durationMs: number }>;
  groups: Array<{
    priority: number;
    vms: number;
    predictedMs: number;
    lowerBoundMs: number;
    binding: { kind: string; subject: string };
  }>;
  vms: Array<{ name: string; host: string; powerOnStartMs?: number }>;
}

afterAll(removeTempDirs);

describe('GET /api/v1/check and /api/v1/plans/:plan/predict', () => {
  let server: Server;
  const get = <T>(path: string) => call<T>(server.url, path, { token: ALICE.secret });
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(() => server.close());

  it("lists the served environment's findings under the served settings, and live what the arrays answered", async () => {
    const [staticCheck, live] = await Promise.all([
      get<CheckBody>('/api/v1/check'),
      get<CheckBody>('/api/v1/check?live=true'),
    ]);
    expect(staticCheck.status).toBe(200);
    expect(staticCheck.body.loaded).toBe(true);
    expect(staticCheck.body.counts.total).toBe(staticCheck.body.findings.length);
    expect(staticCheck.body.live.requested).toBe(false);
    expect(live.status).toBe(200);
    expect(live.body.live.requested).toBe(true);
    expect(live.body.live.sources.length).toBeGreaterThan(0);
    expect(live.body.live.sources.every((s) => s.status === 'ok')).toBe(true);
    expect(live.body.live.coverage.notLive.length).toBeGreaterThan(0);
    expect(live.body.findings.filter((f) => f.scope === 'static')).toEqual(staticCheck.body.findings);
  });

  it('refuses a bad query with the field named', async () => {
    const bad = await get<{ error: { code: string; issues: Array<{ path: string }> } }>('/api/v1/check?live=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i) => i.path)).toContain('live');
  });

  it('predicts a plan per step and priority group, and draws its Gantt as SVG', async () => {
    const plan = encodeURIComponent(server.plan);
    const prediction = await get<PredictionBody>(`/api/v1/plans/${plan}/predict?workflow=test&history=false`);
    expect(prediction.status).toBe(200);
    expect(prediction.body).toMatchObject({ plan: server.plan, workflow: 'test' });
    expect(prediction.body.totalMs).toBeGreaterThan(0);
    const busy = prediction.body.groups.filter((g) => g.vms > 0);
    expect(busy.length).toBeGreaterThan(0);
    for (const g of busy) {
      expect(g.lowerBoundMs).toBeLessThanOrEqual(g.predictedMs + 1);
      expect(g.binding.kind).not.toBe('none');
    }
    const gantt = await get<string>(`/api/v1/plans/${plan}/predict/gantt.svg?workflow=test`);
    expect(gantt.status).toBe(200);
    expect(gantt.headers.get('content-type')).toContain('image/svg+xml');
    expect(gantt.body).toMatch(/^<svg/);
    for (const vm of prediction.body.vms.filter((v) => v.powerOnStartMs !== undefined))
      expect(gantt.body).toContain(`data-vm="${vm.name}"`);
  });

  it('compares values of a setting, and 404s an unknown plan', async () => {
    const plan = encodeURIComponent(server.plan);
    const comparison = await get<{ setting: string; variants: Array<{ value: string; prediction: PredictionBody }> }>(
      `/api/v1/plans/${plan}/predict?workflow=test&compare=defaultMaxBootAndShutdownOpsPerHost=1,8`,
    );
    expect(comparison.status).toBe(200);
    expect(comparison.body.setting).toBe('defaultMaxBootAndShutdownOpsPerHost');
    expect(comparison.body.variants.map((v) => v.value)).toEqual(['1', '8']);
    expect(comparison.body.variants[0]!.prediction.totalMs).toBeGreaterThanOrEqual(
      comparison.body.variants[1]!.prediction.totalMs,
    );
    const missing = await get<{ error: { code: string } }>('/api/v1/plans/nope/predict');
    expect(missing.status).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await get<{ paths: Record<string, unknown> }>('/api/v1/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/check',
        '/api/v1/plans/{plan}/predict',
        '/api/v1/plans/{plan}/predict/gantt.svg',
      ]),
    );
  });
});
