import type { Logger } from 'pino';
import {
  DrError,
  type ArrayManager,
  type Clock,
  type Environment,
  type InputIssue,
  type StorageAdapter,
} from '@drctl/domain';
import type { ScSeriesAdapter } from '@drctl/sc-series';
import { VsphereCompute, preflightVsphere, vcenterConnectionsFromEnvironment } from '@drctl/vsphere';
import { scSeriesAdapterFromEnvironment } from './sc-series-from-environment.js';

/** The real endpoints of an environment: each site's vCenter and each array manager's Data Collector. */
export interface RealEndpoints {
  compute: VsphereCompute;
  storage: (manager: ArrayManager) => StorageAdapter;
  close(): Promise<void>;
}

export interface RealEndpointsOptions {
  env: Environment;
  clock: Clock;
  logger: Logger;
  /** Process environment the passwords are read from. @default process.env */
  processEnv?: Record<string, string | undefined>;
  /** Between two property reads while tasks or VMs are watched. @default 1000 */
  pollIntervalMs?: number;
  /** SRM's `storageProvider.autoResignatureMode` (the effective setting). @default 0 */
  autoResignatureMode?: number;
}

/**
 * Builds the adapters of a real run, refusing — with every problem listed, each with the path of
 * its field — an environment whose endpoints are incomplete: a site without a vCenter connection,
 * a password that cannot be read, an array manager drctl cannot drive for real.
 */
export function composeRealEndpoints(options: RealEndpointsOptions): RealEndpoints {
  const { env, clock, logger } = options;
  const processEnv = options.processEnv ?? process.env;
  const { vcenters, issues } = vcenterConnectionsFromEnvironment(env, processEnv);
  const scSeries = new Map<string, ScSeriesAdapter>();
  const storageIssues: InputIssue[] = [];
  env.arrayManagers.forEach((manager, index) => {
    if (manager.adapter !== 'sc-series') {
      storageIssues.push({
        path: `arrayManagers[${index}].adapter`,
        message: `${manager.adapter} storage only exists in a simulation (use --simulate, or an sc-series array manager)`,
      });
      return;
    }
    try {
      scSeries.set(manager.name, scSeriesAdapterFromEnvironment(env, manager.name, { clock, logger, processEnv }));
    } catch (error) {
      if (error instanceof DrError && error.issues.length > 0) storageIssues.push(...error.issues);
      else throw error;
    }
  });
  const all = [...issues, ...storageIssues];
  if (all.length > 0) {
    void Promise.all([...scSeries.values()].map((a) => a.close()));
    throw new DrError(
      'DR_INPUT_INVALID',
      `A real run needs every site's vCenter and every array manager's Data Collector: ${all.length} problem(s).`,
      { issues: all },
    );
  }
  const compute = new VsphereCompute({
    environment: env,
    vcenters,
    clock,
    logger,
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.autoResignatureMode !== undefined ? { autoResignatureMode: options.autoResignatureMode } : {}),
  });
  return {
    compute,
    storage: (manager) => {
      const adapter = scSeries.get(manager.name);
      if (!adapter)
        throw new DrError('DR_INPUT_INVALID', `Array manager ${manager.name} has no real adapter.`, {
          issues: [{ path: 'arrayManagers', message: `no adapter for ${manager.name}` }],
        });
      return adapter;
    },
    async close() {
      await Promise.all([compute.close(), ...[...scSeries.values()].map((a) => a.close())]);
    },
  };
}

/**
 * Before any change: every vCenter answers and holds every name the environment uses. Refuses
 * (DR_OPERATION_REFUSED, exit 2 in the CLI) listing every problem; never half-way through a failover.
 */
export async function preflightRealRun(
  endpoints: RealEndpoints,
  env: Environment,
  signal: AbortSignal,
  options: { logger?: Logger; toleratesLostSite?: boolean } = {},
): Promise<void> {
  let issues = await preflightVsphere(endpoints.compute, env, signal);
  const lost = issues.filter((i) => /^sites\[\d+\]\.vcenterConnection$/.test(i.path));
  // A disaster recovery runs because a site is lost: its vCenter not answering is expected, as
  // long as another site's does (the protected site's steps then end in warnings).
  if (options.toleratesLostSite && lost.length > 0 && lost.length < env.sites.length) {
    options.logger?.warn({ issues: lost }, 'vCenter(s) unreachable before a disaster recovery; going on without them');
    issues = issues.filter((i) => !lost.includes(i));
  }
  if (issues.length > 0)
    throw new DrError(
      'DR_OPERATION_REFUSED',
      `The real run is refused before any change: the vCenters do not hold what the environment names (${issues.length} problem(s)).`,
      { issues },
    );
}
