import { measureStorageRoundTrips, type StorageRoundTripsResult } from '@drctl/runtime';

/** Devices per command at which the round trips are measured. */
export const ROUND_TRIP_DEVICES = [2, 20, 200] as const;

/** Target of issue 13 §2: requests per device-command at 20 devices. */
export const ROUND_TRIP_TARGET_AT_20 = 5;

/**
 * The same cycle measured on main at f2cfd8e (2026-12-02), before the adapter shared its reads
 * across a command's devices: every device read its own replays, volumes, mappings, servers and
 * replication progress. Kept so every run prints the change beside its own figures.
 */
export const ROUND_TRIPS_BEFORE: ReadonlyArray<
  Pick<StorageRoundTripsResult, 'devices' | 'requestsPerDeviceCommand' | 'requestsPerCommand' | 'msPerCommand'>
> = [
  { devices: 2, requestsPerDeviceCommand: 10.44, requestsPerCommand: 20.9, msPerCommand: 47.5 },
  { devices: 20, requestsPerDeviceCommand: 8.87, requestsPerCommand: 177.3, msPerCommand: 148.6 },
  { devices: 200, requestsPerDeviceCommand: 8.69, requestsPerCommand: 1737.3, msPerCommand: 863.8 },
];

export interface RoundTripFigures {
  /** The adapter as it is: reads shared across a command's devices. */
  shared: StorageRoundTripsResult[];
  /** The same adapter reading per device (`shareReads: false`), measured in the same run. */
  perDevice: StorageRoundTripsResult[];
}

/** Both ways at each size, alternating, so load on the machine falls on both alike. */
export async function measureRoundTrips(): Promise<RoundTripFigures> {
  const figures: RoundTripFigures = { shared: [], perDevice: [] };
  for (const devices of ROUND_TRIP_DEVICES) {
    figures.perDevice.push(await measureStorageRoundTrips(devices, { shareReads: false }));
    figures.shared.push(await measureStorageRoundTrips(devices));
  }
  return figures;
}

const fixed = (n: number | undefined, digits: number) => (n === undefined ? '—' : n.toFixed(digits));

/**
 * Markdown table: each size's figures, beside the same adapter reading per device (same run) and
 * the figures recorded on main before the change (another run: compare its times with care).
 */
export function roundTripsTable(figures: RoundTripFigures): string {
  const recorded = (devices: number) => ROUND_TRIPS_BEFORE.find((b) => b.devices === devices);
  const rows = figures.shared.map((r) => {
    const perDevice = figures.perDevice.find((p) => p.devices === r.devices);
    const main = recorded(r.devices);
    return `| ${r.devices} | **${fixed(r.requestsPerDeviceCommand, 2)}** | ${fixed(perDevice?.requestsPerDeviceCommand, 2)} | ${fixed(main?.requestsPerDeviceCommand, 2)} | **${fixed(r.requestsPerCommand, 1)}** | ${fixed(perDevice?.requestsPerCommand, 1)} | ${fixed(main?.requestsPerCommand, 1)} | **${fixed(r.msPerCommand, 1)} ms** | ${fixed(perDevice?.msPerCommand, 1)} ms | ${fixed(main?.msPerCommand, 1)} ms |`;
  });
  return [
    '| devices per command | requests per device-command | per-device reads | main f2cfd8e | requests per command | per-device reads | main f2cfd8e | adapter time per command | per-device reads | main f2cfd8e |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** One line: the figure at 20 devices against the target, and whether growth stays below linear. */
export function roundTripsVerdict(figures: RoundTripFigures): string {
  const results = figures.shared;
  const at20 = results.find((r) => r.devices === 20);
  const before20 = ROUND_TRIPS_BEFORE.find((r) => r.devices === 20);
  const sorted = [...results].sort((a, b) => a.devices - b.devices);
  const sublinear = sorted.every(
    (r, i) => i === 0 || r.requestsPerCommand / sorted[i - 1]!.requestsPerCommand < r.devices / sorted[i - 1]!.devices,
  );
  const met = at20 !== undefined && at20.requestsPerDeviceCommand <= ROUND_TRIP_TARGET_AT_20;
  return `- SC Series round trips (sync, test, cleanup, planned migration, reprotect; all devices per command): **${fixed(at20?.requestsPerDeviceCommand, 2)}** requests per device-command at 20 devices (main f2cfd8e: ${fixed(before20?.requestsPerDeviceCommand, 2)}; target ≤ ${ROUND_TRIP_TARGET_AT_20}: ${met ? 'met' : 'MISSED'}); requests per command grow ${sublinear ? 'less than linearly' : 'LINEARLY OR FASTER'} with devices`;
}
