/**
 * Request bodies, read the lenient way real DSM does: keys in any case (Cinder sends
 * `description`, other clients `Description`; Cinder `server`, the cookbook `Server`), Storage
 * Center references as a number or a string, object references as an id or an
 * `{instanceId}` object, booleans as `true` or `"True"`.
 */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value under `name`, matching the key case-insensitively. */
export function field(body: unknown, name: string): unknown {
  if (!isJsonObject(body)) return undefined;
  if (name in body) return body[name];
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export function hasField(body: unknown, name: string): boolean {
  return field(body, name) !== undefined;
}

export function stringField(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** `true`, `"true"`, `"True"` → true; `false`, `"false"` → false; anything else → undefined. */
export function booleanField(body: unknown, name: string): boolean | undefined {
  return asBoolean(field(body, name));
}

export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

export function numberField(body: unknown, name: string): number | undefined {
  const value = field(body, name);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** An object reference: `"64702.3494"`, `64702`, or `{"instanceId": "64702.3494"}`. */
export function referenceField(body: unknown, name: string): string | undefined {
  return asReference(field(body, name));
}

export function asReference(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (isJsonObject(value)) return asReference(field(value, 'instanceId'));
  return undefined;
}

export function referenceListField(body: unknown, name: string): string[] | undefined {
  const value = field(body, name);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return undefined;
  return value.map(asReference).filter((id): id is string => id !== undefined);
}
