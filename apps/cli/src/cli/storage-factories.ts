import type { WorkspaceOptions } from '@drctl/runtime';

/**
 * Storage adapters for array-manager kinds the runtime does not build itself. The runtime builds
 * every kind there is today (`BUILT_IN_STORAGE`: simulated arrays, SC Series over the DSM REST
 * API against its in-process Data Collector simulator, vSphere Replication); an adapter for a new
 * kind, or one that talks to a real Data Collector, plugs in here.
 */
export const STORAGE_FACTORIES: NonNullable<WorkspaceOptions['storageFactories']> = {};
