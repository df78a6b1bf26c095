import * as jsYaml from 'js-yaml';
import type { z } from 'zod';
import { DrError, formatPath, type InputIssue } from '../errors.js';
import { environmentSchema, type Environment } from './environment.js';
import { referenceIssuesDespiteSchemaErrors } from './partial-references.js';
import { checkReferences } from './references.js';
import { settleSelectableSnapshot } from './selectable-snapshot.js';

export interface LoadOptions {
  /** Name of the file, used in messages. */
  source?: string;
  /**
   * Reads an included file (path as written in `include:`, relative to the including file).
   * The domain does no I/O: the caller decides how files are read. Without it, `include:` is refused.
   */
  readInclude?: (path: string) => string;
}

/** Keys whose lists are concatenated when an environment file includes others. */
const MERGEABLE = [
  'sites',
  'resourceMappings',
  'arrayManagers',
  'arrays',
  'arrayPairs',
  'volumes',
  'datastores',
  'vms',
  'protectionGroups',
  'plans',
] as const;

/**
 * YAML 1.2 core schema (no implicit timestamps: a time stays the string the file says), with
 * anchors and aliases, duplicate keys refused. js-yaml parses a 10,000-VM file in a fraction of
 * the time and memory a full document model takes. Its 4.x line builds the values as it reads;
 * 5.x first lists every parse event of the file (46 MB for a 2.5 MB file, against 12 MB), and
 * that list, alive while the collector sizes the heap for the run, cost the run ~40 MB of peak RSS.
 */
function parseYaml(text: string, source: string): unknown {
  try {
    return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: source });
  } catch (error) {
    const e = error as { reason?: string; message: string; mark?: { line: number; column: number } };
    const at = e.mark ? `${source}:${e.mark.line + 1}:${e.mark.column + 1}` : source;
    throw new DrError('DR_INPUT_INVALID', `${source} is not valid YAML.`, {
      cause: error,
      issues: [{ path: at, message: e.reason ?? e.message.split('\n')[0] ?? e.message }],
    });
  }
}

/** Resolves `include:` (a list of file paths) by concatenating the included files' lists. */
function withIncludes(
  root: Record<string, unknown>,
  options: LoadOptions,
  source: string,
  depth = 0,
): Record<string, unknown> {
  const include = root['include'];
  if (include === undefined) return root;
  const { include: _drop, ...rest } = root;
  if (!Array.isArray(include) || include.some((p) => typeof p !== 'string')) {
    throw new DrError('DR_INPUT_INVALID', `${source}: include must be a list of file paths.`, {
      issues: [{ path: 'include', message: 'expected a list of file paths' }],
    });
  }
  if (!options.readInclude) {
    throw new DrError('DR_INPUT_INVALID', `${source}: include is not supported here.`, {
      issues: [{ path: 'include', message: 'no file reader was given to resolve includes' }],
    });
  }
  if (depth > 8) {
    throw new DrError('DR_INPUT_INVALID', `${source}: includes nest too deeply (a cycle?).`, {
      issues: [{ path: 'include', message: 'more than 8 levels of include' }],
    });
  }
  const merged: Record<string, unknown> = { ...rest };
  (include as string[]).forEach((file, i) => {
    let text: string;
    try {
      text = options.readInclude!(file);
    } catch (error) {
      throw new DrError('DR_INPUT_INVALID', `${source}: cannot read included file ${file}.`, {
        cause: error,
        issues: [{ path: `include[${i}]`, message: (error as Error).message }],
      });
    }
    const parsed = parseYaml(text, file);
    const child = withIncludes(parsed as Record<string, unknown>, options, file, depth + 1);
    for (const [key, value] of Object.entries(child)) {
      if ((MERGEABLE as readonly string[]).includes(key)) {
        if (!Array.isArray(value)) {
          throw new DrError('DR_INPUT_INVALID', `${file}: ${key} must be a list.`, {
            issues: [{ path: `${file}:${key}`, message: 'expected a list' }],
          });
        }
        merged[key] = [...((merged[key] as unknown[] | undefined) ?? []), ...value];
      } else if (key === 'settings') {
        merged[key] = { ...(value as object), ...(merged[key] ?? {}) };
      } else {
        throw new DrError('DR_INPUT_INVALID', `${file}: ${key} cannot come from an included file.`, {
          issues: [{ path: `${file}:${key}`, message: `only ${MERGEABLE.join(', ')} and settings may be included` }],
        });
      }
    }
  });
  return merged;
}

/** One issue per zod problem, with the user's path. Unions report their most useful branch. */
export function zodIssues(error: z.ZodError, prefix = ''): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const issue of error.issues) {
    const path = formatPath([...(prefix ? [prefix] : []), ...issue.path]);
    if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors) && issue.errors.length > 0) {
      // Show the branch that got furthest rather than "invalid input".
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      for (const sub of best)
        issues.push({
          path: formatPath([...(prefix ? [prefix] : []), ...issue.path, ...sub.path]),
          message: sub.message,
        });
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        issues.push({
          path: formatPath([...(prefix ? [prefix] : []), ...issue.path, key]),
          message: `unknown field ${key}`,
        });
      continue;
    }
    issues.push({ path, message: issue.message });
  }
  return issues;
}

/** Validates an already-parsed object (e.g. an API body) as an environment. */
export function validateEnvironment(value: unknown, source = 'environment'): Environment {
  const result = environmentSchema.safeParse(value);
  if (!result.success) {
    // Report the cross-reference problems too, so one run shows every problem of the file.
    const issues = [...zodIssues(result.error), ...referenceIssuesDespiteSchemaErrors(value)];
    throw new DrError('DR_INPUT_INVALID', `${source} has ${issues.length} problem${issues.length > 1 ? 's' : ''}.`, {
      issues,
    });
  }
  const refIssues = checkReferences(result.data);
  if (refIssues.length === 0) refIssues.push(...settleSelectableSnapshot(result.data));
  if (refIssues.length > 0) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `${source} has ${refIssues.length} problem${refIssues.length > 1 ? 's' : ''}.`,
      { issues: refIssues },
    );
  }
  return result.data;
}

/** Parses and validates an environment file's text (YAML or JSON). */
export function loadEnvironment(text: string, options: LoadOptions = {}): Environment {
  const source = options.source ?? 'environment';
  const raw = parseYaml(text, source);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DrError('DR_INPUT_INVALID', `${source} must hold a mapping at the top level.`, {
      issues: [{ path: '(top level)', message: 'expected a mapping' }],
    });
  }
  return validateEnvironment(withIncludes(raw as Record<string, unknown>, options, source), source);
}

/**
 * Writes a value as YAML in the environment file's own dialect (core schema, the same library
 * that reads it), so a generated file loads back exactly: no anchors for shared objects, no
 * folded lines.
 */
export function formatYaml(value: unknown): string {
  return jsYaml.dump(value, { schema: jsYaml.CORE_SCHEMA, noRefs: true, lineWidth: -1 });
}
