import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DrError, SystemClock, type Clock, type Environment } from '@drctl/domain';
import { DsmModel } from '../model/dsm-model.js';
import { checkDsmModelState, type DsmModelState } from '../model/persistence.js';
import { wireStyleFor } from '../model/wire-style.js';
import { parseApiVersion } from '../protocol/api-version.js';
import { errorReply } from '../routes/reply.js';
import { ALL_ROUTES } from '../routes/all-routes.js';
import { Router } from '../routes/route.js';
import { applySeed } from '../seed/apply-seed.js';
import { seedFromEnvironment, type EnvironmentSeedOptions } from '../seed/from-environment.js';
import type { DsmSeed } from '../seed/seed.js';
import { AsyncTaskRegistry, type AsyncTaskSettings } from './async-tasks.js';
import { CallCounters, type CallCount } from './counters.js';
import { RequestTally } from './request-tally.js';
import { FaultInjector } from './fault-injector.js';
import { FaultTable, type FaultSpec } from './faults.js';
import { sendReply } from './http-io.js';
import { BASE_PATH, handleRequest } from './request-handler.js';
import { SessionStore, type Credentials } from './sessions.js';
import { sharedTlsMaterial, type TlsMaterial } from './tls.js';

export interface DsmSimulatorOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Seed from a drctl environment (arrays with `serial`, their volumes, each site's hosts). */
  environment?: Environment;
  environmentSeed?: EnvironmentSeedOptions;
  /** Or a plain seed; both may be given (the environment first). */
  seed?: DsmSeed;
  /** Time for transfers, expirations, sessions and async tasks. @default SystemClock */
  clock?: Clock;
  /** Accounts that may log in. @default one account, Admin / simulator */
  credentials?: Credentials | Credentials[];
  /** The server's API version (ApiConnection `apiVersion`); decides filter shape and formats. @default 4.2 */
  apiVersion?: string;
  /** Lowest `x-dell-api-version` accepted. @default 0.1 (what real DSM reports) */
  minApiVersion?: string;
  /** @default 18.1.20.114 */
  providerVersion?: string;
  /** `StorageCenter` plays a direct SC connection (no replication). @default EnterpriseManager */
  provider?: 'EnterpriseManager' | 'StorageCenter';
  /** Accept a valid Basic header in place of the session cookie (lenient, like some DSMs). @default false */
  acceptBasicAuthAsSession?: boolean;
  /** Sessions idle longer than this end. @default never */
  sessionIdleTimeoutMs?: number;
  /** How long async calls report Running. @default { runningPolls: 0, durationMs: 0 } */
  asyncTasks?: Partial<AsyncTaskSettings>;
  /** Seconds a replay takes to reach the destination when the volume does not say. @default 30 */
  defaultTransferSeconds?: number;
  /** Changed bytes per replay when the volume does not say. @default 256 MiB */
  defaultReplayDeltaBytes?: number;
  /** Reuse a certificate; by default one is generated per process. */
  tls?: TlsMaterial;
  /** Faults active from the start. */
  faults?: FaultSpec[];
  /**
   * What an earlier simulator held (`snapshot()`): the model and its call counters continue from
   * it, and `environment`/`seed` are not applied. Give the clock the time it was saved at too.
   */
  state?: DsmSimulatorState;
  /**
   * Called after every call that changed the model, before the client gets its answer (the lab
   * uses it to present mapped volumes to its vCenters: `SanExport`).
   */
  onChange?: (model: DsmModel) => void;
}

export const DSM_SIMULATOR_STATE_FORMAT = 'drctl-dsm-simulator/1';

/** A running simulator's persistent part, as plain JSON: the model and the call counters. */
export interface DsmSimulatorState {
  format: typeof DSM_SIMULATOR_STATE_FORMAT;
  model: DsmModelState;
  counters: CallCount[];
}

export interface DsmSimulator {
  /** `https://127.0.0.1:<port>`: the Data Collector's address (clients add `/api/rest/`). */
  readonly url: string;
  /** `https://127.0.0.1:<port>/api/rest/` */
  readonly baseUrl: string;
  readonly host: string;
  readonly port: number;
  /** PEM of the CA that signed the server certificate: what a client verifies TLS against. */
  readonly caPem: string;
  /** The first account (what tests log in with). */
  readonly credentials: Credentials;
  readonly apiVersion: string;
  readonly model: DsmModel;
  readonly counters: CallCounters;
  /** Every HTTPS request received (reads, lists, polls, logins included): the client's round trips. */
  readonly requests: RequestTally;
  readonly faults: FaultInjector;
  /** Async task timing; may be changed while running. */
  readonly asyncTasks: AsyncTaskSettings;
  /** The model and counters as plain JSON, for `state` of a later simulator. */
  snapshot(): DsmSimulatorState;
  close(): Promise<void>;
}

export const DEFAULT_CREDENTIALS: Credentials = { username: 'Admin', password: 'simulator' };

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function stopListening(server: Server, hung: Set<ServerResponse>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    for (const response of hung) response.socket?.destroy();
    hung.clear();
    server.closeAllConnections();
  });
}

function checkVersions(apiVersion: string, minApiVersion: string): void {
  if (!parseApiVersion(apiVersion))
    throw new DrError('DR_INPUT_INVALID', 'The DSM simulator apiVersion must look like 4.2.', {
      issues: [{ path: 'apiVersion', message: `not a version: ${apiVersion}` }],
    });
  if (!parseApiVersion(minApiVersion))
    throw new DrError('DR_INPUT_INVALID', 'The DSM simulator minApiVersion must look like 2.0.', {
      issues: [{ path: 'minApiVersion', message: `not a version: ${minApiVersion}` }],
    });
}

function checkSimulatorState(state: DsmSimulatorState): DsmSimulatorState {
  const issues = [];
  if (state?.format !== DSM_SIMULATOR_STATE_FORMAT)
    issues.push({
      path: 'state.format',
      message: `expected ${DSM_SIMULATOR_STATE_FORMAT}, got ${JSON.stringify(state?.format)}`,
    });
  if (!Array.isArray(state?.counters)) issues.push({ path: 'state.counters', message: 'expected a list' });
  if (issues.length > 0)
    throw new DrError('DR_INPUT_INVALID', 'The saved DSM simulator state cannot be read.', { issues });
  checkDsmModelState(state.model, 'state.model');
  return state;
}

/**
 * Starts a simulated DSM Data Collector: a real HTTPS server on loopback with a certificate
 * generated at start, serving the DSM REST API under `/api/rest/` from an in-memory model.
 */
export async function startDsmSimulator(options: DsmSimulatorOptions = {}): Promise<DsmSimulator> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? new SystemClock();
  const apiVersion = options.apiVersion ?? '4.2';
  const minApiVersion = options.minApiVersion ?? '0.1';
  checkVersions(apiVersion, minApiVersion);
  const credentials =
    options.credentials === undefined
      ? [DEFAULT_CREDENTIALS]
      : Array.isArray(options.credentials)
        ? options.credentials
        : [options.credentials];
  if (credentials.length === 0)
    throw new DrError('DR_INPUT_INVALID', 'The DSM simulator needs at least one account.', {
      issues: [{ path: 'credentials', message: 'empty list' }],
    });
  const provider = options.provider ?? 'EnterpriseManager';

  const sessions = new SessionStore(clock, credentials, options.sessionIdleTimeoutMs);
  const model = new DsmModel(
    {
      clock,
      defaultTransferSeconds: options.defaultTransferSeconds ?? 30,
      defaultReplayDeltaBytes: options.defaultReplayDeltaBytes ?? 256 * 1024 * 1024,
      provider,
    },
    wireStyleFor(apiVersion),
    () => credentials[0]!.username,
  );
  const counters = new CallCounters();
  const requests = new RequestTally();
  if (options.state) {
    const saved = checkSimulatorState(options.state);
    model.restore(saved.model);
    counters.load(saved.counters);
  } else {
    if (options.environment) applySeed(model, seedFromEnvironment(options.environment, options.environmentSeed));
    if (options.seed) applySeed(model, options.seed);
  }

  const asyncTasks: AsyncTaskSettings = {
    runningPolls: options.asyncTasks?.runningPolls ?? 0,
    durationMs: options.asyncTasks?.durationMs ?? 0,
  };
  const tasks = new AsyncTaskRegistry(clock, asyncTasks);
  const table = new FaultTable();
  for (const spec of options.faults ?? []) table.add(spec);
  const hung = new Set<ServerResponse>();
  const tls = options.tls ?? (await sharedTlsMaterial());

  const deps = {
    model,
    router: new Router(ALL_ROUTES),
    sessions,
    tasks,
    counters,
    requests,
    faults: table,
    connection: {
      apiVersion,
      minApiVersion,
      provider,
      providerVersion: options.providerVersion ?? '18.1.20.114',
      hostName: host,
    },
    acceptBasicAuthAsSession: options.acceptBasicAuthAsSession ?? false,
    hung,
    onChange: options.onChange ? () => options.onChange?.(model) : undefined,
  };
  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (request, response) => {
    handleRequest(deps, request, response).catch((error: unknown) => {
      // A defect in the simulator: answer like a failing Data Collector rather than hang the client.
      if (!response.headersSent) sendReply(response, errorReply(500, `Simulator error: ${(error as Error).message}`));
      else response.destroy();
    });
  });
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const url = `https://${hostInUrl}:${port}`;

  const faults = new FaultInjector(
    table,
    model,
    {
      stop: () => stopListening(server, hung),
      start: async () => {
        if (!server.listening) await listen(server, port, host);
      },
      get listening() {
        return server.listening;
      },
      expireSessions: () => sessions.expireAll(),
    },
    clock,
  );

  return {
    url,
    baseUrl: `${url}${BASE_PATH}`,
    host,
    port,
    caPem: tls.caPem,
    credentials: credentials[0]!,
    apiVersion,
    model,
    counters,
    requests,
    faults,
    asyncTasks,
    snapshot: () => ({ format: DSM_SIMULATOR_STATE_FORMAT, model: model.snapshot(), counters: counters.list() }),
    close: () => {
      faults.dispose();
      return stopListening(server, hung);
    },
  };
}
