import { DeviceFailure, type Core } from '../core.js';
import { Topology, type DevicePair } from '../topology.js';

export function loadTopology(core: Core, serial: number, signal: AbortSignal): Promise<Topology> {
  return Topology.load(core.api, [serial], signal);
}

export function notFound(device: string, serial: number): DeviceFailure {
  return new DeviceFailure(
    'SC_DEVICE_NOT_FOUND',
    `No replication or Live Volume for device ${device} on Storage Center ${serial}.`,
    'Rediscover devices; the device id is the volume name.',
  );
}

/** The device's pair with the given Storage Center on the given side, or a clear failure. */
export function pairWith(
  topology: Topology,
  device: string,
  serial: number,
  side: 'source' | 'destination',
): DevicePair {
  const pairs = topology.find(device);
  const match = pairs.find((p) => (side === 'source' ? p.sourceSerial : p.destinationSerial) === serial);
  if (match) return match;
  const other = pairs.find((p) => (side === 'source' ? p.destinationSerial : p.sourceSerial) === serial);
  if (other) {
    throw new DeviceFailure(
      'SC_WRONG_DIRECTION',
      `Device ${device} is the replication ${side === 'source' ? 'destination' : 'source'} on Storage Center ${serial}, not its ${side}.`,
      'Check the array the command targets and the replication direction (a reprotect may be pending).',
    );
  }
  throw notFound(device, serial);
}

export { assertProtectable } from '../live-volume-support.js';
