import type { ArrayManager, Environment, ObservedArray, StorageAdapter } from '@drctl/domain';

/** What `--live` read from one endpoint, or why it could not. */
export interface LiveSourceReport {
  /** The array manager (storage) or vCenter (compute) asked. */
  source: string;
  adapter: string;
  /** What it was asked for, e.g. `discoverDevices sc12`. */
  asked: string[];
  status: 'ok' | 'error';
  message?: string;
}

/**
 * The facts `drctl check --live` can read today, and those it cannot. Storage: the storage port's
 * `discoverDevices` reports each device's replication type, Live Volume settings, QoS on both
 * arrays and last replicated snapshot, for every adapter kind. Compute: no vCenter adapter exists
 * yet, so what vCenter would report (Tools installed, which recovery hosts see which volumes) is
 * listed as not live.
 */
export const LIVE_COVERAGE = {
  live: [
    'replication type of each protected device (discoverDevices)',
    'Live Volume automatic failover, automatic role swap and uniform mapping',
    'QoS definition on both arrays of each device',
    'last replicated snapshot of each device (multi-volume consistency)',
    'protected devices the arrays do not report',
  ],
  notLive: [
    'QoS nodes defined on each array (no storage port call lists them)',
    'VMware Tools installed in each VM (needs a vCenter adapter)',
    'which recovery hosts can see which volumes (needs a vCenter adapter)',
    'Data Collector placement and Remote Data Collector mode (not reported by DSM: from the file)',
  ],
} as const;

/**
 * Asks every array-based array manager's storage adapter for the devices of each array it
 * manages. A manager that does not answer becomes an `error` line, never an exception: the
 * static findings still stand.
 */
export async function observeArrays(
  env: Environment,
  storageFor: (manager: ArrayManager) => StorageAdapter,
  signal: AbortSignal,
): Promise<{ arrays: ObservedArray[]; sources: LiveSourceReport[] }> {
  const arrays: ObservedArray[] = [];
  const sources: LiveSourceReport[] = [];
  for (const manager of env.arrayManagers) {
    if (manager.adapter === 'vsphere-replication') continue;
    const managed = env.arrays.filter((a) => a.arrayManager === manager.name);
    if (managed.length === 0) continue;
    const asked = managed.map((a) => `discoverDevices ${a.id}`);
    try {
      const adapter = storageFor(manager);
      for (const array of managed) {
        const peer = env.arrayPairs.find((p) => p.arrays.includes(array.id))?.arrays.find((id) => id !== array.id);
        const devices = await adapter.discoverDevices({
          signal,
          arrayId: array.id,
          ...(peer !== undefined ? { peerArrayId: peer } : {}),
        });
        arrays.push({ arrayManager: manager.name, arrayId: array.id, devices });
      }
      sources.push({ source: manager.name, adapter: adapter.kind, asked, status: 'ok' });
    } catch (error) {
      sources.push({
        source: manager.name,
        adapter: manager.adapter,
        asked,
        status: 'error',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { arrays, sources };
}
