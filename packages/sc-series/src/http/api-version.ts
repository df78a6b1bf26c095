/**
 * API version handling. DSM refuses a Login whose `x-dell-api-version` it does not support with
 * 400 and a `result` starting "Invalid API version specified, the version must be in the range [";
 * only that prefix is known, so the range is read leniently.
 */
const NEGOTIATION_PREFIX = /invalid api version specified/i;

export function isVersionRejection(resultText: string): boolean {
  return NEGOTIATION_PREFIX.test(resultText) && resultText.includes('[');
}

/**
 * The version to retry with: the range's upper bound when we asked for more than it, otherwise its
 * lower bound (what Cinder does). Undefined when no number follows the `[`.
 */
export function negotiatedVersion(resultText: string, requested: string): string | undefined {
  const afterBracket = resultText.slice(resultText.indexOf('[') + 1);
  const numbers = afterBracket.match(/\d+(?:\.\d+)*/g) ?? [];
  const lower = numbers[0];
  if (lower === undefined) return undefined;
  const upper = afterBracket.indexOf(']') > afterBracket.indexOf(lower) ? numbers[1] : undefined;
  if (upper !== undefined && compareVersions(requested, upper) > 0) return upper;
  return lower;
}

/** Numeric comparison of dotted versions: "4.10" > "4.2". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** API 2.0 and 2.1 (EM 15.1/15.2) take GetList filters without the outer `filter` key. */
export function usesLegacyFilters(apiVersion: string): boolean {
  return compareVersions(apiVersion, '2.2') < 0;
}
