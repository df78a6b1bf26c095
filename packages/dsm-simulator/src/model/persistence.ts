import { DrError, type InputIssue } from '@drctl/domain';
import type {
  ConsistencyGroupRecord,
  HbaRecord,
  LiveVolumeRecord,
  MappingProfileRecord,
  QosNodeRecord,
  ReplayProfileRecord,
  ReplayRecord,
  ReplicationRecord,
  RestorePointRecord,
  ServerRecord,
  StorageCenterRecord,
  VolumeFolderRecord,
  VolumeRecord,
} from './records.js';
import type { DataCollectorSettings, DsmState } from './state.js';

export const DSM_MODEL_STATE_FORMAT = 'drctl-dsm-model/1';

/**
 * Everything the simulated Data Collector holds, as plain JSON: what a process saves so the next
 * one serves the same arrays (a real Data Collector outlives the drctl process that called it).
 * Sessions, async tasks and faults are not part of it: they belong to a running server.
 */
export interface DsmModelState {
  format: typeof DSM_MODEL_STATE_FORMAT;
  storageCenters: StorageCenterRecord[];
  volumes: VolumeRecord[];
  replays: ReplayRecord[];
  volumeFolders: VolumeFolderRecord[];
  serverFolders: VolumeFolderRecord[];
  servers: ServerRecord[];
  hbas: HbaRecord[];
  mappingProfiles: MappingProfileRecord[];
  qosNodes: QosNodeRecord[];
  replications: ReplicationRecord[];
  liveVolumes: LiveVolumeRecord[];
  replayProfiles: ReplayProfileRecord[];
  consistencyGroups: ConsistencyGroupRecord[];
  restorePoints: RestorePointRecord[];
  /** Replay id → when Expire marked it (the purge removes it a second later). */
  expiryMarkedAt: Array<[string, number]>;
  /** Id sequences, so ids are never reused after a restore. */
  sequences: Array<[string, number]>;
  /** DSM-wide settings; absent in states saved before they were modelled (defaults apply). */
  dataCollectorSettings?: DataCollectorSettings;
}

const LIST_FIELDS = [
  'storageCenters',
  'volumes',
  'replays',
  'volumeFolders',
  'serverFolders',
  'servers',
  'hbas',
  'mappingProfiles',
  'qosNodes',
  'replications',
  'liveVolumes',
  'replayProfiles',
  'consistencyGroups',
  'restorePoints',
  'expiryMarkedAt',
  'sequences',
] as const;

const copy = <T>(items: Iterable<T>): T[] => structuredClone([...items]);

/** A deep copy of the state as plain JSON. */
export function snapshotDsmState(state: DsmState): DsmModelState {
  return {
    format: DSM_MODEL_STATE_FORMAT,
    storageCenters: copy(state.storageCenters.values()),
    volumes: copy(state.volumes.values()),
    replays: copy(state.replays.values()),
    volumeFolders: copy(state.volumeFolders.values()),
    serverFolders: copy(state.serverFolders.values()),
    servers: copy(state.servers.values()),
    hbas: copy(state.hbas.values()),
    mappingProfiles: copy(state.mappingProfiles.values()),
    qosNodes: copy(state.qosNodes.values()),
    replications: copy(state.replications.values()),
    liveVolumes: copy(state.liveVolumes.values()),
    replayProfiles: copy(state.replayProfiles.values()),
    consistencyGroups: copy(state.consistencyGroups.values()),
    restorePoints: copy(state.restorePoints.values()),
    expiryMarkedAt: [...state.expiryMarkedAt],
    sequences: state.sequenceEntries(),
    dataCollectorSettings: { ...state.dataCollectorSettings },
  };
}

/** Checks the outline of a saved state; every problem is named by its path under `path`. */
export function checkDsmModelState(value: unknown, path = 'state'): DsmModelState {
  const issues: InputIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path, message: 'expected a saved DSM simulator state (an object)' });
  } else {
    const record = value as Record<string, unknown>;
    if (record['format'] !== DSM_MODEL_STATE_FORMAT)
      issues.push({
        path: `${path}.format`,
        message: `expected ${DSM_MODEL_STATE_FORMAT}, got ${JSON.stringify(record['format'])}`,
      });
    for (const field of LIST_FIELDS)
      if (!Array.isArray(record[field])) issues.push({ path: `${path}.${field}`, message: 'expected a list' });
  }
  if (issues.length > 0)
    throw new DrError('DR_INPUT_INVALID', 'The saved DSM simulator state cannot be read.', { issues });
  return value as DsmModelState;
}

/**
 * Replaces everything the state holds with a saved copy. Records go back through the state's
 * own add methods so its lookup indexes are rebuilt.
 */
export function restoreDsmState(state: DsmState, saved: DsmModelState): void {
  const data = structuredClone(checkDsmModelState(saved));
  state.clear();
  for (const sc of data.storageCenters) state.storageCenters.set(sc.serial, sc);
  for (const folder of data.volumeFolders) state.volumeFolders.set(folder.id, folder);
  for (const folder of data.serverFolders) state.serverFolders.set(folder.id, folder);
  for (const server of data.servers) state.servers.set(server.id, server);
  for (const hba of data.hbas) state.hbas.set(hba.id, hba);
  for (const qos of data.qosNodes) state.qosNodes.set(qos.id, qos);
  for (const volume of data.volumes) state.addVolume(volume);
  for (const replay of data.replays) state.addReplay(replay);
  for (const profile of data.mappingProfiles) state.addMappingProfile(profile);
  for (const replication of data.replications) state.addReplication(replication);
  for (const liveVolume of data.liveVolumes) state.addLiveVolume(liveVolume);
  for (const profile of data.replayProfiles) state.replayProfiles.set(profile.id, profile);
  for (const group of data.consistencyGroups) state.consistencyGroups.set(group.id, group);
  for (const point of data.restorePoints) state.restorePoints.set(point.id, point);
  for (const [id, at] of data.expiryMarkedAt) state.expiryMarkedAt.set(id, at);
  state.restoreSequences(data.sequences);
  if (data.dataCollectorSettings) Object.assign(state.dataCollectorSettings, data.dataCollectorSettings);
}
