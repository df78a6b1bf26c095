import {
  DrError,
  loadEnvironment,
  planSchema,
  resolvePlanVms,
  validateEnvironment,
  type Environment,
  type ResolvedSettings,
} from '@drctl/domain';
import type { ServerContext } from '../context.js';
import { notFound } from '../http/errors.js';
import { route, type AnyRoute } from '../http/route.js';
import {
  environmentBody,
  environmentSummary,
  errorResponse,
  planDetail,
  planList,
  planParams,
  planValidationResult,
  validatePlanRequest,
  validationResult,
} from '../http/schemas.js';

export function summarize(env: Environment, settings?: ResolvedSettings) {
  return {
    name: env.name,
    ...(env.description ? { description: env.description } : {}),
    sites: env.sites.map((s) => ({
      name: s.name,
      vcenter: s.vcenter,
      clusters: s.clusters.length,
      hosts: s.clusters.reduce((n, c) => n + c.hosts.length, 0),
    })),
    plans: env.plans.map((p) => p.name),
    protectionGroups: env.protectionGroups.map((g) => g.name),
    vms: env.vms.length,
    settings: { ...(settings?.values ?? {}) } as Record<string, number | null>,
  };
}

/** `plans[3].vms[0].vm` → `plan.vms[0].vm`: issues of a validated plan, as the caller wrote it. */
function asPlanIssue(error: unknown, index: number): never {
  if (error instanceof DrError) {
    const prefix = `plans[${index}]`;
    const issues = error.issues.map((i) => ({
      ...i,
      path: i.path.startsWith(prefix) ? `plan${i.path.slice(prefix.length)}` : i.path,
    }));
    throw new DrError(error.code, `The plan has ${issues.length} problem${issues.length > 1 ? 's' : ''}.`, { issues });
  }
  throw error;
}

export function environmentRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/v1/environment',
      operationId: 'getEnvironment',
      summary: 'The environment this server runs: sites, plans, protection groups and effective settings.',
      tag: 'environments',
      responses: { 200: { description: 'The environment.', schema: environmentSummary } },
      handler: () => summarize(ctx.workspace().env, ctx.workspace().settings),
    }),
    route({
      method: 'POST',
      url: '/api/v1/environments/validate',
      operationId: 'validateEnvironment',
      summary: 'Validates an environment document (JSON, or the YAML file as application/yaml) without loading it.',
      description:
        'Checks the schema and every cross-reference; `include:` cannot be resolved here (send the merged document).',
      tag: 'environments',
      body: { schema: environmentBody, yaml: true, description: 'An environment document.' },
      responses: { 200: { description: 'The document is valid.', schema: validationResult } },
      handler: ({ body }) => {
        const env =
          typeof body === 'string' ? loadEnvironment(body, { source: 'body' }) : validateEnvironment(body, 'body');
        return { valid: true as const, summary: summarize(env) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/environment/reload',
      operationId: 'reloadEnvironment',
      summary: 'Loads the environment file again (after it was edited) and serves it.',
      description:
        'Refused (409) while a run is active. An invalid file is refused (400) and the current environment stays.',
      tag: 'environments',
      responses: {
        200: { description: 'The environment now served.', schema: environmentSummary },
        409: { description: 'A run is active.', schema: errorResponse },
      },
      handler: async () => {
        const ws = await ctx.reload();
        return summarize(ws.env, ws.settings);
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/plans',
      operationId: 'listPlans',
      summary: 'Every recovery plan with its lifecycle state.',
      tag: 'plans',
      responses: { 200: { description: 'The plans.', schema: planList } },
      handler: async () => ({ plans: await ctx.workspace().engine.plans() }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/plans/:plan',
      operationId: 'getPlan',
      summary: 'One plan: its lifecycle state and its definition.',
      tag: 'plans',
      params: planParams,
      responses: {
        200: { description: 'The plan.', schema: planDetail },
        404: { description: 'No such plan.', schema: errorResponse },
      },
      handler: async ({ params }) => {
        const ws = ctx.workspace();
        const definition = ws.env.plans.find((p) => p.name === params.plan);
        if (!definition) throw notFound(`Plan ${params.plan}`, 'plan');
        return { status: await ws.engine.planStatus(params.plan), definition };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/plans/validate',
      operationId: 'validatePlan',
      summary:
        'Validates a plan against the loaded environment (its protection groups, VMs, sites), without loading it.',
      tag: 'plans',
      body: { schema: validatePlanRequest },
      responses: { 200: { description: 'The plan is valid here.', schema: planValidationResult } },
      handler: ({ body }) => {
        const env = ctx.workspace().env;
        const others = env.plans.filter((p) => p.name !== body.plan.name);
        let checked: Environment;
        try {
          checked = validateEnvironment({ ...env, plans: [...others, planSchema.parse(body.plan)] }, 'environment');
        } catch (error) {
          asPlanIssue(error, others.length);
        }
        const plan = checked.plans[others.length]!;
        return { valid: true as const, plan: plan.name, vms: resolvePlanVms(checked, plan).length };
      },
    }),
  ];
}
