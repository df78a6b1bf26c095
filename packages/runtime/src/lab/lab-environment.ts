import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DrError, type Environment } from '@drctl/domain';

/** Where the lab's servers listen, for the environment file that points at them. */
export interface LabEndpoints {
  dsm: { host: string; port: number; username: string; passwordFile: string; caFile: string };
  vcenters: Record<string, { host: string; port: number; username: string; passwordFile: string; thumbprint: string }>;
}

const flow = (fields: Record<string, string | number>) =>
  `{ ${Object.entries(fields)
    .map(([k, v]) => `${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`)
    .join(', ')} }`;

/**
 * Copies an example's files (the environment and its includes, scripts…) into `dir` and points
 * them at the lab: each site gets a `vcenterConnection` to its lab vCenter, each array manager
 * drives the lab's Data Collector through the SC Series adapter. The rest — plans, VMs,
 * settings, comments — stays as the example wrote it. Returns the environment file's path.
 */
export function writeLabEnvironment(
  exampleDir: string,
  dir: string,
  env: Environment,
  endpoints: LabEndpoints,
): string {
  cpSync(exampleDir, dir, { recursive: true, filter: (src) => !src.includes('/.drctl') });
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  let sitesDone = 0;
  let managersDone = false;
  for (const file of files) {
    const path = join(dir, file);
    let text = readFileSync(path, 'utf8');
    for (const site of env.sites) {
      const connection = endpoints.vcenters[site.name];
      if (!connection) continue;
      const line = new RegExp(`^(\\s+)vcenter: ${site.vcenter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm');
      if (!line.test(text)) continue;
      text = text.replace(line, (all, indent: string) => `${all}\n${indent}vcenterConnection: ${flow(connection)}`);
      sitesDone++;
    }
    if (/^arrayManagers:/m.test(text)) {
      const { dsm } = endpoints;
      text = text
        .replace(/^(\s+)adapter: simulated\b.*$/gm, '$1adapter: sc-series')
        .replace(/^(\s+)host: .*$/m, `$1host: ${dsm.host}`)
        .replace(/^(\s+)port: .*$/m, `$1port: ${dsm.port}`)
        .replace(/^(\s+)username: .*$/m, `$1username: ${dsm.username}`)
        .replace(/^(\s+)password(Env|File): .*$/m, `$1passwordFile: ${JSON.stringify(dsm.passwordFile)}`)
        .replace(/^(\s+)verifyTls: .*$/m, `$1verifyTls: true\n$1caFile: ${JSON.stringify(dsm.caFile)}`);
      managersDone = true;
    }
    writeFileSync(path, text);
  }
  if (sitesDone !== env.sites.length || !managersDone)
    throw new DrError(
      'DR_INPUT_INVALID',
      'The example cannot be pointed at the lab: a site or the array managers were not found.',
      {
        issues: [
          {
            path: exampleDir,
            message: `sites rewritten ${sitesDone}/${env.sites.length}, array managers ${managersDone}`,
          },
        ],
      },
    );
  return join(dir, 'environment.yaml');
}
