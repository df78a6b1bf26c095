import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { DrError, isDrError, zodIssues, type DrErrorCode, type InputIssue } from '@drctl/domain';

/** Error codes of the HTTP API: the engine's, plus the two only HTTP has. */
export type ApiErrorCode = DrErrorCode | 'DR_UNAUTHORIZED' | 'DR_NOT_FOUND';

/** The body of every error response. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; issues: InputIssue[] };
}

const STATUS: Partial<Record<ApiErrorCode, number>> = {
  DR_INPUT_INVALID: 400,
  DR_SETTING_INVALID: 400,
  DR_UNAUTHORIZED: 401,
  DR_NOT_FOUND: 404,
  DR_RUN_NOT_FOUND: 404,
  DR_OPERATION_REFUSED: 409,
};

/** Longest message or issue text an error answer carries: a huge input is named, never echoed whole. */
export const MAX_ERROR_TEXT = 500;

const clip = (text: string) => (text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}… (clipped)` : text);

export function errorBody(code: ApiErrorCode, message: string, issues: InputIssue[] = []): ApiErrorBody {
  return {
    error: {
      code,
      message: clip(message),
      issues: issues.slice(0, 100).map((i) => ({ path: clip(i.path), message: clip(i.message) })),
    },
  };
}

/** Parses with a zod schema; a failure is DR_INPUT_INVALID with one issue per field path. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string, prefix = ''): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error, prefix);
  throw new DrError('DR_INPUT_INVALID', `The ${what} has ${issues.length} problem${issues.length > 1 ? 's' : ''}.`, {
    issues,
  });
}

export function notFound(what: string, path: string): DrError {
  return new DrError('DR_RUN_NOT_FOUND', `${what} not found.`, { issues: [{ path, message: 'not found' }] });
}

/**
 * One error format for every route: DrErrors by code (400 bad input with field paths, 404, 409
 * refused with the reason), fastify's own body errors as 400, anything else a 500 whose details
 * stay in the log.
 */
export function errorHandler(logger: Logger) {
  return (error: FastifyError | DrError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (isDrError(error)) {
      const status = STATUS[error.code] ?? 500;
      if (status >= 500) logger.error({ err: error, url: request.routeOptions.url }, 'request failed');
      return reply.code(status).send(errorBody(error.code, error.message, error.issues));
    }
    const statusCode = (error as FastifyError).statusCode;
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      const issues = statusCode === 400 || statusCode === 415 ? [{ path: 'body', message: error.message }] : [];
      return reply
        .code(statusCode)
        .send(
          errorBody(statusCode === 404 ? 'DR_NOT_FOUND' : 'DR_INPUT_INVALID', requestErrorMessage(statusCode), issues),
        );
    }
    logger.error({ err: error, url: request.routeOptions.url }, 'request failed');
    return reply.code(500).send(errorBody('DR_INTERNAL', 'Internal error; the server log has the details.'));
  };
}

function requestErrorMessage(status: number): string {
  switch (status) {
    case 400:
      return 'The request body could not be read.';
    case 413:
      return 'The request body is too large.';
    case 415:
      return 'The request body has an unsupported content type (use application/json, or application/yaml where an environment is expected).';
    default:
      return 'The request was refused.';
  }
}
