import type { Logger } from 'pino';
import {
  type ArrayManager,
  type Clock,
  type Environment,
  type ObservedFacts,
  type ObservedSite,
  type StorageAdapter,
} from '@drctl/domain';
import type { ScSeriesAdapter } from '@drctl/sc-series';
import { readVcenterFacts, vcenterConnectionsFromEnvironment } from '@drctl/vsphere';
import { scSeriesAdapterFromEnvironment } from '../real/sc-series-from-environment.js';
import { observeArrays, type LiveSourceReport } from './live-sources.js';

/** Whether the environment file names real endpoints: some site has a `vcenterConnection`. */
export function pointsAtRealEndpoints(env: Environment): boolean {
  return env.sites.some((s) => s.vcenterConnection !== undefined);
}

export interface ObserveRealOptions {
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** Process environment the passwords are read from. @default process.env */
  processEnv?: Record<string, string | undefined>;
}

const VCENTER_ASKED = ['hosts and the devices they see', 'datastores and their hosts', 'VMs and their VMware Tools'];

/**
 * `drctl check --live` against the real endpoints the file names: each site's vCenter (read
 * only: hosts, datastores, VMs' Tools) and each SC Series array manager's Data Collector (device
 * discovery, QoS nodes). Unlike a real run it needs no complete set: an endpoint that cannot be
 * reached or has no credentials is one `error` line, and simulated storage is `skipped`.
 */
export async function observeRealEndpoints(
  env: Environment,
  options: ObserveRealOptions,
): Promise<{ observed: ObservedFacts; sources: LiveSourceReport[] }> {
  const { clock, logger, signal } = options;
  const processEnv = options.processEnv ?? process.env;
  const sources: LiveSourceReport[] = [];

  const { vcenters, issues } = vcenterConnectionsFromEnvironment(env, processEnv);
  const reads = env.sites.map(async (site, index): Promise<ObservedSite | undefined> => {
    const connection = vcenters[site.name];
    const source = { source: site.name, adapter: 'vsphere', asked: VCENTER_ASKED };
    if (!connection) {
      const problems = issues.filter((i) => i.path.startsWith(`sites[${index}].`));
      sources.push(
        site.vcenterConnection
          ? { ...source, status: 'error', message: problems.map((p) => `${p.path}: ${p.message}`).join('; ') }
          : { ...source, status: 'skipped', message: `site ${site.name} has no vcenterConnection` },
      );
      return undefined;
    }
    try {
      const facts = await readVcenterFacts(connection, { clock, logger, site: site.name }, signal);
      sources.push({ ...source, status: 'ok' });
      return { site: site.name, ...facts };
    } catch (error) {
      sources.push({ ...source, status: 'error', message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  });
  const sites = (await Promise.all(reads)).filter((s): s is ObservedSite => s !== undefined);
  // The vCenters answer in any order; the report lists them in the file's order.
  const siteOrder = new Map(env.sites.map((site, index) => [site.name, index]));
  sources.sort((a, b) => (siteOrder.get(a.source) ?? 0) - (siteOrder.get(b.source) ?? 0));

  const adapters = new Map<string, ScSeriesAdapter>();
  const storageFor = (manager: ArrayManager): StorageAdapter => {
    const existing = adapters.get(manager.name);
    if (existing) return existing;
    const adapter = scSeriesAdapterFromEnvironment(env, manager.name, { clock, logger, processEnv });
    adapters.set(manager.name, adapter);
    return adapter;
  };
  const real = { ...env, arrayManagers: env.arrayManagers.filter((m) => m.adapter === 'sc-series') };
  for (const manager of env.arrayManagers)
    if (manager.adapter !== 'sc-series' && manager.adapter !== 'vsphere-replication')
      sources.push({
        source: manager.name,
        adapter: manager.adapter,
        asked: [],
        status: 'skipped',
        message: `${manager.adapter} storage has no real endpoint to ask`,
      });
  try {
    const storage = await observeArrays(real, storageFor, signal);
    sources.push(...storage.sources);
    return { observed: { arrays: storage.arrays, qosNodes: storage.qosNodes, sites }, sources };
  } finally {
    await Promise.all([...adapters.values()].map((a) => a.close()));
  }
}
