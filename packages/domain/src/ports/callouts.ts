import type { CommandCallout, WebhookCallout } from '../model/callouts.js';

/** What a callout knows about the run it is part of; commands get it as DRCTL_* variables. */
export interface CalloutContext {
  runId: string;
  plan: string;
  workflow: string;
  protectedSite: string;
  recoverySite: string;
  vm?: string;
  step?: string;
}

/** How a callout ended; an error in a plan-level callout is a warning, in a VM's pre-power-on step it skips the power-on. */
export interface CalloutOutcome {
  status: 'success' | 'error';
  /** Exit code, HTTP status… */
  code?: number;
  message: string;
  /** Captured stdout/stderr (bounded) or response body. */
  output?: string;
}

/** Runs command and webhook callouts. Prompts are the engine's own business (they need answers). */
export interface CalloutRunner {
  /** Runs a process with the callout's timeout and the run's context as `DRCTL_*` variables. */
  runCommand(callout: CommandCallout, context: CalloutContext, signal: AbortSignal): Promise<CalloutOutcome>;
  /** Sends the run's context to an HTTP endpoint; a non-2xx answer or a timeout is an error outcome. */
  runWebhook(callout: WebhookCallout, context: CalloutContext, signal: AbortSignal): Promise<CalloutOutcome>;
}
