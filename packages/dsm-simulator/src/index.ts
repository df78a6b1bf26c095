// Public API of @drctl/dsm-simulator: a Dell Storage Manager (DSM) Data Collector REST API
// simulator over HTTPS on loopback, seeded from a drctl environment, with fault injection and
// counters of state-changing calls.
export { startDsmSimulator, DEFAULT_CREDENTIALS, DSM_SIMULATOR_STATE_FORMAT } from './server/start.js';
export type { DsmSimulator, DsmSimulatorOptions, DsmSimulatorState } from './server/start.js';
export { generateTlsMaterial } from './server/tls.js';
export type { TlsMaterial } from './server/tls.js';
export { FaultInjector } from './server/fault-injector.js';
export type { ActiveFault, AsyncUrlVariant, FaultKind, FaultMatch, FaultSpec } from './server/faults.js';
export { CallCounters } from './server/counters.js';
export type { CallCount, CallFilter, CallKey } from './server/counters.js';
export { RequestTally } from './server/request-tally.js';
export type { RequestCount, RequestFilter, RequestKind } from './server/request-tally.js';
export type { AsyncTaskSettings } from './server/async-tasks.js';
export type { Credentials } from './server/sessions.js';
export { SESSION_COOKIE } from './server/sessions.js';

export { DsmModel } from './model/dsm-model.js';
export { SRM_SELECTABLE_SNAPSHOT_MODES } from './model/state.js';
export type { DataCollectorSettings, SrmSelectableSnapshotMode } from './model/state.js';
export { SanExport } from './san/san-export.js';
export type { SanExportOptions } from './san/san-export.js';
export { DSM_MODEL_STATE_FORMAT } from './model/persistence.js';
export type { DsmModelState } from './model/persistence.js';
export { seedFromEnvironment, hostIqn, dsmSelectableSnapshotOf } from './seed/from-environment.js';
export type { EnvironmentSeedOptions } from './seed/from-environment.js';
export type {
  DsmSeed,
  SeedStorageCenter,
  SeedServer,
  SeedQosNode,
  SeedVolume,
  SeedReplay,
  SeedReplication,
  SeedLiveVolume,
  SeedConsistencyGroup,
} from './seed/seed.js';

export { INVALID_API_VERSION_PREFIX, invalidApiVersionMessage } from './protocol/api-version.js';
export { javaDoubleString, parseSize, sizeString, isoDateString, usDateString } from './protocol/format.js';
export { parseListFilter, applyListFilter } from './protocol/filters.js';
export type { ListFilter, FilterCondition, FilterShape } from './protocol/filters.js';
export { ALL_ROUTES } from './routes/all-routes.js';
export type { Route, RouteKind } from './routes/route.js';
