import { z } from 'zod';
import {
  CLEANUP_STEPS,
  RECOVERY_STEPS,
  REPROTECT_STEPS,
  STEP_IDS,
  TEST_STEPS,
  type StepId,
} from '../workflow/steps.js';

/** SRM bounds a callout's timeout to 0–59,999 s; 0 means no timeout. */
const calloutTimeout = z.number().int().min(0).max(59_999);

export const commandCalloutSchema = z
  .object({
    type: z.literal('command'),
    name: z.string().min(1).optional(),
    /** Executable to run (no shell): `command` and `args` go to the process as they are. */
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** @default 300 */
    timeoutSeconds: calloutTimeout.default(300),
    /** Extra environment variables for the process, on top of the run's context. */
    env: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const promptCalloutSchema = z
  .object({
    type: z.literal('prompt'),
    name: z.string().min(1).optional(),
    text: z.string().min(1),
  })
  .strict();

export const webhookCalloutSchema = z
  .object({
    type: z.literal('webhook'),
    name: z.string().min(1).optional(),
    url: z.url(),
    /** @default 60 */
    timeoutSeconds: calloutTimeout.default(60),
    /** Name of an environment variable holding a bearer token; the token never sits in the file. */
    tokenEnv: z.string().min(1).optional(),
  })
  .strict();

export const calloutSchema = z.discriminatedUnion('type', [
  commandCalloutSchema,
  promptCalloutSchema,
  webhookCalloutSchema,
]);

/** The workflows a plan-level callout can belong to (failback runs planned migration, then reprotect). */
export const CALLOUT_WORKFLOWS = ['test', 'cleanup', 'planned-migration', 'disaster-recovery', 'reprotect'] as const;
export type CalloutWorkflow = (typeof CALLOUT_WORKFLOWS)[number];

/**
 * Which way the plan runs when the callout applies: as written (`original`: protected site →
 * recovery site), after a reprotect (`reversed`), or `both`.
 */
export const CALLOUT_DIRECTIONS = ['original', 'reversed', 'both'] as const;
export type CalloutDirection = (typeof CALLOUT_DIRECTIONS)[number];

/**
 * A plan-level callout at a named position: before a step, or at the end of the workflow; in
 * the workflows it names (by default the recovery workflows — test, planned migration and
 * disaster recovery — that have the step; cleanup or reprotect only when named or when the step
 * is theirs alone), in the
 * direction it names (by default the plan as written). SRM's plan callout positions are likewise
 * tied to workflows (srm-facts §1.2).
 */
const position = {
  before: z.enum([...STEP_IDS, 'end']),
  workflows: z.array(z.enum(CALLOUT_WORKFLOWS)).min(1).optional(),
  /** @default original */
  direction: z.enum(CALLOUT_DIRECTIONS).optional(),
};
export const planCalloutSchema = z.discriminatedUnion('type', [
  commandCalloutSchema.extend(position),
  promptCalloutSchema.extend(position),
  webhookCalloutSchema.extend(position),
]);

export type CommandCallout = z.infer<typeof commandCalloutSchema>;
export type PromptCallout = z.infer<typeof promptCalloutSchema>;
export type WebhookCallout = z.infer<typeof webhookCalloutSchema>;
export type Callout = z.infer<typeof calloutSchema>;
export type PlanCallout = z.infer<typeof planCalloutSchema>;

const STEPS_OF: Record<CalloutWorkflow, readonly StepId[]> = {
  test: TEST_STEPS,
  cleanup: CLEANUP_STEPS,
  'planned-migration': RECOVERY_STEPS,
  'disaster-recovery': RECOVERY_STEPS,
  reprotect: REPROTECT_STEPS,
};

/** Whether `workflow` has a place for a callout positioned `before` (every workflow has an end). */
export function workflowHasPosition(workflow: CalloutWorkflow, before: StepId | 'end'): boolean {
  return before === 'end' || STEPS_OF[workflow].includes(before);
}

/**
 * The workflows a plan callout runs in: those it names; else the recovery workflows (test,
 * planned migration, disaster recovery) having its step; else, for a step only cleanup or
 * reprotect has, that workflow.
 */
export function calloutWorkflows(callout: Pick<PlanCallout, 'before' | 'workflows'>): CalloutWorkflow[] {
  if (callout.workflows) return [...callout.workflows];
  const recovery = (['test', 'planned-migration', 'disaster-recovery'] as const).filter((w) =>
    workflowHasPosition(w, callout.before),
  );
  if (recovery.length > 0) return recovery;
  return (['cleanup', 'reprotect'] as const).filter((w) => workflowHasPosition(w, callout.before));
}

/** Whether a plan callout runs in this workflow (phase of failback) and direction. */
export function calloutApplies(
  callout: Pick<PlanCallout, 'before' | 'workflows' | 'direction'>,
  workflow: CalloutWorkflow,
  reversed: boolean,
): boolean {
  if (!calloutWorkflows(callout).includes(workflow)) return false;
  const direction = callout.direction ?? 'original';
  return direction === 'both' || (direction === 'reversed') === reversed;
}
