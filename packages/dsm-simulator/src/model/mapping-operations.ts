import { badRequest, ok, refuse, type Outcome } from '../protocol/outcome.js';
import type { MappingProfileRecord, ServerRecord, VolumeRecord } from './records.js';
import type { DsmState } from './state.js';

export interface MapInput {
  readOnly?: boolean;
  preferredLun?: number;
}

/** The server and, for a cluster, its members; or for a member, its cluster: mapping to either overlaps. */
function overlappingServerIds(state: DsmState, server: ServerRecord): Set<string> {
  const ids = new Set([server.id]);
  if (server.kind === 'cluster') for (const member of state.serversOfCluster(server.id)) ids.add(member.id);
  if (server.clusterId) ids.add(server.clusterId);
  return ids;
}

function nextFreeLun(state: DsmState, server: ServerRecord, preferred: number | undefined): number {
  const used = new Set<number>();
  for (const id of overlappingServerIds(state, server)) for (const m of state.mappingsOfServer(id)) used.add(m.lun);
  if (preferred !== undefined && preferred >= 0 && !used.has(preferred)) return preferred;
  let lun = 1;
  while (used.has(lun)) lun++;
  return lun;
}

function addProfile(
  state: DsmState,
  volume: VolumeRecord,
  server: ServerRecord,
  input: MapInput,
): MappingProfileRecord {
  const index = state.nextIndex(volume.ssn, 'mappingProfile', 2901);
  const profile: MappingProfileRecord = {
    id: `${volume.ssn}.${index}`,
    ssn: volume.ssn,
    index,
    volumeId: volume.id,
    serverId: server.id,
    lun: nextFreeLun(state, server, input.preferredLun),
    readOnly: input.readOnly ?? false,
  };
  state.addMappingProfile(profile);
  volume.active = true;
  return profile;
}

/**
 * Checks shared by MapToServer and MapSecondaryVolume. A volume is mapped to a server once; a
 * replication destination cannot be presented to hosts while its replication runs (break it
 * first: Unmap, or delete the replication).
 */
function checkMappable(state: DsmState, volume: VolumeRecord, server: ServerRecord): string | undefined {
  if (server.ssn !== volume.ssn)
    return `Server ${server.name} is on Storage Center ${server.ssn}, volume ${volume.name} on ${volume.ssn}.`;
  if (server.kind === 'remote-storage-center')
    return `${server.name} stands for a remote Storage Center; volumes are mapped to it by replication.`;
  if (volume.inRecycleBin) return `Volume ${volume.name} is in the recycle bin.`;
  const overlap = overlappingServerIds(state, server);
  const existing = state.mappingsOfVolume(volume.id).find((m) => overlap.has(m.serverId));
  if (existing)
    return `Volume ${volume.name} is already mapped to server ${state.servers.get(existing.serverId)?.name ?? existing.serverId}.`;
  const running = state.replicationsTo(volume.id).find((r) => r.state !== 'Down' && !r.liveVolumeId);
  if (running)
    return `Volume ${volume.name} is the destination of replication ${running.id}; it cannot be mapped while the replication is active.`;
  return undefined;
}

/** POST ScVolume/{id}/MapToServer → the new ScMappingProfile. */
export function mapToServer(
  state: DsmState,
  volume: VolumeRecord,
  server: ServerRecord,
  input: MapInput,
): Outcome<MappingProfileRecord> {
  const refused = state.requireConnected(volume.ssn);
  if (refused) return refused;
  const liveVolume = state.liveVolumeOf(volume.id);
  if (liveVolume && liveVolume.secondaryVolumeId === volume.id) {
    return badRequest(
      `Volume ${volume.name} is the secondary of Live Volume ${liveVolume.id}; map it with ScLiveVolume/${liveVolume.id}/MapSecondaryVolume.`,
    );
  }
  const problem = checkMappable(state, volume, server);
  if (problem) return badRequest(problem);
  return ok(addProfile(state, volume, server, input));
}

/** POST ScLiveVolume/{id}/MapSecondaryVolume → ScMappingProfile on the secondary Storage Center. */
export function mapLiveVolumeSecondary(
  state: DsmState,
  secondary: VolumeRecord,
  server: ServerRecord,
  input: MapInput,
): Outcome<MappingProfileRecord> {
  const refused = state.requireConnected(secondary.ssn);
  if (refused) return refused;
  const problem = checkMappable(state, secondary, server);
  if (problem) return badRequest(problem);
  return ok(addProfile(state, secondary, server, input));
}

/** Marks replications that relied on a removed remote-SC mapping as broken (state Down). */
function breakReplicationsOf(state: DsmState, profile: MappingProfileRecord): void {
  const server = state.servers.get(profile.serverId);
  if (server?.kind !== 'remote-storage-center') return;
  for (const replication of state.replicationsTo(profile.volumeId)) {
    if (replication.ssn === server.remoteSsn && !replication.liveVolumeId) replication.state = 'Down';
  }
}

/**
 * POST ScVolume/{id}/Unmap (204): removes every mapping of the volume. On a replication
 * destination that includes the mapping to the source Storage Center, which breaks the
 * replication but leaves the ScReplication object (what Cinder's failover relies on). Live
 * Volume replication mappings are managed by the Live Volume and stay.
 */
export function unmapVolume(state: DsmState, volume: VolumeRecord): Outcome<number> {
  const refused = state.requireConnected(volume.ssn);
  if (refused) return refused;
  const liveVolume = state.liveVolumeOf(volume.id);
  let removed = 0;
  for (const profile of state.mappingsOfVolume(volume.id)) {
    const server = state.servers.get(profile.serverId);
    if (liveVolume && server?.kind === 'remote-storage-center') continue;
    breakReplicationsOf(state, profile);
    state.removeMappingProfile(profile.id);
    removed++;
  }
  return ok(removed);
}

export function requireMappingProfile(state: DsmState, profileId: string): Outcome<MappingProfileRecord> {
  const profile = state.mappingProfiles.get(profileId);
  return profile ? ok(profile) : refuse(404, `Mapping profile ${profileId} was not found.`);
}

/** DELETE ScMappingProfile/{id}. */
export function deleteMappingProfile(state: DsmState, profile: MappingProfileRecord): Outcome<true> {
  const refused = state.requireConnected(profile.ssn);
  if (refused) return refused;
  const server = state.servers.get(profile.serverId);
  if (server?.kind === 'remote-storage-center' && state.liveVolumeOf(profile.volumeId)) {
    return badRequest('This mapping is managed by a Live Volume.');
  }
  breakReplicationsOf(state, profile);
  state.removeMappingProfile(profile.id);
  return ok(true);
}

/** Replication destinations are presented to the source Storage Center's server object on the destination. */
export function mapToRemoteStorageCenter(
  state: DsmState,
  destination: VolumeRecord,
  sourceSsn: number,
): MappingProfileRecord {
  const server = state.remoteStorageCenterServer(destination.ssn, sourceSsn);
  const existing = state.mappingsOfVolume(destination.id).find((m) => m.serverId === server.id);
  return existing ?? addProfile(state, destination, server, {});
}

export function removeRemoteStorageCenterMapping(state: DsmState, volume: VolumeRecord, sourceSsn: number): void {
  for (const profile of state.mappingsOfVolume(volume.id)) {
    const server = state.servers.get(profile.serverId);
    if (server?.kind === 'remote-storage-center' && server.remoteSsn === sourceSsn)
      state.removeMappingProfile(profile.id);
  }
}
