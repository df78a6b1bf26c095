// Public API of @drctl/callouts: the CalloutRunner for command and webhook callouts.
export { createCalloutRunner } from './callout-runner.js';
export type { CalloutRunnerOptions } from './callout-runner.js';
export type { CalloutLogger } from './logger.js';
export { contextVariables } from './callout-environment.js';
export { DEFAULT_MAX_OUTPUT_BYTES } from './bounded-output.js';
