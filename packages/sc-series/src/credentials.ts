import { readFileSync } from 'node:fs';
import { DrError, type Environment } from '@drctl/domain';

/** Where an array manager's password comes from: never the environment file itself. */
export interface PasswordSource {
  passwordEnv?: string;
  passwordFile?: string;
}

/**
 * Reads the DSM password from an environment variable or the first line of a file. `fieldPath`
 * names the connection in errors (e.g. `arrayManagers[0].connection`). The password itself never
 * appears in an error.
 */
export function resolveDsmPassword(
  source: PasswordSource,
  fieldPath: string,
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): string {
  if (source.passwordEnv) {
    const value = env[source.passwordEnv];
    if (value === undefined || value === '') {
      throw new DrError(
        'DR_INPUT_INVALID',
        `Environment variable ${source.passwordEnv} holding the DSM password is not set.`,
        {
          issues: [
            {
              path: `${fieldPath}.passwordEnv`,
              message: `environment variable ${source.passwordEnv} is empty or unset`,
            },
          ],
        },
      );
    }
    return value;
  }
  if (source.passwordFile) {
    let text: string;
    try {
      text = readFile(source.passwordFile);
    } catch (cause) {
      throw new DrError('DR_INPUT_INVALID', `The DSM password file ${source.passwordFile} cannot be read.`, {
        cause,
        issues: [{ path: `${fieldPath}.passwordFile`, message: 'file cannot be read' }],
      });
    }
    const first = text.split(/\r?\n/, 1)[0] ?? '';
    if (first === '') {
      throw new DrError('DR_INPUT_INVALID', `The DSM password file ${source.passwordFile} is empty.`, {
        issues: [{ path: `${fieldPath}.passwordFile`, message: 'first line is empty' }],
      });
    }
    return first;
  }
  throw new DrError('DR_INPUT_INVALID', 'The DSM connection names no password source.', {
    issues: [{ path: `${fieldPath}.passwordEnv`, message: 'set passwordEnv or passwordFile' }],
  });
}

/** Connection settings of one SC Series array manager, with its password resolved. */
export interface ScSeriesConnection {
  host: string;
  port: number;
  username: string;
  password: string;
  caPem?: string;
  verifyTls: boolean;
  storageCenters?: number[];
  /** Environment array id → Storage Center serial, for every array with a serial. */
  arrays: Record<string, number>;
}

export function scSeriesConnectionFromEnvironment(
  environment: Environment,
  arrayManager: string,
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ScSeriesConnection {
  const index = environment.arrayManagers.findIndex((m) => m.name === arrayManager);
  const manager = environment.arrayManagers[index];
  if (!manager) {
    throw new DrError('DR_INPUT_INVALID', `No array manager named ${arrayManager}.`, {
      issues: [{ path: 'arrayManagers', message: `no array manager named ${arrayManager}` }],
    });
  }
  const path = `arrayManagers[${index}].connection`;
  const connection = manager.connection;
  if (!connection) {
    throw new DrError('DR_INPUT_INVALID', `Array manager ${arrayManager} has no connection.`, {
      issues: [{ path, message: 'an SC Series array manager needs a connection' }],
    });
  }
  const arrays: Record<string, number> = {};
  for (const a of environment.arrays) if (a.serial !== undefined) arrays[a.id] = a.serial;
  let caPem: string | undefined;
  if (connection.caFile) {
    try {
      caPem = readFile(connection.caFile);
    } catch (cause) {
      throw new DrError('DR_INPUT_INVALID', `The CA file ${connection.caFile} cannot be read.`, {
        cause,
        issues: [{ path: `${path}.caFile`, message: 'file cannot be read' }],
      });
    }
  }
  return {
    host: connection.host,
    port: connection.port,
    username: connection.username,
    password: resolveDsmPassword(connection, path, env, readFile),
    ...(caPem ? { caPem } : {}),
    verifyTls: connection.verifyTls,
    ...(connection.storageCenters ? { storageCenters: connection.storageCenters } : {}),
    arrays,
  };
}
