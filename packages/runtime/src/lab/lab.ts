import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { DrError, loadEnvironment, type Environment } from '@drctl/domain';
import { labVcenterBinary } from '@drctl/vsphere';
import { writeLabEnvironment, type LabEndpoints } from './lab-environment.js';
import { createSiteVms, siteInventory } from './lab-inventory.js';
import { isAlive, startDetached, stopProcess } from './lab-processes.js';

export const LAB_STATE_FORMAT = 'drctl-lab/1';

/** One server of a running lab, as `lab.json` records it. */
export interface LabServer {
  name: string;
  kind: 'vcenter' | 'dsm';
  pid: number;
  /** The API address: vCenter's `https://…/sdk`, the Data Collector's `https://…/api/rest/`. */
  url: string;
  /** Counters and faults: the lab vCenter's `/lab/calls` and `/lab/faults`; the DSM simulator's admin endpoint. */
  controlUrl: string;
  /** The certificate to verify `url` and `controlUrl` against (HTTPS). */
  caFile: string;
  site?: string;
  log: string;
}

/** `lab.json`: what `drctl lab up` started, for `lab status`, `lab down` and tests. */
export interface LabState {
  format: typeof LAB_STATE_FORMAT;
  dir: string;
  /** The environment file that points at the lab. */
  environment: string;
  example: string;
  startedAt: string;
  servers: LabServer[];
}

export interface LabUpOptions {
  /** The lab's directory: state, logs, secrets, the SAN, the environment files. */
  dir: string;
  /** The example whose environment the lab serves. @default the repository's examples/techsol */
  example?: string;
  /** How long after power-on VMware Tools report a heartbeat. @default 1000 */
  toolsDelayMs?: number;
  /** VMs whose heartbeat never comes (a glob of names). */
  toolsNever?: string;
  /** Sessions idle this long expire (NotAuthenticated). @default never */
  sessionIdleTimeoutMs?: number;
  /** Seconds a replay takes to replicate. @default 1 */
  transferSeconds?: number;
  logger?: Logger;
}

/** The repository's examples/techsol (packages/runtime/{src,dist}/lab → the repository root). */
export function defaultLabExample(): string {
  return fileURLToPath(new URL('../../../../examples/techsol', import.meta.url));
}

function dsmSimulatorBin(): string {
  const manifest = createRequire(import.meta.url).resolve('@drctl/dsm-simulator/package.json');
  return join(dirname(manifest), 'dist', 'bin.js');
}

function statePath(dir: string): string {
  return join(resolve(dir), 'lab.json');
}

/** The lab's recorded state, or undefined when none was started in `dir`. */
export function readLabState(dir: string): LabState | undefined {
  const path = statePath(dir);
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, 'utf8')) as LabState;
  if (state.format !== LAB_STATE_FORMAT)
    throw new DrError('DR_INPUT_INVALID', `${path} is not a drctl lab state file.`, {
      issues: [{ path: `${path}#format`, message: `expected ${LAB_STATE_FORMAT}` }],
    });
  return state;
}

function secret(dir: string, name: string): string {
  const path = join(dir, 'secrets', `${name}.password`);
  writeFileSync(path, `${randomBytes(12).toString('base64url')}\n`, { mode: 0o600 });
  return path;
}

function loadExample(example: string): Environment {
  const file = join(example, 'environment.yaml');
  return loadEnvironment(readFileSync(file, 'utf8'), {
    source: file,
    readInclude: (path) => readFileSync(resolve(example, path), 'utf8'),
  });
}

const goDuration = (ms: number) => `${ms}ms`;

/**
 * Starts the lab: the DSM simulator as a standalone HTTPS Data Collector seeded from the
 * example (its SAN presenting mapped volumes to the lab vCenters), one lab vCenter (tools/vcsim)
 * per site shaped and named like the site, with its own account and instance UUID, the site's
 * protected VMs created and powered on, and an environment file that points at all of them.
 * The servers run in the background until `labDown`.
 */
export async function labUp(options: LabUpOptions): Promise<LabState> {
  const dir = resolve(options.dir);
  const logger = options.logger ?? pino({ level: 'silent' });
  const running = readLabState(dir);
  if (running && running.servers.some((s) => isAlive(s.pid)))
    throw new DrError(
      'DR_OPERATION_REFUSED',
      `A lab is already running in ${dir}: stop it with drctl lab down first.`,
      {
        issues: [{ path: statePath(dir), message: 'servers still running' }],
      },
    );
  const example = resolve(options.example ?? defaultLabExample());
  const env = loadExample(example);
  for (const sub of ['secrets', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  rmSync(join(dir, 'san'), { recursive: true, force: true });
  rmSync(join(dir, 'environment'), { recursive: true, force: true });
  const servers: LabServer[] = [];
  try {
    const manager = env.arrayManagers.find((m) => m.connection)?.connection;
    const dsmUser = manager?.username ?? 'drctl';
    const dsmPassword = secret(dir, 'dsm');
    const dsmCa = join(dir, 'dsm-ca.pem');
    const dsm = await startDetached(
      process.execPath,
      [
        dsmSimulatorBin(),
        '--environment',
        join(example, 'environment.yaml'),
        '--san-dir',
        join(dir, 'san'),
        '--username',
        dsmUser,
        '--password-file',
        dsmPassword,
        '--ca-file',
        dsmCa,
        '--transfer-seconds',
        String(options.transferSeconds ?? 1),
        '--admin-port',
        '0',
        '--json',
      ],
      join(dir, 'logs', 'dsm-simulator.log'),
      (out) => {
        const line = out.split('\n').find((l) => l.startsWith('{'));
        return line ? (JSON.parse(line) as { host: string; port: number; url: string; adminUrl: string }) : undefined;
      },
    );
    servers.push({
      name: 'dsm-simulator',
      kind: 'dsm',
      pid: dsm.pid,
      url: dsm.facts.url,
      controlUrl: dsm.facts.adminUrl,
      caFile: dsmCa,
      log: dsm.log,
    });
    const endpoints: LabEndpoints = {
      dsm: { host: dsm.facts.host, port: dsm.facts.port, username: dsmUser, passwordFile: dsmPassword, caFile: dsmCa },
      vcenters: {},
    };

    const binary = labVcenterBinary();
    const vcenters = await Promise.all(
      env.sites.map(async (site) => {
        const { flags, renames } = siteInventory(site);
        const renameFile = join(dir, `${site.name}-names.json`);
        writeFileSync(renameFile, JSON.stringify(renames, null, 2));
        const username = `${site.name}-admin`;
        const passwordFile = secret(dir, site.name);
        const caFile = join(dir, `${site.name}-ca.pem`);
        const started = await startDetached(
          binary,
          [
            '-listen',
            '127.0.0.1:0',
            '-cert-out',
            caFile,
            '-username',
            username,
            '-password-file',
            passwordFile,
            '-instance-uuid',
            randomUUID(),
            '-rename',
            renameFile,
            '-san-dir',
            join(dir, 'san', site.name),
            '-mount-luns',
            '-tools-delay',
            goDuration(options.toolsDelayMs ?? 1000),
            ...(options.toolsNever ? ['-tools-never', options.toolsNever] : []),
            ...(options.sessionIdleTimeoutMs
              ? ['-session-idle-timeout', goDuration(options.sessionIdleTimeoutMs)]
              : []),
            ...flags,
          ],
          join(dir, 'logs', `vcenter-${site.name}.log`),
          (out) => {
            if (!out.includes('VCSIM_READY')) return undefined;
            const fact = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(out)?.[1] ?? '';
            return { url: fact('VCSIM_URL'), thumbprint: fact('VCSIM_THUMBPRINT') };
          },
        );
        const url = new URL(started.facts.url);
        servers.push({
          name: `vcenter-${site.name}`,
          kind: 'vcenter',
          site: site.name,
          pid: started.pid,
          url: started.facts.url,
          controlUrl: `${url.protocol}//${url.host}/lab`,
          caFile,
          log: started.log,
        });
        const login = {
          host: url.hostname,
          port: Number(url.port),
          username,
          passwordFile,
          thumbprint: started.facts.thumbprint,
        };
        endpoints.vcenters[site.name] = login;
        return { site: site.name, login };
      }),
    );
    const signal = AbortSignal.timeout(120_000);
    await Promise.all(
      vcenters.map(({ site, login }) =>
        createSiteVms(
          { ...login, password: readFileSync(login.passwordFile, 'utf8').trim() },
          env,
          site,
          logger,
          signal,
        ),
      ),
    );
    const environment = writeLabEnvironment(example, join(dir, 'environment'), env, endpoints);
    const state: LabState = {
      format: LAB_STATE_FORMAT,
      dir,
      environment,
      example,
      startedAt: new Date().toISOString(),
      servers: servers.sort((a, b) => a.name.localeCompare(b.name)),
    };
    writeFileSync(statePath(dir), `${JSON.stringify(state, null, 2)}\n`);
    return state;
  } catch (error) {
    await Promise.all(servers.map((s) => stopProcess(s.pid)));
    throw error;
  }
}

/** Stops every server of the lab in `dir` (SIGTERM, then SIGKILL). Returns what was stopped. */
export async function labDown(dir: string): Promise<LabServer[]> {
  const state = readLabState(dir);
  if (!state) return [];
  const alive = state.servers.filter((s) => isAlive(s.pid));
  await Promise.all(alive.map((s) => stopProcess(s.pid)));
  rmSync(statePath(dir), { force: true });
  return alive;
}

/** Each server of the lab in `dir` and whether its process is alive. */
export function labStatus(dir: string): {
  state: LabState | undefined;
  servers: Array<LabServer & { alive: boolean }>;
} {
  const state = readLabState(dir);
  return { state, servers: (state?.servers ?? []).map((s) => ({ ...s, alive: isAlive(s.pid) })) };
}
