/** DSM API versions are `major.minor` strings compared numerically (`"4.10"` > `"4.2"`). */
export interface ApiVersion {
  major: number;
  minor: number;
}

export function parseApiVersion(text: string | undefined): ApiVersion | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2] ?? '0') };
}

export function compareApiVersions(a: ApiVersion, b: ApiVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

export function apiVersionAtLeast(version: string, minimum: string): boolean {
  const a = parseApiVersion(version);
  const b = parseApiVersion(minimum);
  if (!a || !b) return false;
  return compareApiVersions(a, b) >= 0;
}

/**
 * The exact prefix Cinder's `_check_version_fail` looks for; it then takes the text between `[`
 * and the first comma as the version to retry with. What real DSM writes after the range is
 * not public, so the simulator ends the sentence there.
 */
export const INVALID_API_VERSION_PREFIX = 'Invalid API version specified, the version must be in the range [';

export function invalidApiVersionMessage(minimum: string, maximum: string): string {
  return `${INVALID_API_VERSION_PREFIX}${minimum}, ${maximum}]`;
}
