import type { Core } from './core.js';
import { DeviceFailure } from './core.js';
import { toReplayProfile, type LiveVolume, type ReplayProfile } from './dsm/objects.js';
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

/** Names of the servers (hosts, clusters) a volume is mapped to, not the replication's own mapping. */
async function mappedServerNames(core: Core, serial: number, volumeId: string): Promise<Set<string>> {
  const [mappings, servers] = await Promise.all([
    core.reads.mappingProfiles(volumeId),
    core.reads.serversByName(serial),
  ]);
  const nameOf = new Map([...servers].map(([name, id]) => [id, name] as const));
  return new Set(
    mappings.filter((m) => !m.toRemoteStorageCenter).map((m) => nameOf.get(m.serverId) ?? `(server ${m.serverId})`),
  );
}

/**
 * Uniform mapping (§5.4): the same hosts see both copies of the Live Volume. Servers are objects
 * of each Storage Center, so a host is matched across the two by name (drctl names them like the
 * ESXi hosts and clusters, as the SRA's presentation does).
 */
async function uniformlyMapped(core: Core, lv: LiveVolume): Promise<boolean> {
  if (!lv.primaryVolume || !lv.secondaryVolume) return false;
  const secondary = await mappedServerNames(core, lv.secondarySerial, lv.secondaryVolume.id);
  if (secondary.size === 0) return false;
  const primary = await mappedServerNames(core, lv.primarySerial, lv.primaryVolume.id);
  return [...secondary].some((name) => primary.has(name));
}

/**
 * Refuses Live Volumes SRM cannot protect (§3.3, §5.4), from what DSM reports: the Live Volume's
 * automatic failover and role swap, its replication mode, whether it manages a replication to a
 * third Storage Center (`managingReplications`), whether hosts see both its copies (uniform
 * mapping) and whether its primary volume is in a consistency group (a few reads, for Live
 * Volumes only: they are few; mappings and servers come from the command's shared reads).
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
  // mapping and the group were refused on every earlier sync and test while it answered.
  if (!problem && lv.primaryUp && (await uniformlyMapped(core, lv)))
    problem = checkProtectable({ ...flags, liveVolume: { ...flags.liveVolume, uniformMapping: true } });
  if (!problem && lv.primaryVolume && lv.primaryUp) {
    const group = await consistencyGroupOf(core, lv.primarySerial, lv.primaryVolume.id, signal);
    if (group !== undefined) problem = checkProtectable({ ...flags, consistencyGroup: group });
  }
  if (problem) throw new DeviceFailure(problem.code, problem.description, problem.fixHint);
}
