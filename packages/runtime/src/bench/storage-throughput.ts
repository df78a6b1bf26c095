import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { DrError, SystemClock, type CommandContext, type DeviceCommandRequest, type InputIssue } from '@drctl/domain';
import { startDsmSimulator, type DsmSimulator } from '@drctl/dsm-simulator';
import { createScSeriesAdapter, type ScSeriesAdapter } from '@drctl/sc-series';
import { benchDsmSeed, PROTECTED_SERIAL, RECOVERY_HOSTS, RECOVERY_SERIAL } from './bench-dsm-seed.js';

export interface StorageThroughputOptions {
  /** Storage commands to send for the throughput figure (test-failover starts and stops, alternating per device). @default 200 */
  commands?: number;
  /** Commands in flight at once: `storage.maxConcurrentCommandCnt`. @default 5 */
  concurrency?: number;
  /** Sequential adapter commands timed for the per-command latency. @default 40 */
  latencyCommands?: number;
  /** Sequential bare undici requests timed for the baseline. @default 200 */
  baselineRequests?: number;
}

export interface StorageThroughputResult {
  commands: number;
  concurrency: number;
  /** Real time the `commands` took at `concurrency` in flight. */
  elapsedMs: number;
  commandsPerSecond: number;
  /** HTTP exchanges the adapter made per storage command (reads, the action, AsyncTask polls). */
  requestsPerCommand: number;
  /** Mean real time of one storage command sent alone. */
  adapterMsPerCommand: number;
  /** Mean real time of one bare undici GET to the same server (same TLS, same session). */
  bareRequestMs: number;
  /** `adapterMsPerCommand / bareRequestMs`: what one storage command costs in bare requests. */
  overheadRatio: number;
  /** The same per HTTP exchange: the adapter's own cost on each request it makes (1 = none). */
  perRequestOverheadRatio: number;
}

function check(options: Required<StorageThroughputOptions>): void {
  const issues: InputIssue[] = [];
  for (const key of ['commands', 'concurrency', 'latencyCommands', 'baselineRequests'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1)
      issues.push({ path: key, message: 'expected a whole number of at least 1' });
  }
  if (issues.length > 0)
    throw new DrError('DR_INPUT_INVALID', 'Invalid storage throughput benchmark options.', { issues });
}

/**
 * One device's cycle of SRA commands: a test failover start (a replay of the destination, a view
 * volume, mapped to the recovery hosts), then its stop (unmapped, deleted, the replay expired).
 * Every command reads the array first, changes it, and waits for DSM's AsyncTask.
 */
class DeviceCycle {
  private started = false;
  private sequence = 0;
  constructor(
    private readonly adapter: ScSeriesAdapter,
    private readonly device: string,
  ) {}

  async next(): Promise<void> {
    const context: CommandContext = {
      workflow: this.started ? 'cleanup' : 'test',
      plan: 'bench',
      runId: 'bench',
      hosts: RECOVERY_HOSTS,
    };
    const command: DeviceCommandRequest = {
      arrayId: 'recovery',
      devices: [this.device],
      idempotencyKey: `bench/${this.device}/${this.sequence++}`,
      context,
      signal: new AbortController().signal,
    };
    const result = this.started
      ? await this.adapter.testFailoverStop(command)
      : await this.adapter.testFailoverStart(command);
    const failed = result.devices.find((d) => d.status === 'error');
    if (failed)
      throw new DrError(
        'DR_STORAGE_ERROR',
        `Benchmark command failed on ${this.device}: ${failed.error?.description ?? 'no reason'}.`,
      );
    this.started = !this.started;
  }
}

async function timedBareRequests(dsm: DsmSimulator, count: number): Promise<number> {
  // Loaded here, not with the package: an engine process has no use for it.
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connect: { ca: dsm.caPem } });
  try {
    const basic = Buffer.from(`${dsm.credentials.username}:${dsm.credentials.password}`).toString('base64');
    const headers = { 'x-dell-api-version': '4.0', accept: 'application/json', 'content-type': 'application/json' };
    const login = await request(`${dsm.baseUrl}ApiConnection/Login`, {
      method: 'POST',
      headers: { ...headers, authorization: `Basic ${basic}` },
      body: '{}',
      dispatcher: agent,
    });
    await login.body.text();
    const cookie = String(login.headers['set-cookie'] ?? '').split(';')[0]!;
    const once = async () => {
      const res = await request(`${dsm.baseUrl}StorageCenter/StorageCenter`, {
        headers: { ...headers, cookie },
        dispatcher: agent,
      });
      await res.body.text();
      if (res.statusCode !== 200)
        throw new DrError('DR_INTERNAL', `The benchmark's bare request got ${res.statusCode}.`);
    };
    for (let i = 0; i < 10; i++) await once(); // warm-up: TLS session, JIT
    const began = performance.now();
    for (let i = 0; i < count; i++) await once();
    return (performance.now() - began) / count;
  } finally {
    await agent.close();
  }
}

/**
 * Storage commands per second through the SC Series adapter and the DSM simulator over real HTTPS
 * on loopback, in real time, with `concurrency` commands in flight (SRM's
 * `storage.maxConcurrentCommandCnt`, 5 by default), and the adapter's cost per command against a
 * bare undici request to the same server. The simulator answers AsyncTasks on the first poll and
 * the adapter polls without waiting, so the figures are the adapter's and the simulator's own
 * work, not a DSM's think time.
 */
export async function measureStorageThroughput(
  options: StorageThroughputOptions = {},
): Promise<StorageThroughputResult> {
  const settings: Required<StorageThroughputOptions> = {
    commands: 200,
    concurrency: 5,
    latencyCommands: 40,
    baselineRequests: 200,
    ...options,
  };
  check(settings);
  const { commands, concurrency } = settings;
  const clock = new SystemClock();
  const dsm = await startDsmSimulator({
    seed: benchDsmSeed({
      devices: concurrency + 1,
      prefix: 'bench',
      protectedHosts: ['esx-a1'],
      replicateActiveReplay: true,
    }),
    clock,
  });
  const adapter = createScSeriesAdapter({
    host: dsm.host,
    port: dsm.port,
    username: dsm.credentials.username,
    password: dsm.credentials.password,
    caPem: dsm.caPem,
    arrays: { protected: PROTECTED_SERIAL, recovery: RECOVERY_SERIAL },
    clock,
    logger: pino({ level: 'silent' }),
    asyncPollIntervalMs: 0,
    deviceConcurrency: 1,
  });
  try {
    const cycles = Array.from(
      { length: concurrency + 1 },
      (_, i) => new DeviceCycle(adapter, `bench-${String(i + 1).padStart(3, '0')}`),
    );
    // Latency of a command alone, on a device of its own (warm-up first).
    const alone = cycles[concurrency]!;
    for (let i = 0; i < 4; i++) await alone.next();
    const requestsBefore = adapter.stats.requests;
    let began = performance.now();
    for (let i = 0; i < settings.latencyCommands; i++) await alone.next();
    const adapterMsPerCommand = (performance.now() - began) / settings.latencyCommands;
    const requestsPerCommand = (adapter.stats.requests - requestsBefore) / settings.latencyCommands;

    // Throughput: `concurrency` workers, each cycling its own device, share the command budget.
    let sent = 0;
    began = performance.now();
    await Promise.all(
      cycles.slice(0, concurrency).map(async (cycle) => {
        while (sent < commands) {
          sent++;
          await cycle.next();
        }
      }),
    );
    const elapsedMs = performance.now() - began;

    const bareRequestMs = await timedBareRequests(dsm, settings.baselineRequests);
    const round = (n: number, digits = 2) => Number(n.toFixed(digits));
    return {
      commands,
      concurrency,
      elapsedMs: round(elapsedMs, 1),
      commandsPerSecond: round((commands / elapsedMs) * 1000, 1),
      requestsPerCommand: round(requestsPerCommand, 1),
      adapterMsPerCommand: round(adapterMsPerCommand),
      bareRequestMs: round(bareRequestMs, 3),
      overheadRatio: round(adapterMsPerCommand / bareRequestMs, 1),
      perRequestOverheadRatio: round(adapterMsPerCommand / requestsPerCommand / bareRequestMs),
    };
  } finally {
    await adapter.close();
    await dsm.close();
  }
}
