import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DrError } from '@drctl/domain';

function refuse(option: string, path: string, problem: string): never {
  throw new DrError('DR_INPUT_INVALID', `${option} ${path}: ${problem}.`, {
    issues: [{ path: option, message: problem }],
  });
}

/**
 * Checks, before anything starts, that a file a command will write (`--report`, `-o`) can be
 * written: not a folder, in a folder that exists and that this user may write to. Returns the
 * absolute path. A run must not be left half-done because its report copy cannot be written.
 */
export function writableFile(option: string, cwd: string, file: string): string {
  const path = resolve(cwd, file);
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) refuse(option, path, 'is a folder, not a file');
  if (existing && !existing.isFile()) refuse(option, path, 'is not a regular file');
  const folder = dirname(path);
  try {
    if (!statSync(folder).isDirectory()) refuse(option, path, `${folder} is not a folder`);
  } catch (error) {
    if (error instanceof DrError) throw error;
    refuse(option, path, `the folder ${folder} does not exist`);
  }
  try {
    accessSync(existing ? path : folder, constants.W_OK);
  } catch {
    refuse(option, path, existing ? 'is not writable' : `the folder ${folder} is not writable`);
  }
  return path;
}
