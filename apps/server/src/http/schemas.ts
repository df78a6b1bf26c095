import { z } from 'zod';
import { environmentSchema, planSchema, RUN_RESULTS, STEP_IDS, STEP_STATUSES, WORKFLOWS } from '@drctl/domain';
import { MACHINE_NAMES } from '@drctl/inspect';

/*
 * The API's bodies and responses as zod schemas: requests are parsed with them and the OpenAPI
 * document is generated from them. Environment and plan bodies are the engine's own schemas.
 */

const FORCE_WORKFLOWS = ['cleanup', 'reprotect', 'failback'] as const;

export const startRunRequest = z
  .object({
    plan: z.string().min(1).describe('Name of the recovery plan.'),
    workflow: z.enum(WORKFLOWS),
    force: z
      .boolean()
      .optional()
      .describe('Cleanup, reprotect, failback: ignore errors (force cleanup / force reprotect).'),
    forcedRecovery: z
      .boolean()
      .optional()
      .describe('Disaster recovery: skip every protected-site step (needs the setting recovery.forceRecovery).'),
    forcedRecoveryOverride: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe('Forced recovery although the protected site answers: the reason, recorded in the report.'),
    syncData: z.boolean().optional().describe('Test: replicate recent changes first (default true).'),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.force !== undefined && !(FORCE_WORKFLOWS as readonly string[]).includes(body.workflow)) {
      ctx.addIssue({ code: 'custom', path: ['force'], message: `force applies to ${FORCE_WORKFLOWS.join(', ')} only` });
    }
    if (body.forcedRecovery !== undefined && body.workflow !== 'disaster-recovery') {
      ctx.addIssue({
        code: 'custom',
        path: ['forcedRecovery'],
        message: 'forcedRecovery applies to disaster-recovery only',
      });
    }
    if (body.forcedRecoveryOverride !== undefined && body.forcedRecovery !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['forcedRecoveryOverride'],
        message: 'forcedRecoveryOverride applies to a disaster recovery with forcedRecovery only',
      });
    }
    if (body.syncData !== undefined && body.workflow !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['syncData'], message: 'syncData applies to test only' });
    }
  });

export const cancelRunRequest = z.object({ reason: z.string().min(1).max(500).optional() }).strict();
export const answerPromptRequest = z.object({ answer: z.string().min(1).max(10_000) }).strict();
export const validatePlanRequest = z.object({ plan: planSchema }).strict();

export const runIdParams = z.object({ runId: z.string().min(1) }).strict();
export const planParams = z.object({ plan: z.string().min(1) }).strict();
export const promptParams = z.object({ promptId: z.string().min(1) }).strict();
export const machineParams = z.object({ name: z.enum(MACHINE_NAMES) }).strict();
export const exportQuery = z.object({ format: z.enum(['json', 'mermaid']).default('json') }).strict();
export const historyQuery = z
  .object({
    plan: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export const promptsQuery = z.object({ runId: z.string().min(1).optional() }).strict();
export const eventsQuery = z.object({ after: z.coerce.number().int().min(0).optional() }).strict();
export const inspectQuery = z
  .object({
    runId: z.string().min(1).optional(),
    access_token: z.string().optional().describe('The bearer token, for WebSocket clients that cannot send headers.'),
  })
  .strict();

// --- responses ---

const issue = z.object({ path: z.string(), message: z.string() });
export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(issue) }),
});

export const runLinks = z.object({
  self: z.string(),
  report: z.string(),
  events: z.string(),
  view: z.string(),
  viewer: z.string(),
});

export const runAccepted = z.object({
  runId: z.string(),
  plan: z.string(),
  workflow: z.enum(WORKFLOWS),
  resumed: z.boolean(),
  links: runLinks,
});

export const waitingPrompt = z.object({
  runId: z.string(),
  promptId: z.string(),
  text: z.string(),
  vm: z.string().optional(),
  step: z.string().optional(),
  askedAt: z.string(),
});

export const promptAnswered = z.object({
  promptId: z.string(),
  runId: z.string(),
  answer: z.string(),
  answeredBy: z.string(),
});

export const planStatus = z.object({
  plan: z.string(),
  state: z.string(),
  reversed: z.boolean(),
  protectedSite: z.string(),
  recoverySite: z.string(),
  activeRunId: z.string().nullable(),
  lastRunId: z.string().nullable(),
  lastResult: z.enum(RUN_RESULTS).optional(),
});

export const planDetail = z.object({ status: planStatus, definition: planSchema });

export const runSummary = z.object({
  runId: z.string(),
  plan: z.string(),
  workflow: z.enum(WORKFLOWS),
  mode: z.string(),
  result: z.enum(RUN_RESULTS),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
});

export const runStatus = runSummary.extend({
  active: z.boolean().describe('Running in this server now.'),
  state: z.string().nullable().describe('Id of the state the workflow machine is in (see /machines).'),
  waitingPrompts: z.array(waitingPrompt),
  links: runLinks,
});

const stepRecord = z.object({
  id: z.enum(STEP_IDS),
  title: z.string(),
  /** The workflow that ran the step (failback runs planned-migration, then reprotect). */
  phase: z.string().optional(),
  target: z.string().optional(),
  status: z.enum(STEP_STATUSES),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  messages: z.array(z.string()),
  results: z.array(z.object({ device: z.string(), status: z.string() }).loose()),
});
const vmRecord = z
  .object({
    name: z.string(),
    priority: z.number().int(),
    host: z.string(),
    cluster: z.string(),
    status: z.string(),
    powerOnStartedAt: z.string().optional(),
    poweredOnAt: z.string().optional(),
    toolsReadyAt: z.string().optional(),
    recoveredAt: z.string().optional(),
    message: z.string().optional(),
  })
  .loose();
const promptRecord = z.object({
  id: z.string(),
  text: z.string(),
  step: z.string().optional(),
  vm: z.string().optional(),
  askedAt: z.string(),
  answer: z.string().optional(),
  answeredBy: z.string().optional(),
  answeredAt: z.string().optional(),
});

export const runReport = runSummary
  .extend({
    protectedSite: z.string(),
    recoverySite: z.string(),
    settings: z.record(z.string(), z.unknown()),
    steps: z.array(stepRecord),
    vms: z.array(vmRecord),
    storageCommands: z.array(
      z.object({ command: z.string(), devices: z.array(z.string()), status: z.string() }).loose(),
    ),
    prompts: z.array(promptRecord),
    notes: z.array(z.string()),
  })
  .describe('The run report (history document), written as the run goes.');

export const environmentSummary = z.object({
  name: z.string(),
  description: z.string().optional(),
  sites: z.array(
    z.object({ name: z.string(), vcenter: z.string(), clusters: z.number().int(), hosts: z.number().int() }),
  ),
  plans: z.array(z.string()),
  protectionGroups: z.array(z.string()),
  vms: z.number().int(),
  settings: z
    .record(z.string(), z.union([z.number(), z.boolean(), z.null()]))
    .describe('Effective values (recovery.forceRecovery is true or false).'),
});

export const validationResult = z.object({ valid: z.literal(true), summary: environmentSummary });
export const planValidationResult = z.object({ valid: z.literal(true), plan: z.string(), vms: z.number().int() });

const graphNode = z.object({
  id: z.string(),
  key: z.string(),
  parent: z.string().nullable(),
  type: z.enum(['atomic', 'compound', 'parallel', 'final', 'history']),
  initial: z.string().nullable(),
  tags: z.array(z.string()),
  invoke: z.array(z.object({ id: z.string(), src: z.string() })),
  entry: z.array(z.string()),
  exit: z.array(z.string()),
});
const graphEdge = z.object({
  source: z.string(),
  target: z.string().nullable(),
  event: z.string(),
  guard: z.string().nullable(),
  actions: z.array(z.string()),
  reenter: z.boolean(),
});
export const machineGraphSchema = z.object({ id: z.string(), nodes: z.array(graphNode), edges: z.array(graphEdge) });
export const machineList = z.object({ machines: z.array(z.enum(MACHINE_NAMES)) });
export const machineDiagram = z.object({
  name: z.enum(MACHINE_NAMES),
  graph: machineGraphSchema,
  mermaid: z.object({ text: z.string(), ids: z.record(z.string(), z.string()) }),
});

export const runView = z.object({
  run: runStatus,
  now: z.string().describe("The engine clock's time (virtual time in a simulation)."),
  steps: z.array(
    z.object({
      id: z.enum(STEP_IDS),
      title: z.string(),
      phase: z.string(),
      state: z.string().nullable(),
      status: z.enum(STEP_STATUSES),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
      messages: z.array(z.string()),
      sync: z
        .array(z.object({ device: z.string(), status: z.enum(['complete', 'in-progress']), percent: z.number() }))
        .optional()
        .describe("A sync still running: each device's share copied (0–100) at the last querySyncStatus poll."),
    }),
  ),
  vms: z.array(vmRecord),
  prompts: z.object({ waiting: z.array(waitingPrompt), answered: z.array(promptRecord) }),
});

export const activeRuns = z.object({ runs: z.array(runStatus) });
export const history = z.object({ runs: z.array(runSummary) });
export const planList = z.object({ plans: z.array(planStatus) });
export const promptList = z.object({ prompts: z.array(waitingPrompt) });
export const openApiSchema = z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document.');

/** Environment bodies: the engine's own schema (JSON), or the YAML file's text. */
export const environmentBody = environmentSchema;
