/**
 * Reading DSM objects. Field names arrive in camelCase in every known sample, but DSM treats keys
 * case-insensitively, so every read goes through `field` and tolerates another casing. Objects
 * are normalised here, at the boundary, into the small shapes the adapter works with.
 */
export type Wire = Record<string, unknown>;

export function field(obj: unknown, name: string): unknown {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const record = obj as Wire;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

export function str(obj: unknown, name: string): string | undefined {
  const v = field(obj, name);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

export function bool(obj: unknown, name: string): boolean | undefined {
  const v = field(obj, name);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.toLowerCase() === 'true' ? true : v.toLowerCase() === 'false' ? false : undefined;
  return undefined;
}

export function num(obj: unknown, name: string): number | undefined {
  const v = field(obj, name);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A reference to another object: `{instanceId, instanceName, objectType}`. */
export interface Ref {
  id: string;
  name: string;
}

export function ref(obj: unknown, name: string): Ref | undefined {
  const v = field(obj, name);
  const id = str(v, 'instanceId');
  if (!id) return undefined;
  return { id, name: str(v, 'instanceName') ?? str(v, 'name') ?? '' };
}

/** The Storage Center serial number an instanceId belongs to: its first dotted component. */
export function ssnOfId(instanceId: string): number {
  return Number.parseInt(instanceId.split('.')[0] ?? '', 10);
}

/** Sizes are strings such as "1.073741824E9 Bytes" or "2748779069440 Bytes". */
export function bytes(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const n = Number.parseFloat(value.trim().split(/\s+/)[0] ?? '');
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Dates come as ISO-8601 ("2015-09-28T14:00:59-05:00") or as "12/09/2014 03:52:08 PM" (older DSM,
 * zone unknown: read as UTC). An unset date is the epoch in the server's zone (year 1969/1970).
 */
export function dsmDate(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ?(AM|PM)$/i.exec(value.trim());
  let ms: number;
  if (us) {
    const [, mo, d, y, h, mi, s, ampm] = us;
    let hour = Number(h) % 12;
    if (ampm!.toUpperCase() === 'PM') hour += 12;
    ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), hour, Number(mi), Number(s));
  } else {
    ms = Date.parse(value);
  }
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).getUTCFullYear() <= 1970 ? undefined : ms;
}
