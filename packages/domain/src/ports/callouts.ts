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
  runCommand(callout: CommandCallout, context: CalloutContext, signal: AbortSignal): Promise<CalloutOutcome>;
  runWebhook(callout: WebhookCallout, context: CalloutContext, signal: AbortSignal): Promise<CalloutOutcome>;
}
