import { DrError, limitOrInfinity, type Settings } from '@drctl/domain';

/** A concurrency limit as configured: a positive count, or `null` / `undefined` / 0 for "no limit". */
export type ConfiguredLimit = number | null | undefined;

/**
 * Where the boot/shutdown limits come from. Each function is asked once per host or cluster, the
 * first time the pool meets it; the answer then holds for the pool's life.
 */
export interface SlotLimits {
  /** Concurrent boot/shutdown operations allowed on `host`. */
  hostLimit(host: string): ConfiguredLimit;
  /** Concurrent boot/shutdown operations allowed in `cluster`. */
  clusterLimit(cluster: string): ConfiguredLimit;
}

/**
 * A configured limit as a count, with "no limit" as Infinity. Refuses values that would stall the
 * schedule or make no sense (negative, fractional, NaN), naming what they limit.
 */
export function normalizeLimit(value: ConfiguredLimit, what: string): number {
  const limit = limitOrInfinity(value);
  if (limit === Infinity) return limit;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new DrError(
      'DR_INPUT_INVALID',
      `The boot/shutdown limit of ${what} must be a positive whole number or unlimited, not ${String(value)}.`,
      {
        issues: [{ path: what, message: `expected a positive whole number, 0 or null, got ${String(value)}` }],
      },
    );
  }
  return limit;
}

/** The boot/shutdown settings the limits derive from. */
export type BootLimitSettings = Pick<
  Settings,
  'defaultMaxBootAndShutdownOpsPerHost' | 'defaultMaxBootAndShutdownOpsPerCluster'
>;

/**
 * SRM's rule for boot/shutdown limits: every host gets `defaultMaxBootAndShutdownOpsPerHost`;
 * a cluster gets its own `srmMaxBootShutdownOps` when it has one, else
 * `defaultMaxBootAndShutdownOpsPerCluster`. Off, null or 0 means no limit.
 */
export function slotLimitsFromSettings(
  settings: BootLimitSettings,
  clusters: Iterable<{ name: string; srmMaxBootShutdownOps?: number | undefined }> = [],
): SlotLimits {
  const overrides = new Map<string, number>();
  for (const cluster of clusters) {
    if (cluster.srmMaxBootShutdownOps !== undefined) overrides.set(cluster.name, cluster.srmMaxBootShutdownOps);
  }
  return {
    hostLimit: () => settings.defaultMaxBootAndShutdownOpsPerHost,
    clusterLimit: (cluster) =>
      overrides.has(cluster) ? overrides.get(cluster) : settings.defaultMaxBootAndShutdownOpsPerCluster,
  };
}

/** The same limit for every host and every cluster; handy for simulations and benchmarks. */
export function uniformSlotLimits(perHost: ConfiguredLimit, perCluster: ConfiguredLimit): SlotLimits {
  return { hostLimit: () => perHost, clusterLimit: () => perCluster };
}
