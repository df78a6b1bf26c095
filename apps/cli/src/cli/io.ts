/**
 * Where a command reads and writes. The binary passes the process's streams; tests pass buffers,
 * so commands never touch `process.stdout` directly.
 */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** The working directory relative paths resolve from. */
  cwd: string;
}

/**
 * The process's streams. Under `pnpm drctl …` the package manager starts drctl at the repository
 * root; paths the operator typed are relative to where they typed them (INIT_CWD).
 */
export function processIo(): CliIo {
  const viaScript = process.env['npm_lifecycle_event'] === 'drctl' && process.env['INIT_CWD'];
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: viaScript ? process.env['INIT_CWD']! : process.cwd(),
  };
}

/** True when a person is watching: progress redraws and prompts are asked on the terminal. */
export function isInteractive(io: CliIo): boolean {
  return Boolean(io.stdout.isTTY) && Boolean(io.stdin.isTTY) && io.env['TERM'] !== 'dumb';
}

/** Writes one line to stdout. */
export function println(io: CliIo, line = ''): void {
  io.stdout.write(`${line}\n`);
}

/** Writes one JSON document as a line: the only thing `--json` output contains. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}
