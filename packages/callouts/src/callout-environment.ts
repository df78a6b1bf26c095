import type { CalloutContext } from '@drctl/domain';

/** The run's context as the environment variables a command callout sees. */
export function contextVariables(context: CalloutContext): Record<string, string | undefined> {
  return {
    DRCTL_RUN_ID: context.runId,
    DRCTL_PLAN: context.plan,
    DRCTL_WORKFLOW: context.workflow,
    DRCTL_PROTECTED_SITE: context.protectedSite,
    DRCTL_RECOVERY_SITE: context.recoverySite,
    // Unset rather than empty when the callout is not about one VM or step, and never inherited
    // from drctl's own environment (drctl itself might run inside another callout).
    DRCTL_VM: context.vm,
    DRCTL_STEP: context.step,
  };
}

/** Variables of drctl's environment a callout never inherits. */
export const INHERITED_SECRETS = ['DRCTL_API_TOKEN', 'DRCTL_API_TOKENS'] as const;

/**
 * Environment of a command callout: drctl's environment, then the callout's `env`, then the run's
 * context (last, so a callout file cannot disguise which run it belongs to).
 */
export function commandEnvironment(
  base: NodeJS.ProcessEnv,
  calloutEnv: Record<string, string>,
  context: CalloutContext,
): NodeJS.ProcessEnv {
  // drctl's own secrets never reach a callout (`drctl serve` reads its API tokens from these).
  const inherited: NodeJS.ProcessEnv = { ...base };
  for (const name of INHERITED_SECRETS) delete inherited[name];
  const env: NodeJS.ProcessEnv = { ...inherited, ...calloutEnv };
  for (const [name, value] of Object.entries(contextVariables(context))) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
