/**
 * Failures of one DSM REST exchange, classified by what they tell the caller about the action:
 * a definite refusal (4xx) did not happen; a lost connection, a timeout, a 5xx or an unreadable
 * AsyncTask may or may not have happened, so the action is checked before it is ever repeated.
 */
export class DsmHttpError extends Error {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** The `result` text of a JSON error body, or the plain-text body (trimmed). */
  readonly resultText: string;

  constructor(method: string, path: string, status: number, resultText: string) {
    super(`DSM answered ${status} to ${method} ${path}${resultText ? `: ${resultText}` : ''}`);
    this.name = 'DsmHttpError';
    this.status = status;
    this.method = method;
    this.path = path;
    this.resultText = resultText;
  }
}

/** The request never produced an answer: reset, refused, DNS, TLS or our own request timeout. */
export class DsmConnectionError extends Error {
  readonly method: string;
  readonly path: string;
  readonly timedOut: boolean;

  constructor(method: string, path: string, cause: unknown, timedOut = false) {
    super(
      timedOut
        ? `DSM did not answer ${method} ${path} in time.`
        : `Connection to DSM failed during ${method} ${path}: ${describeCause(cause)}`,
      { cause },
    );
    this.name = 'DsmConnectionError';
    this.method = method;
    this.path = path;
    this.timedOut = timedOut;
  }
}

/** DSM answered, but with something the protocol does not allow (e.g. an XML AsyncTask URL). */
export class DsmProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DsmProtocolError';
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return String(cause);
}

/** Whether a failed state-changing call may nevertheless have taken effect on the array. */
export function mayHaveTakenEffect(error: unknown): boolean {
  if (error instanceof DsmConnectionError || error instanceof DsmProtocolError) return true;
  if (error instanceof DsmHttpError) return error.status >= 500;
  return false;
}

/** GET is retried on these: connection failures and DSM's transient 400 "Unhandled Exception". */
export function isRetryableRead(error: unknown): boolean {
  if (error instanceof DsmConnectionError) return true;
  return error instanceof DsmHttpError && error.status === 400 && /unhandled exception/i.test(error.resultText);
}
