import type { Core } from './core.js';
import { DeviceFailure } from './core.js';
import { toReplayProfile, type ReplayProfile } from './dsm/objects.js';
import { checkProtectable } from './protectable.js';
import type { DevicePair } from './topology.js';

/**
 * The Consistent replay profile (consistency group, §5.7) a volume belongs to, read from DSM:
 * the volume's configuration names its replay profiles, and the Storage Center's Consistent
 * profiles say which of them is a group.
 */
async function consistencyGroupOf(
  core: Core,
  serial: number,
  volumeId: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const { ids } = await core.api.volumeReplayProfiles(volumeId, signal);
  if (ids.length === 0) return undefined;
  const profiles: ReplayProfile[] = (
    await core.client.getList('StorageCenter/ScReplayProfile', { scSerialNumber: serial, Type: 'Consistent' }, signal)
  ).map(toReplayProfile);
  return profiles.find((p) => p.type.toLowerCase() === 'consistent' && ids.includes(p.id))?.name;
}

/**
 * Refuses Live Volumes SRM cannot protect (§3.3, §5.4), from what DSM reports: the Live Volume's
 * automatic failover and role swap, its replication mode, whether it manages a replication to a
 * third Storage Center (`managingReplications`), and whether its primary volume is in a
 * consistency group (two reads, for Live Volumes only: they are few).
 */
export async function assertProtectable(core: Core, pair: DevicePair, signal: AbortSignal): Promise<void> {
  const lv = pair.liveVolume;
  if (!lv) return;
  const flags = {
    id: pair.device,
    replicationType: pair.replicationType,
    liveVolume: {
      autoFailover: lv.failoverAutomaticallyEnabled,
      autoRoleSwap: lv.swapRolesAutomaticallyEnabled,
      uniformMapping: false,
      managedReplication: lv.managingReplications,
    },
  };
  let problem = checkProtectable(flags);
  // With the primary's array down (a disaster recovery) its configuration cannot be read; the
  // group was refused on every earlier sync and test while it answered.
  if (!problem && lv.primaryVolume && lv.primaryUp) {
    const group = await consistencyGroupOf(core, lv.primarySerial, lv.primaryVolume.id, signal);
    if (group !== undefined) problem = checkProtectable({ ...flags, consistencyGroup: group });
  }
  if (problem) throw new DeviceFailure(problem.code, problem.description, problem.fixHint);
}
