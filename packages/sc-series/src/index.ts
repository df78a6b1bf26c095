// Public API of @drctl/sc-series: the SC Series storage adapter over the Dell Storage Manager REST API.
export { createScSeriesAdapter } from './adapter.js';
export type { ScSeriesAdapter, ScSeriesAdapterOptions } from './adapter.js';
export type { QosNode } from './dsm/api.js';
export { checkProtectable } from './protectable.js';
export { chooseSnapshot, selectableSnapshotHonoured } from './snapshot-selection.js';
export type { SnapshotChoice, SnapshotSource, Table1Verdict } from './snapshot-selection.js';
export { resolveDsmPassword, scSeriesConnectionFromEnvironment } from './credentials.js';
export type { PasswordSource, ScSeriesConnection } from './credentials.js';
export { REDACTED_PATHS } from './logging.js';
export { testVolumeName } from './commands/test-failover.js';
export { RESTORE_POINT_NOTE } from './commands/failover.js';
export { DsmHttpError, DsmConnectionError, DsmProtocolError } from './http/errors.js';
export { readDsmInventory } from './inventory.js';
export type { DsmInventory, DsmInventoryOptions } from './inventory.js';
