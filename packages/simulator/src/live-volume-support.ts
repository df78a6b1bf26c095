import { liveVolumeProblem, type DeviceError, type StorageCommand, type Volume } from '@drctl/domain';

/**
 * Commands that touch a device's data or roles: where a real SC Series array (through the SRA)
 * refuses a Live Volume SRM cannot protect (§3.3, §5.4), the simulated array refuses it too, so a
 * rehearsal never shows a recovery the real arrays would not do.
 */
export const LIVE_VOLUME_CHECKED: ReadonlySet<StorageCommand> = new Set<StorageCommand>([
  'syncOnce',
  'testFailoverStart',
  'prepareFailover',
  'failover',
]);

/** The refusal for a Live Volume SRM cannot protect, or undefined. Codes: `SIM_LV_<RESTRICTION>`. */
export function liveVolumeError(id: string, volume: Volume | undefined): DeviceError | undefined {
  if (!volume) return undefined;
  const problem = liveVolumeProblem({
    id,
    replicationType: volume.replication,
    liveVolume: volume.liveVolume,
    consistencyGroup: volume.consistencyGroup,
  });
  if (!problem) return undefined;
  return {
    code: `SIM_LV_${problem.restriction.toUpperCase().replace(/-/g, '_')}`,
    description: problem.description,
    fixHint: problem.fixHint,
  };
}
