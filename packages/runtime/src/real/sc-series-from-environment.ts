import type { Logger } from 'pino';
import type { Clock, Environment } from '@drctl/domain';
import { createScSeriesAdapter, scSeriesConnectionFromEnvironment, type ScSeriesAdapter } from '@drctl/sc-series';

/**
 * The SC Series adapter for one of the environment's array managers, connected as its
 * `dataCollector` entry says (password from the process environment). Throws a DrError naming
 * the field when the entry is incomplete.
 */
export function scSeriesAdapterFromEnvironment(
  env: Environment,
  managerName: string,
  options: { clock: Clock; logger: Logger; processEnv: Record<string, string | undefined> },
): ScSeriesAdapter {
  const connection = scSeriesConnectionFromEnvironment(env, managerName, options.processEnv);
  return createScSeriesAdapter({
    host: connection.host,
    port: connection.port,
    username: connection.username,
    password: connection.password,
    verifyTls: connection.verifyTls,
    arrays: connection.arrays,
    clock: options.clock,
    logger: options.logger,
    ...(connection.caPem ? { caPem: connection.caPem } : {}),
    ...(connection.storageCenters ? { storageCenters: connection.storageCenters } : {}),
  });
}
