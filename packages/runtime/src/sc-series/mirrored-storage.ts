import type { Logger } from 'pino';
import {
  abortReason,
  type DeviceCommandRequest,
  type DeviceCommandResult,
  type DeviceResult,
  type StorageAdapter,
} from '@drctl/domain';

/** Commands that change what the hosts can see, and so what the simulated vCenter must know. */
export const MIRRORED_COMMANDS = [
  'testFailoverStart',
  'testFailoverStop',
  'prepareFailover',
  'failover',
  'prepareReverseReplication',
  'reverseReplication',
  'restoreReplication',
] as const;
type MirroredCommand = (typeof MIRRORED_COMMANDS)[number];

/** A storage adapter whose state changes another adapter follows (the simulated arrays). */
export interface MirroredStorage extends StorageAdapter {
  /** The adapter that answers (e.g. SC Series over the DSM REST API). */
  readonly primary: StorageAdapter;
}

/**
 * The simulated vCenter checks a mount against the simulated world's own arrays (a datastore
 * mounts only where its device is writable or a test copy exists, after a rescan). When real
 * storage adapters serve the plan, this wrapper keeps the two in step: the primary answers every
 * command, and after a device succeeded in a state-changing command the same command, for the
 * devices that succeeded only, is applied to the world's arrays. The primary's results are what
 * the engine sees; a device the world could not follow gets a warning saying so, since the
 * mount that depends on it will then fail with the reason.
 *
 * Syncs are not mirrored: they change no host's view, and the world would take the volume's
 * `syncSeconds` a second time.
 */
export function mirroredStorage(primary: StorageAdapter, mirror: StorageAdapter, logger: Logger): MirroredStorage {
  const follow =
    (command: MirroredCommand) =>
    async (request: DeviceCommandRequest): Promise<DeviceCommandResult> => {
      const result = await primary[command](request);
      const succeeded = result.devices.filter((d) => d.status === 'success');
      if (succeeded.length === 0) return result;
      const { onProgress: _progressGoesToThePrimaryOnly, ...rest } = request;
      let followed: DeviceCommandResult;
      try {
        followed = await mirror[command]({ ...rest, devices: succeeded.map((d) => d.device) });
      } catch (error) {
        if (request.signal.aborted) throw abortReason(request.signal);
        const reason = error instanceof Error ? error.message : String(error);
        logger.warn(
          { command, arrayId: request.arrayId, reason },
          'the simulated vCenter could not follow a storage change',
        );
        for (const device of succeeded) device.warnings.push(notFollowed(command, reason));
        return result;
      }
      const byDevice = new Map(followed.devices.map((d) => [d.device, d] as const));
      for (const device of succeeded) {
        const mirrored = byDevice.get(device.device);
        if (mirrored?.status === 'error') {
          const reason = mirrored.error?.description ?? 'no reason given';
          logger.warn(
            { command, arrayId: request.arrayId, device: device.device, reason },
            'the simulated vCenter could not follow a storage change',
          );
          device.warnings.push(notFollowed(command, reason));
        }
      }
      return result;
    };

  const adapter: MirroredStorage = {
    primary,
    kind: primary.kind,
    queryInfo: (request) => primary.queryInfo(request),
    queryCapabilities: (request) => primary.queryCapabilities(request),
    discoverArrays: (request) => primary.discoverArrays(request),
    discoverDevices: (request) => primary.discoverDevices(request),
    syncOnce: (request) => primary.syncOnce(request),
    querySyncStatus: (request) => primary.querySyncStatus(request),
    testFailoverStart: follow('testFailoverStart'),
    testFailoverStop: follow('testFailoverStop'),
    prepareFailover: follow('prepareFailover'),
    failover: follow('failover'),
    prepareReverseReplication: follow('prepareReverseReplication'),
    reverseReplication: follow('reverseReplication'),
    restoreReplication: follow('restoreReplication'),
    close: async () => {
      await primary.close?.();
    },
  };
  return adapter;
}

function notFollowed(command: string, reason: string): DeviceResult['warnings'][number] {
  return `The simulated vCenter did not follow ${command} (${reason}); hosts may not see this device as the array now presents it.`;
}
