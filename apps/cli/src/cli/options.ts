import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DrError, type Environment } from '@drctl/domain';
import type { CliIo } from './io.js';

/** Options every command takes. */
export interface CommonOptions {
  json?: boolean;
}

/** Commander collector for repeatable options (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses a whole number given on the command line, naming the option when it is not one. */
/** Seeds are 32-bit, as the simulator's generator uses them. */
export const MAX_SEED = 2 ** 32 - 1;

export function wholeNumber(
  option: string,
  text: string | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new DrError('DR_INPUT_INVALID', `${option} must be a whole number ${range}, not ${JSON.stringify(text)}.`, {
      issues: [
        {
          path: option,
          message: max === Number.MAX_SAFE_INTEGER ? `expected a whole number ≥ ${min}` : `expected ${min}–${max}`,
        },
      ],
    });
  }
  return value;
}

/** Parses a fraction from 0 to 1 (`--dependencies 0.2`). */
export function fraction(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) {
    throw new DrError('DR_INPUT_INVALID', `${option} must be a fraction from 0 to 1, not ${JSON.stringify(text)}.`, {
      issues: [{ path: option, message: 'expected a number from 0 to 1' }],
    });
  }
  return value;
}

/**
 * The environment file: `--env`, else `$DRCTL_ENV`. A missing file is reported here, by the
 * option that named it, before anything is opened.
 */
export function environmentPath(io: CliIo, given: string | undefined): string {
  const path = given ?? io.env['DRCTL_ENV'];
  if (!path) {
    throw new DrError('DR_INPUT_INVALID', 'No environment file: give --env ENV.yaml (or set DRCTL_ENV).', {
      issues: [{ path: '--env', message: 'required' }],
    });
  }
  const full = resolve(io.cwd, path);
  if (!existsSync(full)) {
    throw new DrError('DR_INPUT_INVALID', `Environment file ${path} does not exist.`, {
      issues: [{ path: '--env', message: `no such file: ${path}` }],
    });
  }
  return full;
}

/** `--plan`, or the only plan of the environment when it has just one. */
export function planName(env: Environment, given: string | undefined): string {
  const known = env.plans.map((p) => p.name);
  if (given === undefined) {
    if (known.length === 1) return known[0]!;
    throw new DrError(
      'DR_INPUT_INVALID',
      `Say which plan with --plan NAME (the environment has ${known.length}: ${known.join(', ') || 'none'}).`,
      {
        issues: [{ path: '--plan', message: 'required' }],
      },
    );
  }
  if (!known.includes(given)) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `Unknown plan ${JSON.stringify(given)}; the environment has ${known.map((k) => JSON.stringify(k)).join(', ') || 'no plans'}.`,
      {
        issues: [{ path: '--plan', message: `unknown plan ${given}` }],
      },
    );
  }
  return given;
}
