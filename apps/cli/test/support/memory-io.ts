import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/index.js';

/** A CliIo over in-memory streams: what a command printed, without a process. */
export function memoryIo(
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { ...options.env },
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
