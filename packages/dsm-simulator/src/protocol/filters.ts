import { asBoolean, field, isJsonObject, type JsonObject } from './body.js';
import { badRequest, ok, type Outcome } from './outcome.js';

/**
 * `POST …/GetList` filters. Two shapes exist (dsm-rest.md §1.7):
 * - API 2.2 and later (`PayloadFilter`): `{"filter": {"filterType": "AND", "filters": [...]}}`
 * - API 2.0/2.1 (`LegacyPayloadFilter`): the same object without the outer `"filter"` key.
 * Keys are accepted in any case (Puppet sends `Filter`, `FilterType`, `AttributeName`…).
 * An empty body (`{}`, ucamdsm) returns every object.
 */
export const ATTRIBUTE_FILTER_TYPES = [
  'Equals',
  'StartsWith',
  'GreaterThan',
  'GreaterThanOrEqual',
  'LessThan',
  'LessThanOrEqual',
  'IncludedInString',
  'IncludesStr',
] as const;
export type AttributeFilterType = (typeof ATTRIBUTE_FILTER_TYPES)[number];

export interface FilterCondition {
  attributeName: string;
  attributeValue: unknown;
  filterType: AttributeFilterType;
}

export interface ListFilter {
  combine: 'AND' | 'OR';
  conditions: FilterCondition[];
}

export type FilterShape = 'legacy' | 'wrapped';

export const MATCH_EVERYTHING: ListFilter = { combine: 'AND', conditions: [] };

/**
 * Parses a GetList body. `expected` is the shape the server's API version speaks; with
 * `acceptEitherShape` the other shape is accepted too. The wrong shape is refused so an adapter
 * that ignores the negotiated version is caught.
 */
export function parseListFilter(body: unknown, expected: FilterShape, acceptEitherShape = false): Outcome<ListFilter> {
  if (body === undefined || body === null) return ok(MATCH_EVERYTHING);
  if (!isJsonObject(body)) return badRequest('Invalid body format: a GetList body must be a JSON object.');
  const wrapper = field(body, 'filter');
  const looksLegacy = field(body, 'filters') !== undefined || field(body, 'filterType') !== undefined;
  if (wrapper === undefined && !looksLegacy) return ok(MATCH_EVERYTHING);

  if (wrapper !== undefined) {
    if (expected === 'legacy' && !acceptEitherShape) {
      return badRequest(
        'Invalid attribute name filter: this API version expects the filter attributes at the top level of the body.',
      );
    }
    if (!isJsonObject(wrapper)) return badRequest('Invalid body format: "filter" must be an object.');
    return parseFilterObject(wrapper);
  }
  if (expected === 'wrapped' && !acceptEitherShape) {
    return badRequest(
      'Invalid attribute name filterType: this API version expects the filter inside a "filter" object.',
    );
  }
  return parseFilterObject(body);
}

function parseFilterObject(filter: JsonObject): Outcome<ListFilter> {
  const combineText = field(filter, 'filterType') ?? 'AND';
  const combine = typeof combineText === 'string' ? combineText.toUpperCase() : '';
  if (combine !== 'AND' && combine !== 'OR') {
    return badRequest(
      `Invalid attribute value format: filterType must be AND or OR, not ${JSON.stringify(combineText)}.`,
    );
  }
  const rawConditions = field(filter, 'filters') ?? [];
  if (!Array.isArray(rawConditions)) return badRequest('Invalid body format: "filters" must be a list.');
  const conditions: FilterCondition[] = [];
  for (const [index, raw] of rawConditions.entries()) {
    if (!isJsonObject(raw)) return badRequest(`Invalid body format: filters[${index}] must be an object.`);
    const attributeName = field(raw, 'attributeName');
    if (typeof attributeName !== 'string' || attributeName === '') {
      return badRequest(`Invalid body format: filters[${index}].attributeName is missing.`);
    }
    const typeText = field(raw, 'filterType') ?? 'Equals';
    const filterType = ATTRIBUTE_FILTER_TYPES.find(
      (t) => typeof typeText === 'string' && t.toLowerCase() === typeText.toLowerCase(),
    );
    if (!filterType) {
      return badRequest(
        `Invalid attribute value format: filters[${index}].filterType ${JSON.stringify(typeText)} is not supported.`,
      );
    }
    conditions.push({ attributeName, attributeValue: field(raw, 'attributeValue'), filterType });
  }
  return ok({ combine, conditions });
}

export function applyListFilter<T extends JsonObject>(items: readonly T[], filter: ListFilter): T[] {
  if (filter.conditions.length === 0) return [...items];
  return items.filter((item) => matchesFilter(item, filter));
}

export function matchesFilter(item: JsonObject, filter: ListFilter): boolean {
  const results = filter.conditions.map((condition) => matchesCondition(item, condition));
  return filter.combine === 'AND' ? results.every(Boolean) : results.some(Boolean);
}

/** Attribute names are case-insensitive; a dotted name reads into a reference (`volume.instanceId`). */
function attributeOf(item: JsonObject, name: string): unknown {
  let current: unknown = item;
  for (const part of name.split('.')) current = field(current, part);
  return current;
}

function matchesCondition(item: JsonObject, condition: FilterCondition): boolean {
  const actual = attributeOf(item, condition.attributeName);
  if (actual === undefined) return false;
  const expected = condition.attributeValue;
  switch (condition.filterType) {
    case 'Equals':
      return valuesEqual(actual, expected);
    case 'StartsWith':
      return text(actual).startsWith(text(expected));
    case 'IncludedInString':
    case 'IncludesStr':
      return text(actual).includes(text(expected));
    case 'GreaterThan':
      return compare(actual, expected) > 0;
    case 'GreaterThanOrEqual':
      return compare(actual, expected) >= 0;
    case 'LessThan':
      return compare(actual, expected) < 0;
    case 'LessThanOrEqual':
      return compare(actual, expected) <= 0;
  }
}

/** Lower-cased text; references compare by their instanceId. */
function text(value: unknown): string {
  if (isJsonObject(value)) return text(field(value, 'instanceId'));
  if (value === null || value === undefined) return '';
  return String(value).toLowerCase();
}

/**
 * Equality as clients rely on it: `64702` equals `"64702"`, `true` equals `"True"`, and strings
 * compare case-insensitively (Cinder upper-cases HBA names and server ids before looking them up).
 */
function valuesEqual(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'boolean') return asBoolean(expected) === actual;
  if (typeof actual === 'number') return Number(expected) === actual && expected !== '' && expected !== null;
  return text(actual) === text(expected);
}

function compare(actual: unknown, expected: unknown): number {
  const a = leadingNumber(actual);
  const b = leadingNumber(expected);
  if (a !== undefined && b !== undefined) return a - b;
  return text(actual).localeCompare(text(expected));
}

/** `"1.073741824E9 Bytes"` → 1073741824, `42` → 42. */
function leadingNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const n = Number(value.trim().split(' ')[0]);
  return Number.isFinite(n) && value.trim() !== '' ? n : undefined;
}
