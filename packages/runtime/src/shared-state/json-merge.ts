/**
 * Three-way merge of JSON documents several processes change: `base` is what this process last
 * read or wrote, `ours` what it holds now, `theirs` what the store holds now. What this process
 * did not change is taken from theirs; what it changed wins. Objects merge key by key; lists of
 * records with an identity (`id`, `name`, `vm`, `datastore`, `host`, `key`, `instanceId`) merge
 * record by record; other lists that both sides only appended to keep both appends; any other
 * list is taken whole from the side that changed it (ours when both did).
 */
export function mergeJson(base: unknown, ours: unknown, theirs: unknown): unknown {
  if (same(ours, base)) return theirs;
  if (same(theirs, base)) return ours;
  if (isRecord(base) && isRecord(ours) && isRecord(theirs)) return mergeRecords(base, ours, theirs);
  if (Array.isArray(base) && Array.isArray(ours) && Array.isArray(theirs)) return mergeLists(base, ours, theirs);
  return ours;
}

const IDENTITY_FIELDS = ['id', 'instanceId', 'name', 'vm', 'datastore', 'host', 'key'] as const;

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function mergeRecords(base: JsonRecord, ours: JsonRecord, theirs: JsonRecord): JsonRecord {
  const merged: JsonRecord = {};
  for (const key of new Set([...Object.keys(theirs), ...Object.keys(ours)])) {
    const value = mergeJson(base[key], ours[key], theirs[key]);
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The identity field every record of the lists has (a string or number), if any. */
function identityOf(lists: unknown[][]): string | undefined {
  const items = lists.flat();
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  return IDENTITY_FIELDS.find((field) =>
    items.every((item) => {
      const id = item[field];
      return typeof id === 'string' || typeof id === 'number';
    }),
  );
}

function mergeLists(base: unknown[], ours: unknown[], theirs: unknown[]): unknown[] {
  const field = identityOf([base, ours, theirs]);
  if (field !== undefined) {
    const index = (list: unknown[]) => new Map(list.map((item) => [String((item as JsonRecord)[field]), item]));
    const [b, o, t] = [index(base), index(ours), index(theirs)];
    const merged: unknown[] = [];
    // Their order first, then records only this process added.
    for (const id of new Set([...t.keys(), ...o.keys()])) {
      const value = mergeJson(b.get(id), o.get(id), t.get(id));
      if (value !== undefined) merged.push(value);
    }
    return merged;
  }
  const appendedTo = (list: unknown[]) => list.length >= base.length && base.every((item, i) => same(item, list[i]));
  if (appendedTo(ours) && appendedTo(theirs)) return [...theirs, ...ours.slice(base.length)];
  return ours;
}
