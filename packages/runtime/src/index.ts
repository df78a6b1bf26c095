// Public API of @drctl/runtime: the composition root shared by the CLI and the HTTP server.
export { openWorkspace, readEnvironment, settingsFor, BUILT_IN_STORAGE } from './workspace.js';
export type { Workspace, WorkspaceOptions, StorageChoice } from './workspace.js';
export { measureStorageThroughput } from './bench/storage-throughput.js';
export type { StorageThroughputOptions, StorageThroughputResult } from './bench/storage-throughput.js';
export { checkSameInvocation, invocationOf, isCrashRehearsal, loadRunInvocation } from './invocation.js';
export type { RequestedInvocation, RunInvocation } from './invocation.js';
export { measureStorageRoundTrips } from './bench/storage-round-trips.js';
export type { RoundTripCommand, StorageRoundTripsResult } from './bench/storage-round-trips.js';
export { runCheck, checkExitCode } from './check/run-check.js';
export type { CheckOptions, CheckReport } from './check/run-check.js';
export { LIVE_COVERAGE } from './check/live-sources.js';
export type { LiveSourceReport } from './check/live-sources.js';
export { predict, compareSettings } from './predict/predict.js';
export type { PredictOptions, Comparison } from './predict/predict.js';
export type { Prediction, PredictedStep, PredictedGroup, PredictedVm } from './predict/prediction.js';
export { learnTimings } from './predict/learned-timings.js';
export type { TimingSource, LearnedTimings } from './predict/learned-timings.js';
export { renderGanttSvg } from './predict/gantt-svg.js';
