import { readFileSync } from 'node:fs';

/** The wire shapes this package keeps as fixtures (facts from public DSM clients). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary DSM JSON
export const fixtures: Record<string, any> = JSON.parse(
  readFileSync(new URL('../fixtures/dsm-wire-shapes.json', import.meta.url), 'utf8'),
);

/** JSON type of a value as a word: string, number, boolean, null, array, object. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Keys of `expected` missing from `actual` or present with another JSON type. Values written as
 * `"<placeholder>"` in the reference match any type.
 */
export function shapeDifferences(
  actual: Record<string, unknown>,
  expected: Record<string, unknown>,
  ignore: string[] = [],
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(expected)) {
    if (ignore.includes(key)) continue;
    if (!(key in actual)) {
      problems.push(`missing ${key}`);
      continue;
    }
    const placeholder = typeof value === 'string' && /^<.*>$/.test(value);
    if (!placeholder && value !== null && jsonType(actual[key]) !== jsonType(value))
      problems.push(`${key}: ${jsonType(actual[key])} instead of ${jsonType(value)}`);
  }
  return problems;
}
