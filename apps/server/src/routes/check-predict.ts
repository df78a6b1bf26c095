import { z } from 'zod';
import { SETTING_NAMES, WORKFLOWS, type ResolvedSettings } from '@drctl/domain';
import { compareSettings, predict, renderGanttSvg, runCheck, type PredictOptions } from '@drctl/runtime';
import type { ServerContext } from '../context.js';
import { notFound } from '../http/errors.js';
import { route, type AnyRoute } from '../http/route.js';
import { errorResponse, planParams } from '../http/schemas.js';

const severity = z.enum(['error', 'warning', 'info']);

export const checkQuery = z
  .object({
    live: z
      .enum(['true', 'false'])
      .default('false')
      .describe("Also ask each array manager's storage what it holds (replication types, Live Volume settings, QoS)."),
  })
  .strict();

export const checkReportSchema = z.object({
  environment: z.string().nullable(),
  file: z.string(),
  loaded: z.boolean(),
  counts: z.object({ error: z.number(), warning: z.number(), info: z.number(), total: z.number() }),
  findings: z.array(
    z.object({
      severity,
      code: z.string(),
      path: z.string().describe('Path of the field, e.g. volumes[3].liveVolume.autoFailover.'),
      message: z.string().describe('Why this matters here.'),
      fix: z.string(),
      source: z.string().describe("Section of Dell's SC Series + SRM guide (§) or the SRM rule."),
      scope: z.enum(['static', 'live']),
    }),
  ),
  live: z.object({
    requested: z.boolean(),
    endpoints: z
      .enum(['real', 'simulated'])
      .describe('real: the vCenters and Data Collectors the file names; simulated: the world built from the file.'),
    sources: z.array(
      z.object({
        source: z.string(),
        adapter: z.string(),
        asked: z.array(z.string()),
        status: z.enum(['ok', 'error', 'skipped']),
        message: z.string().optional(),
      }),
    ),
    coverage: z.object({ live: z.array(z.string()), notLive: z.array(z.string()) }),
  }),
});

export const predictQuery = z
  .object({
    workflow: z.enum(WORKFLOWS).default('disaster-recovery'),
    seed: z.coerce.number().int().optional(),
    compare: z
      .string()
      .regex(/^[\w.]+=[^,]+(,[^,]+)*$/)
      .optional()
      .describe('What-if: SETTING=a,b,c — one prediction per value.'),
    history: z
      .enum(['true', 'false'])
      .default('true')
      .describe("Learn VM timings from this environment's earlier runs."),
  })
  .strict();

const binding = z.object({
  kind: z.enum(['host-limit', 'cluster-limit', 'dependency-chain', 'slow-vm', 'none']),
  subject: z.string(),
  boundMs: z.number(),
});

export const predictionSchema = z.object({
  environment: z.string(),
  plan: z.string(),
  workflow: z.enum(WORKFLOWS),
  mode: z.string(),
  seed: z.number(),
  result: z.string().describe("The dry run's result."),
  settings: z.record(z.string(), z.number().nullable()),
  totalMs: z.number(),
  steps: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      phase: z.string().optional(),
      startMs: z.number(),
      durationMs: z.number(),
      status: z.string(),
      callouts: z
        .array(
          z.object({
            name: z.string(),
            phase: z.enum(['plan', 'pre-power-on', 'post-power-on']),
            vm: z.string().optional(),
            durationMs: z.number(),
            source: z.enum(['history', 'timeout']).describe('Learned from earlier runs, or the declared timeout.'),
          }),
        )
        .optional()
        .describe('Command and webhook callouts the step ran in the dry run, with their predicted time.'),
    }),
  ),
  groups: z.array(
    z.object({
      priority: z.number().int(),
      vms: z.number().int(),
      predictedMs: z.number(),
      lowerBoundMs: z.number(),
      binding,
      bounds: z.object({
        criticalPathMs: z.number(),
        clusterWorkMs: z.number(),
        hostWorkMs: z.number(),
        longestTaskMs: z.number(),
      }),
    }),
  ),
  vms: z.array(
    z.object({
      name: z.string(),
      priority: z.number().int(),
      host: z.string(),
      cluster: z.string(),
      status: z.string(),
      powerOnStartMs: z.number().optional(),
      poweredOnMs: z.number().optional(),
      toolsReadyMs: z.number().optional(),
      recoveredMs: z.number().optional(),
      timing: z.enum(['history', 'environment']),
    }),
  ),
  timings: z.object({
    reports: z.number(),
    fromHistory: z.number(),
    withoutHistory: z.array(z.string()),
    calloutsFromHistory: z.number(),
    calloutsWithoutHistory: z
      .array(z.string())
      .describe('Callouts timed by their declared timeout, for want of earlier runs.'),
  }),
  wallSeconds: z.number(),
});

export const comparisonSchema = z.object({
  setting: z.enum(SETTING_NAMES),
  variants: z.array(z.object({ value: z.string(), prediction: predictionSchema })),
});

/** The server's effective settings as `--set` overrides, so a prediction uses exactly them. */
function asOverrides(settings: ResolvedSettings): string[] {
  return Object.entries(settings.values).map(([name, value]) => `${name}=${value ?? 'off'}`);
}

export function checkPredictRoutes(ctx: ServerContext): AnyRoute[] {
  const predictOptions = (plan: string, query: z.infer<typeof predictQuery>): PredictOptions => {
    const ws = ctx.workspace();
    if (!ws.env.plans.some((p) => p.name === plan)) throw notFound(`Plan ${plan}`, 'plan');
    return {
      environmentPath: ws.environmentPath,
      // The served environment, as loaded and validated at start: not read again per request.
      environment: ws.env,
      stateDir: ws.stateDir,
      plan,
      workflow: query.workflow,
      history: query.history === 'true',
      set: asOverrides(ws.settings),
      logger: ctx.logger,
      ...(query.seed !== undefined ? { seed: query.seed } : {}),
    };
  };
  return [
    route({
      method: 'GET',
      url: '/api/v1/check',
      operationId: 'checkEnvironment',
      summary:
        "Findings of `drctl check`: Dell's SC Series + SRM best practices (§) and SRM's configuration rules, with severity, path, reason and fix.",
      description:
        'Static from the environment file under the served settings; with live=true also from what the endpoints report: the vCenters and SC Series Data Collectors the file names when some site has a vcenterConnection, else each array manager’s storage in the simulated world (what is not read is listed in live.coverage.notLive).',
      tag: 'environments',
      query: checkQuery,
      responses: { 200: { description: 'The findings, errors first.', schema: checkReportSchema } },
      handler: ({ query }) => {
        const ws = ctx.workspace();
        return runCheck({
          environmentPath: ws.environmentPath,
          settings: ws.settings.values,
          stateDir: ws.stateDir,
          live: query.live === 'true',
          logger: ctx.logger,
        });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/plans/:plan/predict',
      operationId: 'predictPlan',
      summary:
        'Predicted duration of a workflow on a plan, per step and priority group with its binding constraint and lower bound (a dry run on the simulated world).',
      description:
        'Nothing runs for real. With compare=SETTING=a,b,c, one prediction per value (a Comparison). VM heartbeat times are learned from earlier runs unless history=false.',
      tag: 'plans',
      params: planParams,
      query: predictQuery,
      responses: {
        200: {
          description: 'The prediction (or, with compare, the comparison).',
          schema: predictionSchema.or(comparisonSchema),
        },
        404: { description: 'No such plan.', schema: errorResponse },
      },
      handler: ({ params, query }) => {
        const options = predictOptions(params.plan, query);
        return query.compare !== undefined ? compareSettings(options, query.compare) : predict(options);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/plans/:plan/predict/gantt.svg',
      operationId: 'predictPlanGantt',
      summary: 'The predicted power-on per recovery host as an SVG Gantt.',
      tag: 'plans',
      params: planParams,
      query: predictQuery.omit({ compare: true }),
      responses: {
        200: { description: 'An SVG image.', contentType: 'image/svg+xml' },
        404: { description: 'No such plan.', schema: errorResponse },
      },
      handler: async ({ params, query, reply }) => {
        const prediction = await predict(predictOptions(params.plan, query));
        reply.type('image/svg+xml; charset=utf-8');
        return renderGanttSvg(prediction);
      },
    }),
  ];
}
