/**
 * One error family for drctl. Every error a user can meet carries a stable string `code`,
 * a one-sentence message and, for bad input, the path of the offending field.
 */
export type DrErrorCode =
  | 'DR_INPUT_INVALID'
  | 'DR_SETTING_INVALID'
  | 'DR_OPERATION_REFUSED'
  | 'DR_STORAGE_TIMEOUT'
  | 'DR_STORAGE_ERROR'
  | 'DR_SITE_UNREACHABLE'
  | 'DR_COMPUTE_ERROR'
  | 'DR_CALLOUT_FAILED'
  | 'DR_RUN_NOT_FOUND'
  | 'DR_CANCELLED'
  /** This engine no longer holds the run's lease: another engine took the run over. */
  | 'DR_LEASE_LOST'
  | 'DR_INTERNAL';

/** A problem in user input: `path` is dotted with indexes, e.g. `plans[0].vms[3].priority`. */
export interface InputIssue {
  path: string;
  message: string;
}

export interface DrErrorOptions {
  cause?: unknown;
  issues?: InputIssue[];
  details?: Record<string, unknown>;
}

export class DrError extends Error {
  readonly code: DrErrorCode;
  readonly issues: InputIssue[];
  readonly details: Record<string, unknown>;

  constructor(code: DrErrorCode, message: string, options: DrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DrError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }

  /** Human-readable: the message, then one line per issue. */
  describe(): string {
    if (this.issues.length === 0) return this.message;
    return [this.message, ...this.issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`)].join('\n');
  }
}

export function isDrError(value: unknown): value is DrError {
  return (
    value instanceof DrError ||
    (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'DrError')
  );
}

/** Formats a path array the way users write it: `plans[0].vms[3].priority`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function inputError(message: string, issues: InputIssue[]): DrError {
  return new DrError('DR_INPUT_INVALID', message, { issues });
}
