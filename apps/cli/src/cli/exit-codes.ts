import { isDrError, type RunResult } from '@drctl/domain';

/**
 * drctl's exit codes, documented in docs/cli.md. Scripts branch on them, so they never change
 * meaning: 0 all good; 1 the run finished but not cleanly (warnings, errors, incomplete, cancelled,
 * interrupted); 2 the input was bad or the operation was refused, nothing ran; 3 drctl itself failed.
 */
export const EXIT_CODES = {
  success: 0,
  finishedWithProblems: 1,
  badInputOrRefused: 2,
  internalFailure: 3,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit code of a finished run, from its report's result. */
export function exitCodeForResult(result: RunResult): ExitCode {
  return result === 'success' ? EXIT_CODES.success : EXIT_CODES.finishedWithProblems;
}

const USER_ERROR_CODES = new Set([
  'DR_INPUT_INVALID',
  'DR_SETTING_INVALID',
  'DR_OPERATION_REFUSED',
  'DR_RUN_NOT_FOUND',
]);

/** Bad input and refusals are the operator's to fix (2); anything else is drctl's failure (3). */
export function exitCodeForError(error: unknown): ExitCode {
  if (isDrError(error) && USER_ERROR_CODES.has(error.code)) return EXIT_CODES.badInputOrRefused;
  return EXIT_CODES.internalFailure;
}
