import type { StorageCommand } from '@drctl/domain';

/** Compute operations that take virtual time. */
export type ComputeOperation =
  | 'rescanHost'
  | 'matchStretchedDevices'
  | 'mountDatastore'
  | 'unmountDatastore'
  | 'registerVm'
  | 'unregisterVm'
  | 'createPlaceholder'
  | 'deletePlaceholder'
  | 'configureNetworks'
  | 'powerOn'
  | 'powerOff'
  | 'suspend'
  | 'resume';

/**
 * Storage commands other than syncOnce, whose length is the volume's own `syncSeconds`.
 * A device command takes this long per device; devices of one call run side by side.
 */
export type TimedStorageCommand = Exclude<StorageCommand, 'syncOnce'>;

export type DurationName = ComputeOperation | TimedStorageCommand | 'syncStart';

/**
 * Base virtual durations, in milliseconds, chosen to be of the order vCenter and an SC Series
 * array take. Each call scales its duration by a small seeded jitter keyed by the VM, host or
 * device name (see `jittered`). Guest shutdown and the Tools heartbeat come from the VM's own
 * `shutdownSeconds` and `toolsSeconds` instead.
 */
export const DEFAULT_DURATIONS_MS: Readonly<Record<DurationName, number>> = {
  rescanHost: 20_000,
  matchStretchedDevices: 10_000,
  mountDatastore: 5_000,
  unmountDatastore: 3_000,
  registerVm: 2_000,
  unregisterVm: 1_000,
  createPlaceholder: 1_500,
  deletePlaceholder: 1_000,
  configureNetworks: 1_000,
  powerOn: 5_000,
  powerOff: 2_000,
  suspend: 5_000,
  resume: 5_000,
  queryInfo: 200,
  queryCapabilities: 200,
  discoverArrays: 1_000,
  discoverDevices: 2_000,
  querySyncStatus: 500,
  /** Taking the replay that a sync then replicates for the volume's `syncSeconds`. */
  syncStart: 1_000,
  testFailoverStart: 8_000,
  testFailoverStop: 5_000,
  prepareFailover: 6_000,
  failover: 10_000,
  prepareReverseReplication: 5_000,
  reverseReplication: 10_000,
  restoreReplication: 6_000,
};

/** Default jitter: every duration is scaled by a seeded factor in [0.95, 1.05]. */
export const DEFAULT_JITTER = 0.05;
