import {
  isDrError,
  type ArrayManager,
  type Environment,
  type ObservedArray,
  type ObservedQosNodes,
  type StorageAdapter,
} from '@drctl/domain';
import type { ScSeriesAdapter } from '@drctl/sc-series';

/** What `--live` read from one endpoint, or why it could not. */
export interface LiveSourceReport {
  /** The array manager (storage) or the site whose vCenter was asked. */
  source: string;
  /** The adapter that asked: a storage adapter kind, or `vsphere`. */
  adapter: string;
  /** What it was asked for, e.g. `discoverDevices sc12`. */
  asked: string[];
  /** `skipped`: nothing real to ask (e.g. simulated storage next to real vCenters). */
  status: 'ok' | 'error' | 'skipped';
  message?: string;
}

/** What a live check read, and what it could not. */
export interface LiveCoverage {
  live: string[];
  notLive: string[];
}

const STORAGE_FACTS = [
  'replication type of each protected device (discoverDevices)',
  'Live Volume automatic failover, automatic role swap and uniform mapping',
  'QoS definition on both arrays of each device',
  'last replicated snapshot of each device (multi-volume consistency)',
  'protected devices the arrays do not report',
  'replication QoS nodes defined on each array (SC Series)',
];
const VCENTER_FACTS = [
  'VMware Tools installed in each protected VM (vCenter)',
  'which hosts of each cluster see which datastores and devices (vCenter)',
  'protected VMs and hosts missing from their vCenter',
];
const NEVER_LIVE = 'Data Collector placement and Remote Data Collector mode (not reported by DSM: from the file)';

/**
 * What `drctl check --live` reads in each mode. Against real endpoints (sites with a
 * `vcenterConnection`): each vCenter and each SC Series Data Collector. Against the simulated
 * world: only the storage adapters, since simulated vCenters would only repeat the file.
 */
export function liveCoverage(real: boolean): LiveCoverage {
  return real
    ? { live: [...STORAGE_FACTS, ...VCENTER_FACTS], notLive: [NEVER_LIVE] }
    : {
        live: STORAGE_FACTS,
        notLive: [
          `what the vCenters report (VMware Tools in each protected VM, which hosts see which datastores and devices, VMs and hosts missing from their vCenter): the simulated world has no real vCenter (set sites[].vcenterConnection)`,
          NEVER_LIVE,
        ],
      };
}

/** @deprecated The simulated world's coverage; use `liveCoverage`. */
export const LIVE_COVERAGE = liveCoverage(false);

/**
 * Asks every array-based array manager's storage adapter for the devices of each array it
 * manages, and an SC Series one also for its replication QoS nodes. A manager that does not
 * answer becomes an `error` line, never an exception: the static findings still stand.
 */
export async function observeArrays(
  env: Environment,
  storageFor: (manager: ArrayManager) => StorageAdapter,
  signal: AbortSignal,
): Promise<{ arrays: ObservedArray[]; qosNodes: ObservedQosNodes[]; sources: LiveSourceReport[] }> {
  const arrays: ObservedArray[] = [];
  const qosNodes: ObservedQosNodes[] = [];
  const sources: LiveSourceReport[] = [];
  for (const manager of env.arrayManagers) {
    if (manager.adapter === 'vsphere-replication') continue;
    const managed = env.arrays.filter((a) => a.arrayManager === manager.name);
    if (managed.length === 0) continue;
    const asked = managed.map((a) => `discoverDevices ${a.id}`);
    try {
      const adapter = storageFor(manager);
      const sc = adapter.kind === 'sc-series' ? (adapter as ScSeriesAdapter) : undefined;
      if (sc) asked.push(...managed.map((a) => `QoS nodes ${a.id}`));
      for (const array of managed) {
        const peer = env.arrayPairs.find((p) => p.arrays.includes(array.id))?.arrays.find((id) => id !== array.id);
        const devices = await adapter.discoverDevices({
          signal,
          arrayId: array.id,
          ...(peer !== undefined ? { peerArrayId: peer } : {}),
        });
        arrays.push({ arrayManager: manager.name, arrayId: array.id, devices });
        if (sc) {
          const nodes = await sc.qosNodes({ arrayId: array.id, signal });
          qosNodes.push({
            arrayManager: manager.name,
            arrayId: array.id,
            nodes: nodes.map((n) => ({ name: n.name, linkSpeed: n.linkSpeed, bandwidthLimited: n.bandwidthLimited })),
          });
        }
      }
      sources.push({ source: manager.name, adapter: adapter.kind, asked, status: 'ok' });
    } catch (error) {
      sources.push({
        source: manager.name,
        adapter: manager.adapter,
        asked,
        status: 'error',
        message: describeProblem(error),
      });
    }
  }
  return { arrays, qosNodes, sources };
}

/** The error's sentence, and for bad input the path of each field to fix. */
function describeProblem(error: unknown): string {
  if (isDrError(error) && error.issues.length > 0)
    return `${error.message} (${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`;
  return error instanceof Error ? error.message : String(error);
}
