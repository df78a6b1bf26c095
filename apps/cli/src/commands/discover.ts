import { setMaxListeners } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DrError, SystemClock, formatYaml, type InputIssue } from '@drctl/domain';
import { discoverEnvironment, type DiscoverDsm, type DiscoverSite } from '@drctl/runtime';
import type { ActionWrapper } from '../cli/action-wrapper.js';
import { printJson, println, type CliIo } from '../cli/io.js';
import { cliLogger } from '../cli/logger.js';
import { collect, type CommonOptions } from '../cli/options.js';

export interface DiscoverCommandOptions extends CommonOptions {
  vcenter?: string[];
  dsm?: string[];
  out: string;
  name?: string;
  force?: boolean;
}

/** The connection settings an endpoint URL may carry in its query, by name. */
const PARAMS = ['site', 'passwordEnv', 'passwordFile', 'caFile', 'thumbprint', 'verifyTls'] as const;

interface Endpoint {
  host: string;
  port: number | undefined;
  username: string;
  params: Partial<Record<(typeof PARAMS)[number], string>>;
}

/** `https://user@host:port?passwordEnv=VAR&thumbprint=…`: never a password in the URL. */
function parseEndpoint(text: string, path: string, issues: InputIssue[]): Endpoint | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    issues.push({ path, message: `${text} is not a URL like https://user@host:port?passwordEnv=VAR` });
    return undefined;
  }
  const problems: string[] = [];
  if (url.protocol !== 'https:') problems.push('only https:// is accepted');
  if (url.password) problems.push('the password must not be in the URL: use ?passwordEnv=VAR or ?passwordFile=PATH');
  if (!url.username) problems.push('give the user name before the host (https://user@host)');
  const params: Endpoint['params'] = {};
  for (const [key, value] of url.searchParams) {
    if (!(PARAMS as readonly string[]).includes(key))
      problems.push(`unknown setting ${key} (known: ${PARAMS.join(', ')})`);
    else params[key as (typeof PARAMS)[number]] = value;
  }
  if (!params.passwordEnv && !params.passwordFile) problems.push('give ?passwordEnv=VAR or ?passwordFile=PATH');
  for (const p of problems) issues.push({ path, message: p });
  if (problems.length > 0) return undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : undefined,
    username: decodeURIComponent(url.username),
    params,
  };
}

/** The sites `--vcenter` and `--dsm` describe: the n-th `--dsm` belongs to the n-th `--vcenter`'s site. */
export function sitesFromOptions(io: CliIo, vcenters: string[], dsms: string[]): DiscoverSite[] {
  const issues: InputIssue[] = [];
  if (vcenters.length === 0) issues.push({ path: '--vcenter', message: 'give one --vcenter per site' });
  if (dsms.length > vcenters.length)
    issues.push({
      path: '--dsm',
      message: `${dsms.length} --dsm for ${vcenters.length} --vcenter: one per site at most`,
    });
  const sites: DiscoverSite[] = [];
  vcenters.forEach((text, i) => {
    const vc = parseEndpoint(text, `--vcenter[${i}]`, issues);
    const dsmText = dsms[i];
    const dsm = dsmText === undefined ? undefined : parseEndpoint(dsmText, `--dsm[${i}]`, issues);
    if (!vc || (dsmText !== undefined && !dsm)) return;
    const file = (f: string | undefined) => (f === undefined ? undefined : resolve(io.cwd, f));
    const passwordFile = file(vc.params.passwordFile);
    const caFile = file(vc.params.caFile);
    sites.push({
      name: vc.params.site ?? `site${i + 1}`,
      vcenter: {
        host: vc.host,
        port: vc.port ?? 443,
        username: vc.username,
        ...(vc.params.passwordEnv ? { passwordEnv: vc.params.passwordEnv } : {}),
        ...(passwordFile ? { passwordFile } : {}),
        ...(caFile ? { caFile } : {}),
        ...(vc.params.thumbprint ? { thumbprint: vc.params.thumbprint } : {}),
        verifyTls: vc.params.verifyTls !== 'false',
      },
      ...(dsm ? { dsm: dsmOf(dsm, file) } : {}),
    });
  });
  if (issues.length > 0)
    throw new DrError('DR_INPUT_INVALID', `drctl discover needs a vCenter URL per site: ${issues.length} problem(s).`, {
      issues,
    });
  return sites;
}

function dsmOf(e: Endpoint, file: (f: string | undefined) => string | undefined): DiscoverDsm {
  const passwordFile = file(e.params.passwordFile);
  const caFile = file(e.params.caFile);
  return {
    host: e.host,
    ...(e.port !== undefined ? { port: e.port } : {}),
    username: e.username,
    ...(e.params.passwordEnv ? { passwordEnv: e.params.passwordEnv } : {}),
    ...(passwordFile ? { passwordFile } : {}),
    ...(caFile ? { caFile } : {}),
    verifyTls: e.params.verifyTls !== 'false',
  };
}

/** `drctl discover`: reads each site's vCenter and Data Collector, writes a starting environment file. */
export async function discoverCommand(io: CliIo, options: DiscoverCommandOptions): Promise<number> {
  const sites = sitesFromOptions(io, options.vcenter ?? [], options.dsm ?? []);
  const out = resolve(io.cwd, options.out);
  if (existsSync(out) && !options.force)
    throw new DrError('DR_INPUT_INVALID', `${options.out} exists; give --force to replace it.`, {
      issues: [{ path: '--out', message: 'file exists' }],
    });
  const signal = AbortSignal.timeout(300_000);
  // Every read of every site listens to the one bound.
  setMaxListeners(0, signal);
  const discovery = await discoverEnvironment({
    name: options.name ?? 'discovered',
    sites,
    clock: new SystemClock(),
    logger: cliLogger(io),
    signal,
    processEnv: io.env,
  });
  const header = [
    '# Written by drctl discover. It validates; what the inventory cannot say still needs a person:',
    ...discovery.todo.map((t) => `# - ${t}`),
    '',
  ].join('\n');
  writeFileSync(out, `${header}${formatYaml(discovery.document)}`);
  if (options.json) {
    printJson(io, { file: options.out, counts: discovery.counts, todo: discovery.todo });
    return 0;
  }
  const c = discovery.counts;
  println(
    io,
    `${options.out}: ${c.sites} sites, ${c.hosts} hosts, ${c.vms} VMs, ${c.datastores} replicated datastores, ${c.volumes} replicated volumes (${c.liveVolumes} Live Volume)`,
  );
  println(io, 'Still needs a person:');
  for (const t of discovery.todo) println(io, `  - ${t}`);
  println(io, `Next: drctl validate ${options.out}, then drctl check --env ${options.out}`);
  return 0;
}

/** Registers `drctl discover`. */
export function registerDiscoverCommand(program: Command, io: CliIo, wrap: ActionWrapper): void {
  program
    .command('discover')
    .description("read each site's vCenter and Data Collector and write a starting environment file")
    .option(
      '--vcenter <url>',
      "a site's vCenter, https://user@host[:port]?site=NAME&passwordEnv=VAR (or passwordFile=PATH)[&thumbprint=AB:CD:…|&caFile=PATH] (one per site, repeatable)",
      collect,
    )
    .option(
      '--dsm <url>',
      "the same site's Data Collector, https://user@host[:3033]?passwordEnv=VAR[&caFile=PATH] (the n-th belongs to the n-th --vcenter)",
      collect,
    )
    .requiredOption('--out <file>', 'environment file to write (YAML)')
    .option('--name <name>', 'name of the environment', 'discovered')
    .option('--force', 'replace --out if it exists')
    .option('--json', 'print machine-readable JSON only')
    .addHelpText(
      'after',
      `
Passwords are never given on the command line: the URL names the environment variable or file
that holds each one, and the file written keeps those references.

Exit codes:
  0  written
  2  bad input (a URL, a password that cannot be read, --out exists)
  3  internal failure, or an endpoint that could not be read (the message names the site and endpoint)`,
    )
    .action(wrap((options: DiscoverCommandOptions) => discoverCommand(io, options)));
}
