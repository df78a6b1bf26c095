import { badRequest, ok, refuse, type Outcome } from '../protocol/outcome.js';
import type { ConsistencyGroupRecord, ReplayProfileRecord, VolumeRecord } from './records.js';
import type { DsmState } from './state.js';
import { createReplay } from './volume-operations.js';

/**
 * Consistency groups as Cinder drives them: a replay profile of type `Consistent`, its member
 * volumes set through `PUT ScVolumeConfiguration/{id}` `ReplayProfileList`, and a group replay
 * (`ScReplayConsistencyGroup`) taken with `POST ScReplayProfile/{id}/CreateReplay`.
 */
export function createReplayProfile(
  state: DsmState,
  input: { ssn: number; name: string; type?: string; notes?: string },
): Outcome<ReplayProfileRecord> {
  const refused = state.requireConnected(input.ssn);
  if (refused) return refused;
  if (!input.name.trim()) return badRequest('Invalid attribute value format: Name is required.');
  const type = input.type ?? 'Standard';
  if (type !== 'Consistent' && type !== 'Standard')
    return badRequest(`Invalid attribute value format: Type must be Consistent or Standard, not ${type}.`);
  const profile: ReplayProfileRecord = {
    id: `${input.ssn}.${state.nextIndex(input.ssn, 'replayProfile', 11)}`,
    ssn: input.ssn,
    name: input.name,
    type,
    notes: input.notes ?? '',
  };
  state.replayProfiles.set(profile.id, profile);
  return ok(profile);
}

export function requireReplayProfile(state: DsmState, profileId: string): Outcome<ReplayProfileRecord> {
  const profile = state.replayProfiles.get(profileId);
  return profile ? ok(profile) : refuse(404, `Replay profile ${profileId} was not found.`);
}

export function membersOf(state: DsmState, profile: ReplayProfileRecord): VolumeRecord[] {
  return [...state.volumes.values()].filter((v) => v.replayProfileIds.includes(profile.id));
}

export function deleteReplayProfile(state: DsmState, profile: ReplayProfileRecord): Outcome<true> {
  const refused = state.requireConnected(profile.ssn);
  if (refused) return refused;
  for (const volume of membersOf(state, profile))
    volume.replayProfileIds = volume.replayProfileIds.filter((id) => id !== profile.id);
  state.replayProfiles.delete(profile.id);
  return ok(true);
}

/** PUT ScVolumeConfiguration/{id} `{ReplayProfileList: [...]}`. */
export function setReplayProfiles(state: DsmState, volume: VolumeRecord, profileIds: string[]): Outcome<VolumeRecord> {
  const refused = state.requireConnected(volume.ssn);
  if (refused) return refused;
  for (const id of profileIds) {
    const profile = state.replayProfiles.get(id);
    if (!profile || profile.ssn !== volume.ssn)
      return badRequest(`Replay profile ${id} was not found on Storage Center ${volume.ssn}.`);
  }
  volume.replayProfileIds = [...new Set(profileIds)];
  return ok(volume);
}

/** A replay of every member at one instant; every member must be active. */
export function createGroupReplay(
  state: DsmState,
  profile: ReplayProfileRecord,
  input: { description: string; expireMinutes?: number },
): Outcome<ConsistencyGroupRecord> {
  const refused = state.requireConnected(profile.ssn);
  if (refused) return refused;
  if (profile.type !== 'Consistent')
    return badRequest(`Replay profile ${profile.name} is not a consistency group (type ${profile.type}).`);
  const members = membersOf(state, profile);
  if (members.length === 0) return badRequest(`Replay profile ${profile.name} has no volumes.`);
  const inactive = members.find((v) => !v.active);
  if (inactive)
    return badRequest(
      `Unable to create a replay of volume ${inactive.name}: the volume is not active (it has never been mapped).`,
    );
  const [, profileIndex] = profile.id.split('.');
  const now = state.now();
  const group: ConsistencyGroupRecord = {
    id: `${profile.ssn}.${profile.ssn}.${profileIndex}.${state.nextIndex(profile.ssn, `group:${profile.id}`, 1)}`,
    ssn: profile.ssn,
    profileId: profile.id,
    description: input.description,
    freezeTime: now,
    expireAt: input.expireMinutes ? now + input.expireMinutes * 60_000 : undefined,
    replayIds: [],
  };
  for (const volume of members) {
    const replay = createReplay(state, volume, {
      description: input.description,
      expireMinutes: input.expireMinutes,
      consistencyGroupId: group.id,
    });
    if (!replay.ok) return replay;
    group.replayIds.push(replay.value.id);
  }
  state.consistencyGroups.set(group.id, group);
  return ok(group);
}
