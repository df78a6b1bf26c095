// Public API of @drctl/runtime: the composition root shared by the CLI and the HTTP server.
export { openWorkspace, readEnvironment, settingsFor, BUILT_IN_STORAGE } from './workspace.js';
export type { Workspace, WorkspaceOptions, StorageChoice } from './workspace.js';
export { measureStorageThroughput } from './bench/storage-throughput.js';
export type { StorageThroughputOptions, StorageThroughputResult } from './bench/storage-throughput.js';
export { measureStorageRoundTrips } from './bench/storage-round-trips.js';
export type { RoundTripCommand, StorageRoundTripsResult } from './bench/storage-round-trips.js';
