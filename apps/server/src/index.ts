// Public API of @drctl/server: the HTTP API and the self-hosted viewer behind `drctl serve`.
export { startServer } from './server.js';
export type { ServerOptions, RunningServer } from './server.js';
export { tokensFromEnv, checkTokens, TokenVerifier } from './http/tokens.js';
export type { ApiToken } from './http/tokens.js';
export { driveClock } from './clock-driver.js';
export type { ClockDriver } from './clock-driver.js';
export type { ApiErrorBody, ApiErrorCode } from './http/errors.js';
