import type { z } from 'zod';
import type { InputIssue } from '../errors.js';
import {
  arrayManagerSchema,
  arrayPairSchema,
  arraySchema,
  datastoreSchema,
  planSchema,
  protectionGroupSchema,
  resourceMappingSchema,
  siteSchema,
  vmSchema,
  volumeSchema,
  type Environment,
} from './environment.js';
import { checkReferences } from './references.js';

/** The top-level lists whose entries name each other, with the schema of one entry. */
const ENTRY_SCHEMAS = {
  sites: siteSchema,
  resourceMappings: resourceMappingSchema,
  arrayManagers: arrayManagerSchema,
  arrays: arraySchema,
  arrayPairs: arrayPairSchema,
  volumes: volumeSchema,
  datastores: datastoreSchema,
  vms: vmSchema,
  protectionGroups: protectionGroupSchema,
  plans: planSchema,
} satisfies Record<string, z.ZodType>;
type ListKey = keyof typeof ENTRY_SCHEMAS;

/** Collects every `name` and `id` written inside a value (an entry that failed the schema). */
function namesWithin(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => namesWithin(v, into));
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'name' || key === 'id') && typeof v === 'string') into.add(v);
      else namesWithin(v, into);
    }
  }
}

/**
 * The cross-reference problems of an environment that failed the schema, so that one run reports
 * both kinds. The entries of each list that pass their own schema are checked; paths keep the
 * file's indexes. A reference to an entry that is in the file but failed the schema is not
 * reported: the schema problem already points at that entry. When the top level or one of the
 * lists is itself unusable, there is nothing sound to check and the result is empty.
 */
export function referenceIssuesDespiteSchemaErrors(value: unknown): InputIssue[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const root = value as Record<string, unknown>;
  const kept = new Map<ListKey, { entries: unknown[]; indexes: number[] }>();
  const failedNames = new Set<string>();
  for (const [key, element] of Object.entries(ENTRY_SCHEMAS) as Array<[ListKey, z.ZodType]>) {
    const raw = root[key] ?? [];
    if (!Array.isArray(raw)) return [];
    const entries: unknown[] = [];
    const indexes: number[] = [];
    raw.forEach((entry: unknown, i) => {
      const parsed = element.safeParse(entry);
      if (parsed.success) {
        entries.push(parsed.data);
        indexes.push(i);
      } else namesWithin(entry, failedNames);
    });
    kept.set(key, { entries, indexes });
  }
  const list = <K extends ListKey>(key: K) => (kept.get(key)?.entries ?? []) as Environment[K];
  const partial: Environment = {
    version: 1,
    name: '',
    seed: 1,
    settings: {},
    sites: list('sites'),
    resourceMappings: list('resourceMappings'),
    arrayManagers: list('arrayManagers'),
    arrays: list('arrays'),
    arrayPairs: list('arrayPairs'),
    volumes: list('volumes'),
    datastores: list('datastores'),
    vms: list('vms'),
    protectionGroups: list('protectionGroups'),
    plans: list('plans'),
  };
  return checkReferences(partial, failedNames).map((issue) => ({
    ...issue,
    path: issue.path.replace(/^(\w+)\[(\d+)\]/, (whole, key: string, index: string) => {
      const original = kept.get(key as ListKey)?.indexes[Number(index)];
      return original === undefined ? whole : `${key}[${original}]`;
    }),
  }));
}
