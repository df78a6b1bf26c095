import { readFileSync } from 'node:fs';
import type { Environment, InputIssue } from '@drctl/domain';
import type { VcenterConnection } from './site.js';

export interface VcenterConnections {
  /** Site name → its vCenter, for every site whose connection is complete. */
  vcenters: Record<string, VcenterConnection>;
  /** Every problem at once, with the path of the field. */
  issues: InputIssue[];
}

/**
 * Each site's vCenter from the environment file: the password from `passwordEnv` or the first
 * line of `passwordFile` (never from the file itself, never in a message), the CA from `caFile`.
 */
export function vcenterConnectionsFromEnvironment(
  environment: Environment,
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): VcenterConnections {
  const vcenters: Record<string, VcenterConnection> = {};
  const issues: InputIssue[] = [];
  environment.sites.forEach((site, index) => {
    const path = `sites[${index}].vcenterConnection`;
    const connection = site.vcenterConnection;
    if (!connection) {
      issues.push({
        path,
        message: `site ${site.name} has no vCenter connection (host, username, passwordEnv or passwordFile)`,
      });
      return;
    }
    let password: string | undefined;
    if (connection.passwordEnv) {
      password = env[connection.passwordEnv];
      if (!password)
        issues.push({
          path: `${path}.passwordEnv`,
          message: `environment variable ${connection.passwordEnv} is empty or unset`,
        });
    } else if (connection.passwordFile) {
      try {
        password = readFile(connection.passwordFile).split(/\r?\n/, 1)[0] ?? '';
        if (password === '') issues.push({ path: `${path}.passwordFile`, message: 'first line is empty' });
      } catch {
        issues.push({ path: `${path}.passwordFile`, message: `file ${connection.passwordFile} cannot be read` });
      }
    } else {
      issues.push({ path: `${path}.passwordEnv`, message: 'set passwordEnv or passwordFile' });
    }
    let caPem: string | undefined;
    if (connection.caFile) {
      try {
        caPem = readFile(connection.caFile);
      } catch {
        issues.push({ path: `${path}.caFile`, message: `file ${connection.caFile} cannot be read` });
      }
    }
    if (!password) return;
    vcenters[site.name] = {
      host: connection.host,
      port: connection.port,
      username: connection.username,
      password,
      verifyTls: connection.verifyTls,
      ...(caPem !== undefined ? { caPem } : {}),
      ...(connection.thumbprint !== undefined ? { thumbprint: connection.thumbprint } : {}),
    };
  });
  return { vcenters, issues };
}
