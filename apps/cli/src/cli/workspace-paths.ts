import { dirname, join, resolve } from 'node:path';
import type { CliIo } from './io.js';

/** The state folder a workspace uses: `--state-dir`, else `.drctl` beside the environment file. */
export function stateDirFor(io: CliIo, environmentPath: string, given: string | undefined): string {
  return given ? resolve(io.cwd, given) : join(dirname(resolve(io.cwd, environmentPath)), '.drctl');
}
