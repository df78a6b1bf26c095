/** GetList payload filters, in the shape the negotiated API version expects. */
export type FilterValue = string | number | boolean;

export interface FilterCondition {
  attributeName: string;
  attributeValue: FilterValue;
  filterType?: 'Equals' | 'StartsWith';
}

export interface FilterGroup {
  filterType: 'AND' | 'OR';
  filters: Array<Required<FilterCondition>>;
}

/** `{filter: {...}}` for API ≥ 2.2; the bare group for 2.0/2.1. Undefined values are left out. */
export function filterPayload(
  conditions: Record<string, FilterValue | undefined> | FilterCondition[],
  legacy: boolean,
): FilterGroup | { filter: FilterGroup } {
  const list: FilterCondition[] = Array.isArray(conditions)
    ? conditions
    : Object.entries(conditions)
        .filter((entry): entry is [string, FilterValue] => entry[1] !== undefined)
        .map(([attributeName, attributeValue]) => ({ attributeName, attributeValue }));
  const group: FilterGroup = {
    filterType: 'AND',
    filters: list.map((c) => ({
      attributeName: c.attributeName,
      attributeValue: c.attributeValue,
      filterType: c.filterType ?? 'Equals',
    })),
  };
  return legacy ? group : { filter: group };
}
