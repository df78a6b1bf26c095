import { isDrError, type InputIssue } from '@drctl/domain';
import { exitCodeForError, EXIT_CODES } from './exit-codes.js';

/** A command-line mistake (unknown option, missing argument) reported by the argument parser. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ErrorDocument {
  error: { code: string; message: string; issues: InputIssue[]; exitCode: number };
}

/** Shows stack traces only when asked: operators read sentences, developers read stacks. */
export function debugEnabled(env: NodeJS.ProcessEnv): boolean {
  return env['DRCTL_DEBUG'] === '1' || env['DRCTL_DEBUG'] === 'true';
}

export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? EXIT_CODES.badInputOrRefused : exitCodeForError(error);
}

function firstSentence(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line === '' ? 'unknown error' : line;
}

/** The machine-readable form of an error (`--json`). */
export function errorDocument(error: unknown): ErrorDocument {
  const exitCode = exitCodeOf(error);
  if (isDrError(error)) return { error: { code: error.code, message: error.message, issues: error.issues, exitCode } };
  if (error instanceof UsageError) return { error: { code: 'DR_USAGE', message: error.message, issues: [], exitCode } };
  return {
    error: {
      code: 'DR_INTERNAL',
      message: firstSentence(error instanceof Error ? error.message : String(error)),
      issues: [],
      exitCode,
    },
  };
}

/**
 * The human form: one sentence, then one line per issue naming the field path. Internal failures
 * say so and how to see more; the stack only with DRCTL_DEBUG=1.
 */
export function describeError(error: unknown, env: NodeJS.ProcessEnv): string {
  const lines: string[] = [];
  if (isDrError(error)) {
    // An issue that only repeats the sentence (refusals carry one) is not printed twice.
    const issues = error.issues.filter((i) => i.message !== error.message);
    lines.push(`drctl: ${error.message}`, ...issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`));
  } else if (error instanceof UsageError) {
    lines.push(`drctl: ${error.message}`, 'Run drctl --help (or drctl COMMAND --help) for the usage.');
  } else {
    const message = firstSentence(error instanceof Error ? error.message : String(error));
    lines.push(
      `drctl: internal failure: ${message}${debugEnabled(env) ? '' : ' (set DRCTL_DEBUG=1 to see the stack trace)'}`,
    );
  }
  if (debugEnabled(env) && error instanceof Error && error.stack) lines.push(error.stack);
  return lines.join('\n');
}
