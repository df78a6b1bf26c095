import type { Logger } from 'pino';
import type { ArrayManager, Clock, Environment } from '@drctl/domain';
import {
  dsmSelectableSnapshotOf,
  startDsmSimulator,
  type DsmSimulator,
  type DsmSimulatorState,
} from '@drctl/dsm-simulator';
import { createScSeriesAdapter, type ScSeriesAdapter } from '@drctl/sc-series';
import { simulatorAccounts } from './accounts.js';
import { collectorPlacements, startLostCollector, type LostCollector } from './collector-sites.js';
import { perExchangeClock } from './exchange-clock.js';
import type { DsmFault } from './dsm-faults.js';

export interface SimulatedDataCollectorOptions {
  env: Environment;
  /** Folder of the environment file: `passwordFile` paths resolve from it. */
  envDir: string;
  clock: Clock;
  /** The array managers SC Series serves in this workspace. */
  managers: readonly ArrayManager[];
  /** What the previous process's Data Collector held. */
  saved?: DsmSimulatorState;
  /**
   * Sites that are down in this run: their arrays are disconnected from the Data Collector, and
   * a Data Collector running there is gone for the managers configured with it.
   */
  sitesDown: readonly string[];
  faults: readonly DsmFault[];
  /** Bound on one HTTP exchange of the adapters; 0 leaves it to the engine's command timeout. */
  requestTimeoutMs: number;
  /** Longest real time one exchange holds virtual time still (see perExchangeClock). */
  exchangeHoldMs: number;
  logger: Logger;
  /**
   * A Data Collector already running (a DSM simulator several engine processes share, e.g. in a
   * multi-engine test): its adapters talk to it and no simulator starts in this process.
   */
  external?: ExternalDataCollector;
}

export interface ExternalDataCollector {
  host: string;
  port: number;
  /** PEM of the CA its TLS certificate is verified against. */
  caPem: string;
}

/** The DSM simulator serving a workspace, and the SC Series adapters that talk to it. */
export interface SimulatedDataCollector {
  /** Absent when the workspace uses an external Data Collector. */
  readonly simulator: DsmSimulator | undefined;
  /** A new adapter logged in as the manager's account (the engine asks once per manager). */
  adapterFor(manager: ArrayManager): ScSeriesAdapter;
  /** What the in-process simulator holds; undefined with an external Data Collector (it keeps its own). */
  snapshot(): DsmSimulatorState | undefined;
  close(): Promise<void>;
}

/**
 * Starts the DSM simulator in-process on loopback (HTTPS, its own CA) with the workspace's clock,
 * seeded from the environment the first time and from the saved state after that. Every SC Series
 * manager is one account on it, so each adapter logs in with the manager's user name. One Data
 * Collector serves them all, as in the source's single-collector layout (§4.2, §6.1).
 */
export async function startSimulatedDataCollector(
  options: SimulatedDataCollectorOptions,
): Promise<SimulatedDataCollector> {
  const { env, clock, logger } = options;
  const accounts = simulatorAccounts(env, options.managers, options.envDir, logger);
  if (options.external) return externalCollector(options, accounts, options.external);
  const distinct = [...new Map([...accounts.values()].map((a) => [a.username, a] as const)).values()];
  const simulator = await startDsmSimulator({
    clock,
    credentials: distinct.map(({ username, password }) => ({ username, password })),
    ...(options.saved ? { state: options.saved } : { environment: env }),
  });
  // Site reachability is a fault of this run, not a property of the saved arrays: set it both ways.
  for (const array of env.arrays) {
    if (array.serial === undefined) continue;
    if (options.sitesDown.includes(array.site)) simulator.faults.storageCenterDown(array.serial);
    else simulator.faults.storageCenterUp(array.serial);
  }
  // The file's selectable-snapshot setting is the Data Collector's configuration (§5.8): a saved
  // Data Collector takes a changed file's value, as an administrator would set it in DSM.
  const setting = dsmSelectableSnapshotOf(env, new Set(options.managers.map((m) => m.name)));
  if (setting !== undefined) simulator.model.state.dataCollectorSettings.srmSelectableSnapshot = setting;
  for (const fault of options.faults) {
    if (fault.kind === 'request') simulator.faults.add(fault.spec);
    else await simulator.faults.dataCollectorDown(fault.forMs === undefined ? {} : { forMs: fault.forMs });
  }
  logger.info({ url: simulator.baseUrl }, 'simulated DSM Data Collector started');

  const placements = collectorPlacements(options.managers, options.sitesDown);
  const lostManagers = new Set(placements.filter((p) => p.down).map((p) => p.manager));
  let lost: LostCollector | undefined;
  if (lostManagers.size > 0) {
    lost = await startLostCollector();
    for (const p of placements.filter((x) => x.down))
      logger.warn(
        { arrayManager: p.manager, dataCollector: p.collector, site: p.site },
        `the ${p.remote ? 'Remote ' : ''}Data Collector ${p.collector} of array manager ${p.manager} runs at ${p.site ?? '?'}, which is down: the manager reaches no array (§4.1)`,
      );
  }

  const adapterClock = perExchangeClock(clock, { holdMs: options.exchangeHoldMs });
  const serials: Record<string, number> = {};
  for (const array of env.arrays) if (array.serial !== undefined) serials[array.id] = array.serial;

  return {
    simulator,
    adapterFor(manager) {
      const account = accounts.get(manager.name)!;
      const endpoint = lost && lostManagers.has(manager.name) ? lost : simulator;
      return createScSeriesAdapter({
        host: endpoint.host,
        port: endpoint.port,
        username: account.username,
        password: account.password,
        caPem: simulator.caPem,
        arrays: serials,
        ...(manager.connection?.storageCenters ? { storageCenters: manager.connection.storageCenters } : {}),
        clock: adapterClock,
        logger: logger.child({ arrayManager: manager.name }),
        requestTimeoutMs: options.requestTimeoutMs,
      });
    },
    snapshot: () => simulator.snapshot(),
    close: async () => {
      await lost?.close();
      await simulator.close();
    },
  };
}

function externalCollector(
  options: SimulatedDataCollectorOptions,
  accounts: ReturnType<typeof simulatorAccounts>,
  external: ExternalDataCollector,
): SimulatedDataCollector {
  const adapterClock = perExchangeClock(options.clock, { holdMs: options.exchangeHoldMs });
  const serials: Record<string, number> = {};
  for (const array of options.env.arrays) if (array.serial !== undefined) serials[array.id] = array.serial;
  return {
    simulator: undefined,
    adapterFor(manager) {
      const account = accounts.get(manager.name)!;
      return createScSeriesAdapter({
        host: external.host,
        port: external.port,
        username: account.username,
        password: account.password,
        caPem: external.caPem,
        arrays: serials,
        ...(manager.connection?.storageCenters ? { storageCenters: manager.connection.storageCenters } : {}),
        clock: adapterClock,
        logger: options.logger.child({ arrayManager: manager.name }),
        requestTimeoutMs: options.requestTimeoutMs,
      });
    },
    snapshot: () => undefined,
    close: async () => undefined,
  };
}
