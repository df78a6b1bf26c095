import { z } from 'zod';
import { STEP_IDS } from '../workflow/steps.js';

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

/** A plan-level callout at a named position: before a step, or at the end of the workflow. */
const position = { before: z.enum([...STEP_IDS, 'end']) };
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
