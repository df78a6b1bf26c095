/** Keys whose values are secrets wherever they appear (connection settings, tokens, answers with credentials). */
const SECRET_KEY = /pass(word|phrase)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie/i;

export const REDACTED = '[redacted]';

/**
 * A JSON-safe copy of `value` for the wire: secrets under secret-looking keys replaced, objects'
 * own `toJSON` honoured (XState snapshots and actor refs), functions named instead of dropped,
 * cycles cut, and nesting beyond `depthLimit` replaced by a marker instead of the whole value.
 */
export function toWire(value: unknown, depthLimit = 64): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function') return { type: v.name || 'function' };
    if (typeof v !== 'object') return undefined;
    const withJson = v as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function' && !(v instanceof Date)) {
      const json = withJson.toJSON();
      if (json !== v) return walk(json, depth);
    }
    if (v instanceof Date) return v.toISOString();
    if (depth >= depthLimit) return '[depth limit]';
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1) ?? null);
      if (v instanceof Map) return walk(Object.fromEntries(v), depth);
      if (v instanceof Set) return walk([...v], depth);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        if (SECRET_KEY.test(key) && item !== undefined && item !== null && typeof item !== 'object') {
          out[key] = REDACTED;
          continue;
        }
        const converted =
          SECRET_KEY.test(key) && item !== null && typeof item === 'object' ? REDACTED : walk(item, depth + 1);
        if (converted !== undefined) out[key] = converted;
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, 0);
}

/** `toWire` for one object (a context or an event), keeping its type for the callers. */
export function sanitize<T>(value: T, depthLimit?: number): T {
  return toWire(value, depthLimit) as T;
}
