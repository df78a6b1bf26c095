import type { WorkspaceOptions } from '@drctl/runtime';

/**
 * Storage adapters for array-manager kinds the runtime does not build itself. The runtime builds
 * `simulated`; the SC Series adapter (over the DSM REST API) plugs in here once it is ready:
 * `'sc-series': (manager, { env, clock, logger }) => createScSeriesAdapter(...)`.
 */
export const STORAGE_FACTORIES: NonNullable<WorkspaceOptions['storageFactories']> = {};
