import type { DeviceCommandRequest } from '@drctl/domain';
import { DeviceFailure, cachedFirst, performOnce, type Core } from '../core.js';
import type { Replay } from '../dsm/objects.js';
import type { Topology } from '../topology.js';
import { describeReplay, isAdapterMarker } from './replays.js';

/**
 * Consistency groups (source §5.7): an application spread over several volumes recovers only from
 * one point in time common to all of them. On SC Series a group is a Consistent replay profile:
 * its CreateReplay freezes every member at one instant (an ScReplayConsistencyGroup), and those
 * replays replicate like any other, still marked `consistent`.
 *
 * The engine names the groups of a command's devices (`CommandContext.consistencyGroups`); the
 * adapter checks each against the array before relying on it.
 */
export interface GroupOfDevice {
  name: string;
  /** The group's devices in this command, the device itself included. */
  members: string[];
}

/** The device's consistency group when the command holds more than one of its members. */
export function groupOf(request: DeviceCommandRequest, device: string): GroupOfDevice | undefined {
  const groups = request.context.consistencyGroups;
  const name = groups?.[device];
  if (name === undefined) return undefined;
  const members = request.devices.filter((d) => groups?.[d] === name);
  return members.length > 1 ? { name, members } : undefined;
}

/**
 * One consistent snapshot of the group on its source Storage Center, taken once per command for
 * all its devices: the group's Consistent replay profile (named like the group) must hold every
 * member's source volume, or the group fails with the reason. A snapshot with the same
 * description already taken (a repeated command) is found instead of taking another.
 */
export async function groupSnapshotReplay(
  core: Core,
  topology: Topology,
  request: DeviceCommandRequest,
  serial: number,
  group: GroupOfDevice,
  device: string,
  description: string,
  expireMinutes: number,
): Promise<Replay> {
  const { signal } = request;
  const byVolume = await core.reads.once(`group-snapshot ${group.name} ${serial} ${description}`, async () => {
    const sources = group.members.map((member) => {
      const volume = topology.find(member).find((p) => p.sourceSerial === serial)?.sourceVolume;
      if (!volume)
        throw new DeviceFailure(
          'SC_CONSISTENCY_GROUP',
          `Consistency group ${group.name}: ${member} has no source volume on Storage Center ${serial}.`,
        );
      return volume;
    });
    const profile = (await core.api.replayProfilesNamed(serial, group.name, signal)).find(
      (p) => p.type.toLowerCase() === 'consistent',
    );
    if (!profile)
      throw new DeviceFailure(
        'SC_CONSISTENCY_GROUP',
        `Consistency group ${group.name} has no Consistent replay profile of that name on Storage Center ${serial}: its devices cannot be snapshotted together.`,
        `Create a Consistent replay profile named ${group.name} on Storage Center ${serial} holding ${group.members.join(', ')} (§5.7).`,
      );
    const inProfile = new Set(await core.api.replayProfileVolumeIds(profile.id, signal));
    const outside = sources.filter((v) => !inProfile.has(v.id)).map((v) => v.name);
    if (outside.length > 0)
      throw new DeviceFailure(
        'SC_CONSISTENCY_GROUP',
        `Consistency group ${group.name}: ${outside.join(', ')} ${outside.length > 1 ? 'are' : 'is'} not in its Consistent replay profile on Storage Center ${serial}, so the group cannot be snapshotted together.`,
        `Add the volumes to the replay profile ${group.name} in Dell Storage Manager (§5.7).`,
      );
    const find = async () =>
      (await core.api.groupSnapshots(profile.id, signal)).find((g) => g.description === description);
    const { value: snapshot } = await performOnce(
      cachedFirst(find, find),
      () => core.api.createGroupSnapshot(profile.id, description, expireMinutes, signal),
      core.logger,
      `consistent snapshot of ${group.name}`,
    );
    const replays = await core.api.groupSnapshotReplays(snapshot.id, signal);
    return new Map(replays.map((r) => [r.volumeId ?? '', r] as const));
  });
  const volume = topology.find(device).find((p) => p.sourceSerial === serial)?.sourceVolume;
  const replay = volume ? byVolume.get(volume.id) : undefined;
  if (!replay)
    throw new DeviceFailure(
      'SC_CONSISTENCY_GROUP',
      `The consistent snapshot of group ${group.name} holds no replay of ${device}.`,
      `Check the replay profile ${group.name} in Dell Storage Manager (§5.7).`,
    );
  return replay;
}

/**
 * The newest point in time every member of the group can be recovered from on this (recovery)
 * Storage Center: a consistent snapshot that has replicated for all of them. Without one the
 * group fails, each device with the reason, rather than come back from different points.
 */
export async function commonPointReplay(
  core: Core,
  topology: Topology,
  serial: number,
  group: GroupOfDevice,
  device: string,
): Promise<Replay> {
  const common = await core.reads.once(`common-point ${group.name} ${serial}`, async () => {
    const perMember = await Promise.all(
      group.members.map(async (member) => {
        const volume = topology.find(member).find((p) => p.destinationSerial === serial)?.destinationVolume;
        const replays = volume ? await core.reads.replays(volume.id) : [];
        return {
          member,
          replays: replays.filter(
            (r) => r.consistent === true && !r.active && !r.markedForExpiration && !isAdapterMarker(r),
          ),
        };
      }),
    );
    const times = (replays: Replay[]) => new Set(replays.map((r) => r.freezeTime ?? NaN));
    const [first, ...rest] = perMember;
    const shared = [...times(first?.replays ?? [])]
      .filter((t) => Number.isFinite(t) && rest.every((m) => times(m.replays).has(t)))
      .sort((a, b) => b - a)[0];
    if (shared === undefined) return undefined;
    return new Map(perMember.map((m) => [m.member, m.replays.find((r) => r.freezeTime === shared)!] as const));
  });
  const replay = common?.get(device);
  if (!replay) {
    throw new DeviceFailure(
      'SC_NO_COMMON_POINT',
      `Consistency group ${group.name} (${group.members.join(', ')}) has no consistent snapshot that reached Storage Center ${serial} for all its devices: recovering them from different points in time would break the application that spans them (§5.7).`,
      `Synchronize the group (drctl takes one consistent snapshot of all its volumes) and run again, or choose the active snapshot.`,
    );
  }
  return replay;
}

/** For the report: the point the group recovers from. */
export function commonPointDetail(group: GroupOfDevice, replay: Replay): string {
  return `${describeReplay(replay)}, common to consistency group ${group.name} (${group.members.join(', ')})`;
}

/**
 * After a reverse, the group's volumes replicate from this Storage Center: its Consistent replay
 * profile must exist here too, holding the device's new source volume, so the next
 * synchronisation and final snapshot still take one consistent snapshot of the group (§5.7).
 * Returns what was done, for the report.
 */
export async function joinGroupOnNewSource(
  core: Core,
  serial: number,
  group: GroupOfDevice,
  volumeId: string,
  signal: AbortSignal,
): Promise<string> {
  let created = false;
  const profile = await core.reads.once(`group-profile ${group.name} ${serial}`, async () => {
    const find = async () =>
      (await core.api.replayProfilesNamed(serial, group.name, signal)).find(
        (p) => p.type.toLowerCase() === 'consistent',
      );
    const { value, already } = await performOnce(
      find,
      () => core.api.createReplayProfile(serial, group.name, signal),
      core.logger,
      `replay profile ${group.name} on ${serial}`,
    );
    created = !already;
    return value;
  });
  const current = await core.api.volumeReplayProfiles(volumeId, signal);
  if (!current.ids.includes(profile.id))
    await core.api.setVolumeReplayProfiles(current.configurationId, [...current.ids, profile.id], signal);
  return `${group.name}: ${created ? 'replay profile created and ' : ''}volume in its Consistent replay profile on Storage Center ${serial}`;
}
