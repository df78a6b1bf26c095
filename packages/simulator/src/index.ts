// Public API of @drctl/simulator: the simulated vCenters and arrays behind drctl's compute and
// storage ports, their fault injection, and synthetic environments for scale tests.
export { SimulatedWorld } from './world.js';
export type { SimulatedWorldOptions } from './core.js';
export { initialWorldState, WORLD_STATE_FORMAT, INITIAL_UPTIME_MS } from './state.js';
export type {
  WorldState,
  DeviceState,
  Replay,
  TestCopy,
  SyncJob,
  MountState,
  VmState,
  PowerState,
  HostState,
  SiteState,
  StorageEffect,
  CallTally,
} from './state.js';
export { parseFault, parseFaults, formatFault, validateFaults, FAULT_SYNTAX } from './faults.js';
export type { Fault, FaultKind } from './faults.js';
export { SIM_ERROR_CODES } from './transitions.js';
export { DEFAULT_DURATIONS_MS, DEFAULT_JITTER } from './durations.js';
export type { DurationName, ComputeOperation, TimedStorageCommand } from './durations.js';
export { generateEnvironment } from './generate.js';
export type { GenerateEnvironmentOptions } from './generate.js';
