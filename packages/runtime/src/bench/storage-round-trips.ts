import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import {
  DrError,
  VirtualClock,
  type CommandContext,
  type DeviceCommandRequest,
  type DeviceCommandResult,
} from '@drctl/domain';
import { startDsmSimulator } from '@drctl/dsm-simulator';
import { createScSeriesAdapter, type ScSeriesAdapter } from '@drctl/sc-series';
import { benchDsmSeed, PROTECTED_SERIAL, RECOVERY_HOSTS, RECOVERY_SERIAL } from './bench-dsm-seed.js';

/** One storage command of the cycle, sent with every device of the plan. */
export interface RoundTripCommand {
  command: string;
  arrayId: 'protected' | 'recovery';
  /** HTTPS requests the Data Collector received for this command (polls and reads included). */
  requests: number;
  /** Of which reads (GETs of objects and GetList calls), AsyncTask polls excluded. */
  reads: number;
  /** Real time the command took (the sync waits run in virtual time). */
  ms: number;
}

export interface StorageRoundTripsResult {
  devices: number;
  commands: RoundTripCommand[];
  /** Requests per command divided by its devices, over the whole cycle. */
  requestsPerDeviceCommand: number;
  /** Mean requests per command (all devices of the command together). */
  requestsPerCommand: number;
  /** Mean reads per command: what sharing reads across a command's devices keeps nearly flat. */
  readsPerCommand: number;
  /** Mean real time of one command through the adapter against the DSM simulator. */
  msPerCommand: number;
}

const PROTECTED_HOSTS = ['esx-a1', 'esx-a2'];

type Step = {
  command: keyof Pick<
    ScSeriesAdapter,
    | 'syncOnce'
    | 'testFailoverStart'
    | 'testFailoverStop'
    | 'prepareFailover'
    | 'failover'
    | 'prepareReverseReplication'
    | 'reverseReplication'
  >;
  arrayId: 'protected' | 'recovery';
  workflow: string;
  hosts?: string[];
};

/**
 * The nine storage commands of a test, a planned migration and a reprotect, in the engine's
 * order: what issue 13 counted "229 HTTPS requests for 18 device-commands" on.
 */
const CYCLE: Step[] = [
  { command: 'syncOnce', arrayId: 'protected', workflow: 'test' },
  { command: 'testFailoverStart', arrayId: 'recovery', workflow: 'test', hosts: RECOVERY_HOSTS },
  { command: 'testFailoverStop', arrayId: 'recovery', workflow: 'cleanup', hosts: RECOVERY_HOSTS },
  { command: 'syncOnce', arrayId: 'protected', workflow: 'planned-migration' },
  { command: 'prepareFailover', arrayId: 'protected', workflow: 'planned-migration', hosts: PROTECTED_HOSTS },
  { command: 'failover', arrayId: 'recovery', workflow: 'planned-migration', hosts: RECOVERY_HOSTS },
  { command: 'prepareReverseReplication', arrayId: 'protected', workflow: 'reprotect' },
  { command: 'reverseReplication', arrayId: 'recovery', workflow: 'reprotect' },
  { command: 'syncOnce', arrayId: 'recovery', workflow: 'reprotect' },
];

/**
 * Round trips of the SC Series adapter: the nine commands of a test, a planned migration and a
 * reprotect, each sent once with all `devices` devices, over HTTPS to the DSM simulator (virtual
 * clock for transfers and waits, real time for the exchanges). The Data Collector's request tally
 * counts every exchange: reads, lists, the actions and their AsyncTask polls, the login.
 */
export async function measureStorageRoundTrips(
  devices: number,
  options: { shareReads?: boolean } = {},
): Promise<StorageRoundTripsResult> {
  if (!Number.isInteger(devices) || devices < 1)
    throw new DrError('DR_INPUT_INVALID', 'Invalid storage round-trip benchmark options.', {
      issues: [{ path: 'devices', message: 'expected a whole number of at least 1' }],
    });
  const clock = new VirtualClock();
  const dsm = await startDsmSimulator({
    seed: benchDsmSeed({ devices, prefix: 'rt', protectedHosts: PROTECTED_HOSTS, transferSeconds: 5 }),
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
    ...(options.shareReads === false ? { shareReads: false } : {}),
  });
  const names = Array.from({ length: devices }, (_, i) => `rt-${String(i + 1).padStart(3, '0')}`);
  const commands: RoundTripCommand[] = [];
  const readCount = () => dsm.requests.count({ kind: 'read' }) + dsm.requests.count({ kind: 'list' });
  try {
    for (const [index, step] of CYCLE.entries()) {
      const context: CommandContext = {
        workflow: step.workflow,
        plan: 'round-trips',
        runId: `run-${step.workflow}`,
        ...(step.hosts ? { hosts: step.hosts } : {}),
      };
      const request: DeviceCommandRequest = {
        arrayId: step.arrayId,
        devices: names,
        idempotencyKey: `round-trips/${index}/${step.command}`,
        context,
        signal: new AbortController().signal,
      };
      const before = dsm.requests.total;
      const readsBefore = readCount();
      const began = performance.now();
      const result: DeviceCommandResult = await clock.runUntil(adapter[step.command](request));
      const ms = performance.now() - began;
      const failed = result.devices.find((d) => d.status === 'error');
      if (failed)
        throw new DrError(
          'DR_STORAGE_ERROR',
          `Round-trip benchmark: ${step.command} failed on ${failed.device}: ${failed.error?.description ?? 'no reason'}.`,
        );
      commands.push({
        command: step.command,
        arrayId: step.arrayId,
        requests: dsm.requests.total - before,
        reads: readCount() - readsBefore,
        ms,
      });
    }
  } finally {
    await adapter.close();
    await dsm.close();
  }
  const requests = commands.reduce((sum, c) => sum + c.requests, 0);
  const round = (n: number, digits = 2) => Number(n.toFixed(digits));
  return {
    devices,
    commands: commands.map((c) => ({ ...c, ms: round(c.ms, 1) })),
    requestsPerDeviceCommand: round(requests / (commands.length * devices)),
    requestsPerCommand: round(requests / commands.length, 1),
    readsPerCommand: round(commands.reduce((sum, c) => sum + c.reads, 0) / commands.length, 1),
    msPerCommand: round(commands.reduce((sum, c) => sum + c.ms, 0) / commands.length, 1),
  };
}
