import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isDrError, loadEnvironment, type Environment } from '@drctl/domain';
import type { DsmModel } from '../model/dsm-model.js';
import { SanExport } from '../san/san-export.js';
import type { FaultSpec } from '../server/faults.js';
import { startDsmSimulator, DEFAULT_CREDENTIALS, type DsmSimulator } from '../server/start.js';
import { seedFromEnvironment } from '../seed/from-environment.js';
import type { DsmSeed } from '../seed/seed.js';
import { faultFromJson, startAdminServer, type AdminServer } from './admin-server.js';

export const USAGE = `Usage: drctl-dsm-simulator --environment <file.yaml> [options]

Starts a simulated Dell Storage Manager Data Collector (HTTPS, REST API under /api/rest/).

  --environment <file>     drctl environment (YAML/JSON): arrays with a serial become Storage Centers
  --seed <file>            a DSM seed (JSON) instead of, or on top of, the environment
  --host <address>         listen address (default 127.0.0.1)
  --port <n>               listen port (default 0: any free port)
  --ca-file <file>         where to write the CA certificate (default: a file in the temp directory)
  --username <name>        login user (default Admin)
  --password-file <file>   login password (first line); else $DRCTL_DSM_SIM_PASSWORD; else "simulator"
  --api-version <v>        server API version (default 4.2)
  --min-api-version <v>    lowest x-dell-api-version accepted (default 0.1)
  --transfer-seconds <n>   seconds every replay takes to replicate (overrides the environment)
  --latency-ms <n>         delay every request by n ms
  --fault <json>           a fault active from the start (repeatable), e.g. '{"kind":"hang","path":"*/SwapRoles","times":1}'
  --san-dir <dir>          present mapped volumes as directories for the lab's vCenters: <dir>/<site>/<label>
                           (each site's -san-dir of tools/vcsim; needs --environment for the hosts' sites)
  --admin-port <n>         also serve the plain-HTTP control endpoint on loopback (faults, counters, down/up)
  --json                   print one JSON line with url, caFile, adminUrl instead of text
  --help                   this text`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

export interface RunningCli {
  simulator: DsmSimulator;
  admin?: AdminServer;
  caFile: string;
  close(): Promise<void>;
}

function readPassword(file: string | undefined, env: CliIo['env']): { password: string; source: string } {
  if (file) return { password: (readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '').trim(), source: `file ${file}` };
  const fromEnv = env['DRCTL_DSM_SIM_PASSWORD'];
  if (fromEnv) return { password: fromEnv, source: '$DRCTL_DSM_SIM_PASSWORD' };
  return { password: DEFAULT_CREDENTIALS.password, source: 'the default' };
}

function wholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not ${text}`);
  return value;
}

/** Parses the command line, starts the simulator (and admin endpoint) and prints where it is. */
export async function runCli(argv: string[], io: CliIo): Promise<RunningCli | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      environment: { type: 'string' },
      seed: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'ca-file': { type: 'string' },
      username: { type: 'string' },
      'password-file': { type: 'string' },
      'api-version': { type: 'string' },
      'min-api-version': { type: 'string' },
      'transfer-seconds': { type: 'string' },
      'latency-ms': { type: 'string' },
      fault: { type: 'string', multiple: true },
      'admin-port': { type: 'string' },
      'san-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return undefined;
  }
  if (!values.environment && !values.seed) throw new Error('give --environment <file> or --seed <file> (see --help)');

  const seeds: DsmSeed[] = [];
  let san: SanExport | undefined;
  if (values.environment) {
    const file = resolve(values.environment);
    const environment = loadEnvironment(readFileSync(file, 'utf8'), {
      source: file,
      readInclude: (path) => readFileSync(resolve(dirname(file), path), 'utf8'),
    });
    seeds.push(seedFromEnvironment(environment));
    if (values['san-dir'])
      san = new SanExport({ dir: resolve(values['san-dir']), serverSites: serverSites(environment) });
  }
  if (values['san-dir'] && !san) throw new Error('--san-dir needs --environment (the sites of the hosts)');
  if (values.seed) seeds.push(JSON.parse(readFileSync(resolve(values.seed), 'utf8')) as DsmSeed);
  const transferSeconds = wholeNumber('transfer-seconds', values['transfer-seconds']);
  if (transferSeconds !== undefined)
    for (const seed of seeds) for (const volume of seed.volumes ?? []) volume.transferSeconds = transferSeconds;

  const faults: FaultSpec[] = (values.fault ?? []).map((text) => faultFromJson(JSON.parse(text)));
  const latency = wholeNumber('latency-ms', values['latency-ms']);
  if (latency) faults.push({ kind: 'latency', ms: latency });
  const { password, source } = readPassword(values['password-file'], io.env);
  const username = values.username ?? DEFAULT_CREDENTIALS.username;

  const simulator = await startDsmSimulator({
    host: values.host,
    port: wholeNumber('port', values.port) ?? 0,
    seed: mergeSeeds(seeds),
    credentials: { username, password },
    apiVersion: values['api-version'],
    minApiVersion: values['min-api-version'],
    ...(transferSeconds !== undefined ? { defaultTransferSeconds: transferSeconds } : {}),
    faults,
    ...(san ? { onChange: (model: DsmModel) => san.sync(model.state) } : {}),
  });
  san?.sync(simulator.model.state);
  const caFile = resolve(values['ca-file'] ?? join(tmpdir(), `drctl-dsm-simulator-${simulator.port}-ca.pem`));
  writeFileSync(caFile, simulator.caPem, { mode: 0o644 });
  const adminPort = wholeNumber('admin-port', values['admin-port']);
  const admin = adminPort === undefined ? undefined : await startAdminServer(simulator, adminPort);

  if (values.json) {
    io.out(
      JSON.stringify({
        url: simulator.baseUrl,
        host: simulator.host,
        port: simulator.port,
        caFile,
        username,
        adminUrl: admin?.url,
      }),
    );
  } else {
    io.out(`DSM simulator listening on ${simulator.baseUrl}`);
    io.out(`CA certificate: ${caFile}`);
    io.out(`Login: ${username} (password from ${source}); API version ${simulator.apiVersion}`);
    if (admin) io.out(`Admin endpoint: ${admin.url}/ (faults, counters, data-collector/down|up)`);
  }
  return {
    simulator,
    caFile,
    ...(admin ? { admin } : {}),
    close: async () => {
      await admin?.close();
      await simulator.close();
    },
  };
}

/** The site of every host and cluster of the environment, by name. */
function serverSites(environment: Environment): Map<string, string> {
  const sites = new Map<string, string>();
  for (const site of environment.sites)
    for (const cluster of site.clusters) {
      sites.set(cluster.name, site.name);
      for (const host of cluster.hosts) sites.set(host.name, site.name);
    }
  return sites;
}

/** Several seeds into one: lists concatenate. */
function mergeSeeds(all: DsmSeed[]): DsmSeed {
  return {
    storageCenters: all.flatMap((s) => s.storageCenters),
    servers: all.flatMap((s) => s.servers ?? []),
    qosNodes: all.flatMap((s) => s.qosNodes ?? []),
    volumes: all.flatMap((s) => s.volumes ?? []),
    replications: all.flatMap((s) => s.replications ?? []),
    liveVolumes: all.flatMap((s) => s.liveVolumes ?? []),
    consistencyGroups: all.flatMap((s) => s.consistencyGroups ?? []),
  };
}

export function describeCliError(error: unknown): string {
  if (isDrError(error)) return error.describe();
  return (error as Error).message;
}
