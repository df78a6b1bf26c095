/**
 * How program.ts runs a command's body: errors become a message (or a JSON error) and an exit
 * code. Commands kept in their own files receive it, so program.ts registers each with one line.
 */
export type ActionWrapper = <A extends unknown[]>(
  body: (...args: A) => Promise<number>,
) => (...args: A) => Promise<void>;
