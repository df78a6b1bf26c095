/**
 * The slice of a pino logger the runner uses. Only names, statuses and durations are logged:
 * never environment values, tokens or captured output.
 */
export interface CalloutLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: CalloutLogger = {
  info: () => undefined,
  warn: () => undefined,
};
