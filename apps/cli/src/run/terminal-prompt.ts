import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { CliIo } from '../cli/io.js';

/** Who answers: `$DRCTL_USER`, else the login name. Answers are attributed in the report. */
export function operatorName(io: CliIo): string {
  const fromEnv = io.env['DRCTL_USER']?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

/**
 * Asks a prompt's question on the terminal. Resolves with the answer, or `null` when the operator
 * pressed Ctrl-C (the caller cancels the run) or closed the input.
 */
export function askOnTerminal(io: CliIo, text: string, vm?: string): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: true });
    let settled = false;
    const finish = (answer: string | null) => {
      if (settled) return;
      settled = true;
      rl.close();
      resolve(answer);
    };
    rl.on('SIGINT', () => finish(null));
    rl.on('close', () => finish(null));
    io.stdout.write(`\n${vm ? `[${vm}] ` : ''}${text}\n`);
    rl.question('Answer (Enter to continue, Ctrl-C to cancel the run): ', (answer) =>
      finish(answer.trim() === '' ? 'continue' : answer.trim()),
    );
  });
}
