import type { DsmClient } from '../http/dsm-client.js';
import { DsmHttpError } from '../http/errors.js';
import {
  toGroupSnapshot,
  toReplayProfile,
  toLiveVolume,
  toMappingProfile,
  toReplay,
  toReplication,
  toStorageCenter,
  toVolume,
  type GroupSnapshot,
  type ReplayProfile,
  type LiveVolume,
  type MappingProfile,
  type Replay,
  type Replication,
  type StorageCenter,
  type Volume,
} from './objects.js';
import { bool, bytes, field, num, ref, str } from './wire.js';

const enc = encodeURIComponent;

/**
 * The DSM REST calls the adapter makes, with the paths, bodies and async flags public clients use
 * (Cinder's SC driver): every create, modify, delete and action goes async; reads and GetList are
 * synchronous.
 */
export class DsmApi {
  constructor(private readonly client: DsmClient) {}

  async storageCenters(signal: AbortSignal): Promise<StorageCenter[]> {
    const list = await this.client.get<unknown[]>('StorageCenter/StorageCenter', signal);
    return (Array.isArray(list) ? list : []).map(toStorageCenter);
  }

  /** Replications held on (sourced from) a Storage Center. */
  async replicationsFrom(serial: number, signal: AbortSignal): Promise<Replication[]> {
    return (await this.client.getList('StorageCenter/ScReplication', { scSerialNumber: serial }, signal)).map(
      toReplication,
    );
  }

  /** Replications whose destination is a Storage Center. */
  async replicationsTo(serial: number, signal: AbortSignal): Promise<Replication[]> {
    return (
      await this.client.getList('StorageCenter/ScReplication', { destinationScSerialNumber: serial }, signal)
    ).map(toReplication);
  }

  /** A replication object, or undefined once it is gone (404). */
  async replication(id: string, signal: AbortSignal): Promise<Replication | undefined> {
    try {
      return toReplication(await this.client.get(`StorageCenter/ScReplication/${enc(id)}`, signal));
    } catch (error) {
      if (error instanceof DsmHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  async replicationProgress(id: string, signal: AbortSignal): Promise<ReplicationProgress> {
    return toProgress(await this.client.get(`StorageCenter/ScReplication/${enc(id)}/CurrentProgress`, signal));
  }

  /** Progress of every replication held on a Storage Center, by replication id (one GetList). */
  async replicationProgressOn(serial: number, signal: AbortSignal): Promise<Map<string, ReplicationProgress>> {
    const list = await this.client.getList('StorageCenter/ScReplicationProgress', { scSerialNumber: serial }, signal);
    const byId = new Map<string, ReplicationProgress>();
    for (const item of list) {
      const id = ref(item, 'replication')?.id ?? str(item, 'instanceId');
      if (id) byId.set(id, toProgress(item));
    }
    return byId;
  }

  async createReplication(body: Record<string, unknown>, signal: AbortSignal): Promise<Replication> {
    return toReplication(await this.client.post('StorageCenter/ScReplication', { signal, body, async: true }));
  }

  async deleteReplication(id: string, body: Record<string, boolean>, signal: AbortSignal): Promise<void> {
    await this.client.delete(`StorageCenter/ScReplication/${enc(id)}`, { signal, body, async: true });
  }

  /** Per-SC list: the global ScLiveVolume list can be stale (a firmware bug Cinder works around). */
  async liveVolumes(serial: number, signal: AbortSignal): Promise<LiveVolume[]> {
    const list = await this.client.get<unknown[]>(`StorageCenter/StorageCenter/${serial}/LiveVolumeList`, signal);
    return (Array.isArray(list) ? list : []).map(toLiveVolume);
  }

  async liveVolume(id: string, signal: AbortSignal): Promise<LiveVolume> {
    return toLiveVolume(await this.client.get(`StorageCenter/ScLiveVolume/${enc(id)}`, signal));
  }

  async swapRoles(id: string, signal: AbortSignal): Promise<void> {
    await this.client.post(`StorageCenter/ScLiveVolume/${enc(id)}/SwapRoles`, { signal, body: {}, async: true });
  }

  async volume(id: string, signal: AbortSignal): Promise<Volume | undefined> {
    try {
      return toVolume(await this.client.get(`StorageCenter/ScVolume/${enc(id)}`, signal));
    } catch (error) {
      if (error instanceof DsmHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  async volumesNamed(serial: number, name: string, signal: AbortSignal): Promise<Volume[]> {
    const list = await this.client.getList('StorageCenter/ScVolume', { scSerialNumber: serial, Name: name }, signal);
    // Filters may match loosely on some versions: keep exact names only.
    return list.map(toVolume).filter((v) => v.name === name);
  }

  /** A volume's notes: DSM keeps them in its ScVolumeConfiguration, not in the ScVolume. */
  async volumeNotes(id: string, signal: AbortSignal): Promise<string> {
    const configuration = await this.client.get(`StorageCenter/ScVolume/${enc(id)}/VolumeConfiguration`, signal);
    return str(configuration, 'notes') ?? '';
  }

  /** Every volume of a Storage Center (one GetList for a whole command). */
  async volumesOn(serial: number, signal: AbortSignal): Promise<Volume[]> {
    return (await this.client.getList('StorageCenter/ScVolume', { scSerialNumber: serial }, signal)).map(toVolume);
  }

  /** Every replay of a Storage Center, each naming its volume (`createVolume`). */
  async replaysOn(serial: number, signal: AbortSignal): Promise<Replay[]> {
    return (await this.client.getList('StorageCenter/ScReplay', { scSerialNumber: serial }, signal)).map(toReplay);
  }

  /** Every mapping profile of a Storage Center, each naming its volume. */
  async mappingProfilesOn(serial: number, signal: AbortSignal): Promise<MappingProfile[]> {
    return (await this.client.getList('StorageCenter/ScMappingProfile', { scSerialNumber: serial }, signal)).map(
      toMappingProfile,
    );
  }

  async renameVolume(id: string, changes: { Name?: string; Notes?: string }, signal: AbortSignal): Promise<void> {
    await this.client.put(`StorageCenter/ScVolume/${enc(id)}`, { signal, body: changes, async: true });
  }

  /** False when DSM answers that it did not delete the volume (busy: mapped, replicated, with views). */
  async deleteVolume(id: string, signal: AbortSignal): Promise<boolean> {
    const result = await this.client.delete(`StorageCenter/ScVolume/${enc(id)}`, { signal, async: true });
    return result !== false && field(result, 'result') !== false;
  }

  async replays(volumeId: string, signal: AbortSignal): Promise<Replay[]> {
    const list = await this.client.get<unknown[]>(`StorageCenter/ScVolume/${enc(volumeId)}/ReplayList`, signal);
    return (Array.isArray(list) ? list : []).map(toReplay);
  }

  /** `expireTime` in minutes; 0 = never expires. */
  async createReplay(
    volumeId: string,
    description: string,
    expireMinutes: number,
    signal: AbortSignal,
  ): Promise<Replay> {
    const body = { description, expireTime: expireMinutes };
    return toReplay(
      await this.client.post(`StorageCenter/ScVolume/${enc(volumeId)}/CreateReplay`, { signal, body, async: true }),
    );
  }

  async expireReplay(replayId: string, signal: AbortSignal): Promise<void> {
    await this.client.post(`StorageCenter/ScReplay/${enc(replayId)}/Expire`, { signal, body: {}, async: true });
  }

  async createView(replayId: string, name: string, notes: string, signal: AbortSignal): Promise<Volume> {
    const body = { Name: name, Notes: notes };
    return toVolume(
      await this.client.post(`StorageCenter/ScReplay/${enc(replayId)}/CreateView`, { signal, body, async: true }),
    );
  }

  /** Every server object of one Storage Center, by lower-cased name (one GetList for many hosts). */
  async serversByName(serial: number, signal: AbortSignal): Promise<Map<string, string>> {
    const list = await this.client.getList('StorageCenter/ScServer', { scSerialNumber: serial }, signal);
    const byName = new Map<string, string>();
    for (const s of list) {
      const name = (str(s, 'name') ?? str(s, 'instanceName') ?? '').toLowerCase();
      const id = str(s, 'instanceId');
      if (name && id && !byName.has(name)) byName.set(name, id);
    }
    return byName;
  }

  async mappingProfiles(volumeId: string, signal: AbortSignal): Promise<MappingProfile[]> {
    const list = await this.client.get<unknown[]>(`StorageCenter/ScVolume/${enc(volumeId)}/MappingProfileList`, signal);
    return (Array.isArray(list) ? list : []).map(toMappingProfile);
  }

  async mapToServer(volumeId: string, serverId: string, signal: AbortSignal): Promise<void> {
    const body = { server: serverId, Advanced: { MapToDownServerHbas: true } };
    await this.client.post(`StorageCenter/ScVolume/${enc(volumeId)}/MapToServer`, { signal, body, async: true });
  }

  /** A Live Volume's secondary is presented through the Live Volume, not with MapToServer. */
  async mapLiveVolumeSecondary(liveVolumeId: string, serverId: string, signal: AbortSignal): Promise<void> {
    const body = { Server: serverId, Advanced: { MapToDownServerHbas: true } };
    await this.client.post(`StorageCenter/ScLiveVolume/${enc(liveVolumeId)}/MapSecondaryVolume`, {
      signal,
      body,
      async: true,
    });
  }

  async deleteMappingProfile(id: string, signal: AbortSignal): Promise<void> {
    await this.client.delete(`StorageCenter/ScMappingProfile/${enc(id)}`, { signal, async: true });
  }

  /** Removes every mapping of a volume. */
  async unmapAll(volumeId: string, signal: AbortSignal): Promise<void> {
    await this.client.post(`StorageCenter/ScVolume/${enc(volumeId)}/Unmap`, { signal, body: {}, async: true });
  }

  /** Replay profiles of a Storage Center with this name (Cinder's lookup of a consistency group). */
  async replayProfilesNamed(serial: number, name: string, signal: AbortSignal): Promise<ReplayProfile[]> {
    const list = await this.client.getList(
      'StorageCenter/ScReplayProfile',
      { scSerialNumber: serial, Name: name },
      signal,
    );
    return list.map(toReplayProfile).filter((p) => p.name === name);
  }

  async createReplayProfile(serial: number, name: string, signal: AbortSignal): Promise<ReplayProfile> {
    const body = { StorageCenter: serial, Name: name, Type: 'Consistent', Notes: 'drctl consistency group' };
    return toReplayProfile(await this.client.post('StorageCenter/ScReplayProfile', { signal, body, async: true }));
  }

  /** The replay profiles a volume follows (its ScVolumeConfiguration). */
  async volumeReplayProfiles(
    volumeId: string,
    signal: AbortSignal,
  ): Promise<{ configurationId: string; ids: string[] }> {
    const configuration = await this.client.get(`StorageCenter/ScVolume/${enc(volumeId)}/VolumeConfiguration`, signal);
    const list = field(configuration, 'replayProfileList');
    return {
      configurationId: str(configuration, 'instanceId') ?? volumeId,
      ids: (Array.isArray(list) ? list : []).map((r) => str(r, 'instanceId') ?? '').filter((id) => id !== ''),
    };
  }

  async setVolumeReplayProfiles(configurationId: string, ids: string[], signal: AbortSignal): Promise<void> {
    await this.client.put(`StorageCenter/ScVolumeConfiguration/${enc(configurationId)}`, {
      signal,
      body: { ReplayProfileList: ids },
      async: true,
    });
  }

  /** Ids of the volumes a replay profile applies to. */
  async replayProfileVolumeIds(id: string, signal: AbortSignal): Promise<string[]> {
    const list = await this.client.get<unknown[]>(`StorageCenter/ScReplayProfile/${enc(id)}/VolumeList`, signal);
    return (Array.isArray(list) ? list : []).map((v) => str(v, 'instanceId') ?? '');
  }

  /** The consistent snapshots a Consistent replay profile has taken. */
  async groupSnapshots(profileId: string, signal: AbortSignal): Promise<GroupSnapshot[]> {
    const list = await this.client.get<unknown[]>(
      `StorageCenter/ScReplayProfile/${enc(profileId)}/ConsistencyGroupList`,
      signal,
    );
    return (Array.isArray(list) ? list : []).map(toGroupSnapshot);
  }

  /** One consistent snapshot of every volume of a Consistent replay profile. `expireTime` in minutes. */
  async createGroupSnapshot(
    profileId: string,
    description: string,
    expireMinutes: number,
    signal: AbortSignal,
  ): Promise<GroupSnapshot> {
    const body = { description, expireTime: expireMinutes };
    return toGroupSnapshot(
      await this.client.post(`StorageCenter/ScReplayProfile/${enc(profileId)}/CreateReplay`, {
        signal,
        body,
        async: true,
      }),
    );
  }

  /** The member replays of one consistent snapshot. */
  async groupSnapshotReplays(id: string, signal: AbortSignal): Promise<Replay[]> {
    const list = await this.client.get<unknown[]>(
      `StorageCenter/ScReplayConsistencyGroup/${enc(id)}/ReplayList`,
      signal,
    );
    return (Array.isArray(list) ? list : []).map(toReplay);
  }

  async qosNodes(serial: number, signal: AbortSignal): Promise<QosNode[]> {
    const list = await this.client.getList('StorageCenter/ScReplicationQosNode', { scSerialNumber: serial }, signal);
    return list.map(toQosNode);
  }

  /** A replication QoS node with the given definition (Cinder creates a missing one the same way). */
  async createQosNode(
    serial: number,
    definition: Pick<QosNode, 'name' | 'linkSpeed' | 'bandwidthLimited'>,
    signal: AbortSignal,
  ): Promise<QosNode> {
    const body = {
      Name: definition.name,
      StorageCenter: serial,
      ...(definition.linkSpeed ? { LinkSpeed: definition.linkSpeed } : {}),
      BandwidthLimited: definition.bandwidthLimited ?? false,
    };
    return toQosNode(await this.client.post('StorageCenter/ScReplicationQosNode', { signal, body, async: true }));
  }
}

/** A replication QoS node: its name and the limits it applies. */
export interface QosNode {
  id: string;
  name: string;
  /** e.g. "100 Mbps", "1 Gbps". */
  linkSpeed?: string;
  bandwidthLimited?: boolean;
}

function toQosNode(q: unknown): QosNode {
  const linkSpeed = str(q, 'linkSpeed');
  const bandwidthLimited = bool(q, 'bandwidthLimited');
  return {
    id: str(q, 'instanceId') ?? '',
    name: str(q, 'name') ?? str(q, 'instanceName') ?? '',
    ...(linkSpeed !== undefined ? { linkSpeed } : {}),
    ...(bandwidthLimited !== undefined ? { bandwidthLimited } : {}),
  };
}

export interface ReplicationProgress {
  synced: boolean;
  state?: string;
  amountRemaining?: number;
  percentComplete?: number;
}

function toProgress(body: unknown): ReplicationProgress {
  const state = str(body, 'state');
  return {
    synced: bool(body, 'synced') ?? false,
    ...(state ? { state } : {}),
    ...withDefined('amountRemaining', bytes(field(body, 'amountRemaining'))),
    ...withDefined('percentComplete', num(body, 'percentComplete')),
  };
}

function withDefined<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
