import { DrError } from '@drctl/domain';

/**
 * Store keys are slash-separated paths such as `runs/<runId>/snapshot`. The file store turns them
 * into paths below its root, so a key must never be able to leave that root or collide with the
 * store's own files: no `..`, no absolute paths, no backslashes or control characters, no hidden
 * segments (the store keeps temp files and locks under dot-names), and no segment ending in the
 * store's own file suffixes (`a` is stored as `a.json`, so a directory `a.json/` would collide).
 */
const MAX_SEGMENT_LENGTH = 200;
const RESERVED_SUFFIXES = ['.json', '.jsonl', '.lock'];
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'has an empty segment (leading, trailing or double slash)';
  if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
  if (segment.startsWith('.')) return `has a segment starting with "." (${segment}), which the store reserves`;
  if (FORBIDDEN_CHARACTERS.test(segment)) return 'contains a backslash or a control character';
  if (segment.length > MAX_SEGMENT_LENGTH) return `has a segment longer than ${MAX_SEGMENT_LENGTH} characters`;
  const suffix = RESERVED_SUFFIXES.find((s) => segment.toLowerCase().endsWith(s));
  if (suffix !== undefined) return `has a segment ending in ${suffix}, which the store reserves for its files`;
  return undefined;
}

function invalidKey(what: string, key: string, problem: string): DrError {
  return new DrError('DR_INPUT_INVALID', `Store ${what} ${JSON.stringify(key)} ${problem}.`, {
    issues: [{ path: what, message: problem }],
  });
}

/** Checks a key and returns its segments; throws DrError(DR_INPUT_INVALID) naming the problem. */
export function keySegments(key: string, what: 'key' | 'prefix' | 'lock name' = 'key'): string[] {
  if (typeof key !== 'string' || key.length === 0) throw invalidKey(what, String(key), 'is empty');
  if (key.startsWith('/')) throw invalidKey(what, key, 'is an absolute path');
  const segments = key.split('/');
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) throw invalidKey(what, key, problem);
  }
  return segments;
}

/** Checks a key; returns it unchanged so calls can be inlined. */
export function validateKey(key: string): string {
  keySegments(key);
  return key;
}

/**
 * A list prefix names a "folder" of keys: `runs` and `runs/` are the same; `''` is the top level.
 * Returns the normalised prefix without a trailing slash.
 */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw invalidKey('prefix', String(prefix), 'is not a string');
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (trimmed === '') return '';
  keySegments(trimmed, 'prefix');
  return trimmed;
}

/** Joins a normalised prefix and a child name into a key. */
export function childKey(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}
