import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import type { ArrayManager, Environment } from '@drctl/domain';
import { resolveDsmPassword } from '@drctl/sc-series';

/** The account an SC Series array manager logs in with, and where its password came from. */
export interface DsmAccount {
  username: string;
  password: string;
  /** `passwordEnv NAME`, `passwordFile PATH` or `generated`: what the log may say about it. */
  source: string;
}

/** Who logs in when a manager names no connection (the simulated Data Collector needs an account). */
const DEFAULT_USERNAME = 'drctl';

/**
 * Accounts of the simulated Data Collector, one per SC Series array manager: the manager's
 * `connection.username`, with the password its `passwordEnv` / `passwordFile` gives when that
 * resolves, else a random one made for this process (nothing real is behind a simulated
 * Data Collector, so a run need not set the secret). Managers sharing a user name share its
 * password. Passwords are never logged: only where they came from.
 */
export function simulatorAccounts(
  env: Environment,
  managers: readonly ArrayManager[],
  envDir: string,
  logger: Logger,
  variables: Record<string, string | undefined> = process.env,
): Map<string, DsmAccount> {
  const byUser = new Map<string, DsmAccount>();
  const byManager = new Map<string, DsmAccount>();
  for (const manager of managers) {
    const connection = manager.connection;
    const username = connection?.username ?? DEFAULT_USERNAME;
    let account = byUser.get(username);
    if (!account) {
      account = { username, ...passwordFor(env, manager, envDir, variables) };
      byUser.set(username, account);
      logger.info(
        { arrayManager: manager.name, username, passwordSource: account.source },
        'simulated DSM Data Collector account',
      );
    }
    byManager.set(manager.name, account);
  }
  return byManager;
}

function passwordFor(
  env: Environment,
  manager: ArrayManager,
  envDir: string,
  variables: Record<string, string | undefined>,
): { password: string; source: string } {
  const connection = manager.connection;
  if (connection?.passwordEnv || connection?.passwordFile) {
    const index = env.arrayManagers.indexOf(manager);
    try {
      const password = resolveDsmPassword(connection, `arrayManagers[${index}].connection`, variables, (path) =>
        readFileSync(isAbsolute(path) ? path : join(envDir, path), 'utf8'),
      );
      return {
        password,
        source: connection.passwordEnv
          ? `passwordEnv ${connection.passwordEnv}`
          : `passwordFile ${connection.passwordFile}`,
      };
    } catch {
      // Unset or unreadable: the simulated Data Collector takes a generated password instead.
    }
  }
  return { password: randomBytes(24).toString('base64url'), source: 'generated' };
}
