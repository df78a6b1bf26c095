import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  DrError,
  abortReason,
  isDrError,
  type Clock,
  type DeviceCommandRequest,
  type DeviceError,
  type DeviceResult,
} from '@drctl/domain';
import type { DsmApi } from './dsm/api.js';
import type { DsmClient } from './http/dsm-client.js';
import type { CommandReads } from './reads.js';
import { DsmConnectionError, DsmHttpError, DsmProtocolError, mayHaveTakenEffect } from './http/errors.js';

/** Tunables of the adapter's own behaviour (not DSM's). */
export interface AdapterSettings {
  /** Devices handled at once within one command. */
  deviceConcurrency: number;
  /** Replication QoS node used when reversing replication if the original one is not found. */
  qosNode?: string;
}

/** Environment array ids ↔ Storage Center serial numbers. */
export class ArrayIds {
  private readonly bySerial = new Map<number, string>();
  constructor(private readonly arrays: Record<string, number>) {
    for (const [id, serial] of Object.entries(arrays)) this.bySerial.set(serial, id);
  }
  serialOf(arrayId: string): number {
    const serial = this.arrays[arrayId];
    if (serial !== undefined) return serial;
    const fallback = /^sc-(\d+)$/.exec(arrayId);
    if (fallback) return Number(fallback[1]);
    throw new DrError('DR_INPUT_INVALID', `Array ${arrayId} is not known to the SC Series adapter.`, {
      issues: [
        { path: 'arrayId', message: `no Storage Center serial for array ${arrayId}: add it to the adapter's arrays` },
      ],
    });
  }
  idOf(serial: number): string {
    return this.bySerial.get(serial) ?? `sc-${serial}`;
  }
  get serials(): number[] {
    return [...this.bySerial.keys()];
  }
}

export interface Core {
  api: DsmApi;
  client: DsmClient;
  ids: ArrayIds;
  clock: Clock;
  logger: Logger;
  settings: AdapterSettings;
  /** Amount remaining when a sync started, per replication id: the base for progress percentages. */
  syncBaselines: Map<string, number>;
  /** What the running command has read already (each command gets its own). */
  reads: CommandReads;
}

/** An expected per-device failure: becomes the device's error in the result. */
export class DeviceFailure extends Error {
  constructor(
    readonly code: string,
    description: string,
    readonly fixHint?: string,
  ) {
    super(description);
    this.name = 'DeviceFailure';
  }
}

/** What one device's handler returns on success. */
export interface DeviceOutcome {
  warnings?: string[];
  details?: Record<string, string>;
  state?: 'read-only' | 'read-write';
}

export function toDeviceError(error: unknown): DeviceError {
  if (error instanceof DeviceFailure)
    return { code: error.code, description: error.message, ...(error.fixHint ? { fixHint: error.fixHint } : {}) };
  if (error instanceof DsmHttpError) {
    return {
      code:
        error.status === 401 || error.status === 403
          ? 'SC_DSM_DENIED'
          : error.status >= 500
            ? 'SC_DSM_ERROR'
            : 'SC_DSM_REFUSED',
      description: error.message,
      fixHint:
        error.status === 403
          ? 'Give the SRA account administrator rights on both Storage Centers of the pair.'
          : 'Check the object in Dell Storage Manager; the command can be run again safely.',
    };
  }
  if (error instanceof DsmConnectionError) {
    return {
      code: 'SC_DSM_UNREACHABLE',
      description: error.message,
      fixHint: 'Check that the Data Collector is running and reachable, then run the command again.',
    };
  }
  if (error instanceof DsmProtocolError) return { code: 'SC_DSM_PROTOCOL', description: error.message };
  if (isDrError(error)) return { code: error.code, description: error.message };
  return { code: 'SC_INTERNAL', description: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs a handler per device, a few at a time; a device's failure is its result, never the
 * command's. Cancellation (the engine's command timeout) ends the whole command.
 */
export async function perDevice(
  request: DeviceCommandRequest,
  concurrency: number,
  handler: (device: string, index: number) => Promise<DeviceOutcome>,
): Promise<DeviceResult[]> {
  const results: DeviceResult[] = new Array(request.devices.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= request.devices.length) return;
      const device = request.devices[index]!;
      if (request.signal.aborted) throw abortReason(request.signal);
      try {
        const outcome = await handler(device, index);
        results[index] = {
          device,
          status: 'success',
          warnings: outcome.warnings ?? [],
          ...(outcome.details && Object.keys(outcome.details).length > 0 ? { details: outcome.details } : {}),
          ...(outcome.state ? { state: outcome.state } : {}),
        };
      } catch (error) {
        if (request.signal.aborted) throw abortReason(request.signal);
        results[index] = { device, status: 'error', error: toDeviceError(error), warnings: [] };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, request.devices.length)) }, worker));
  return results;
}

/**
 * `perDevice` in two rounds: `first` for every device, then `then` for each device whose first
 * round succeeded. What every device reads in its second round, after all the first rounds (a
 * sync's progress after all the replays), one shared reading can answer.
 */
export async function perDeviceInTwoRounds<T>(
  request: DeviceCommandRequest,
  concurrency: number,
  first: (device: string) => Promise<T>,
  then: (device: string, value: T) => Promise<DeviceOutcome>,
): Promise<DeviceResult[]> {
  const values = new Map<number, T>();
  const firstResults = await perDevice(request, concurrency, async (device, index) => {
    values.set(index, await first(device));
    return {};
  });
  const ready = [...values.keys()].sort((a, b) => a - b);
  const second = await perDevice(
    { ...request, devices: ready.map((i) => request.devices[i]!) },
    concurrency,
    (device, index) => then(device, values.get(ready[index]!)!),
  );
  ready.forEach((i, k) => (firstResults[i] = second[k]!));
  return firstResults;
}

/**
 * Does a state-changing DSM action at most once in effect. `check` reads the array: if the effect
 * is already there, nothing is sent. If the action fails in a way that may still have taken
 * effect (lost connection, timeout, 5xx, unreadable AsyncTask), the array is read again before
 * the action is repeated, once.
 */
export async function performOnce<T>(
  check: () => Promise<T | undefined>,
  act: () => Promise<T>,
  log: Logger,
  what: string,
): Promise<{ value: T; already: boolean }> {
  const existing = await check();
  if (existing !== undefined) return { value: existing, already: true };
  try {
    return { value: await act(), already: false };
  } catch (error) {
    if (!mayHaveTakenEffect(error)) throw error;
    log.warn(
      { action: what, err: { type: (error as Error).name, message: (error as Error).message } },
      'action outcome unknown; checking the array before repeating it',
    );
    const after = await check();
    if (after !== undefined) return { value: after, already: false };
    return { value: await act(), already: false };
  }
}

/**
 * A check for `performOnce` whose first answer is what the command already read; a repeat (after
 * an answer lost mid-call) reads the array again, since the action may have changed it.
 */
export function cachedFirst<T>(first: () => Promise<T>, fresh: () => Promise<T>): () => Promise<T> {
  let used = false;
  return () => {
    if (used) return fresh();
    used = true;
    return first();
  };
}

/** Short stable tag for replay descriptions, which DSM truncates (about 30 characters). */
export function shortTag(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}
