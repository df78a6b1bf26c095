import { apiVersionAtLeast } from '../protocol/api-version.js';
import type { DateStyle, SizeStyle } from '../protocol/format.js';
import type { FilterShape } from '../protocol/filters.js';

/**
 * What changes on the wire with the server's API version (dsm-rest.md §1.2, §5):
 * - below 2.2 GetList takes the legacy filter body, DELETE ScMappingProfile answers a bare `true`;
 * - below 4.0 folder paths have no leading slash (root `""`), sizes are Java doubles and replay
 *   times are `MM/dd/yyyy hh:mm:ss AM`; from 4.0 paths start with `/`, sizes are whole bytes and
 *   times are ISO with an offset.
 */
export interface WireStyle {
  apiVersion: string;
  filterShape: FilterShape;
  sizeStyle: SizeStyle;
  dateStyle: DateStyle;
  slashFolderPaths: boolean;
  /** `{"result": true}` (15.3+) rather than a bare `true` from DELETE calls. */
  wrappedDeleteResult: boolean;
}

export function wireStyleFor(apiVersion: string): WireStyle {
  const modern = apiVersionAtLeast(apiVersion, '4.0');
  const filters22 = apiVersionAtLeast(apiVersion, '2.2');
  return {
    apiVersion,
    filterShape: filters22 ? 'wrapped' : 'legacy',
    sizeStyle: modern ? 'integer' : 'java-double',
    dateStyle: modern ? 'iso' : 'us',
    slashFolderPaths: modern,
    wrappedDeleteResult: filters22,
  };
}
