import type { JsonObject } from '../protocol/body.js';
import { dateString, sizeString, usDateString } from '../protocol/format.js';
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
import type { DsmState } from './state.js';
import { replicationMoving, transferProgress } from './transfers.js';
import type { WireStyle } from './wire-style.js';

/** A reference to another object, as DSM nests them: `{instanceId, instanceName, objectType}`. */
export function ref(instanceId: string, instanceName: string, objectType: string): JsonObject {
  return { instanceId, instanceName, objectType };
}

const SERVER_OBJECT_TYPES = {
  physical: { objectType: 'ScPhysicalServer', type: 'Physical' },
  cluster: { objectType: 'ScServerCluster', type: 'Cluster' },
  'remote-storage-center': { objectType: 'ScRemoteStorageCenter', type: 'RemoteStorageCenter' },
} as const;

/**
 * Builds the JSON objects the REST API answers with, field names and value formats as in the
 * public fixtures (dsm-fixtures.json: `volume`, `replay`, `replication`, `server`, …).
 */
export class WireWriter {
  constructor(
    private readonly state: DsmState,
    readonly style: WireStyle,
  ) {}

  size(bytes: number): string {
    return sizeString(bytes, this.style.sizeStyle);
  }

  date(epochMs: number | undefined): string {
    return dateString(epochMs, this.style.dateStyle);
  }

  private scName(ssn: number): string {
    return this.state.storageCenters.get(ssn)?.name ?? `Storage Center ${ssn}`;
  }

  private scConnected(ssn: number): boolean {
    return this.state.storageCenters.get(ssn)?.connected ?? false;
  }

  private owner(ssn: number): JsonObject {
    return { scSerialNumber: ssn, scName: this.scName(ssn) };
  }

  scRef(ssn: number): JsonObject {
    return ref(String(ssn), this.scName(ssn), 'StorageCenter');
  }

  volumeRef(volumeId: string): JsonObject {
    const volume = this.state.volumes.get(volumeId);
    return ref(volumeId, volume?.name ?? volumeId, 'ScVolume');
  }

  serverRef(serverId: string): JsonObject {
    const server = this.state.servers.get(serverId);
    const objectType = server ? SERVER_OBJECT_TYPES[server.kind].objectType : 'ScServer';
    return ref(serverId, server?.name ?? serverId, objectType);
  }

  controllerRef(ssn: number): JsonObject {
    return ref(`${ssn}.${ssn + 1}`, `SN ${ssn + 1}`, 'ScController');
  }

  storageCenter(sc: StorageCenterRecord, userName: string): JsonObject {
    return {
      instanceId: String(sc.serial),
      instanceName: sc.name,
      objectType: 'StorageCenter',
      scSerialNumber: sc.serial,
      serialNumber: sc.serial,
      name: sc.name,
      scName: sc.name,
      hostOrIpAddress: sc.hostOrIpAddress,
      managementIp: sc.hostOrIpAddress,
      version: sc.version,
      modelSeries: 'Sc5000Series',
      status: sc.connected ? 'Up' : 'Down',
      childStatus: sc.connected ? 'Up' : 'Down',
      statusMessage: sc.connected ? '' : 'Unable to communicate with the Storage Center',
      connected: sc.connected,
      userConnected: sc.connected,
      connectionError: sc.connected ? '' : 'Connection refused',
      operationMode: 'Normal',
      portsBalanced: true,
      location: sc.site ?? '',
      notes: '',
      contact: '',
      userName,
      userPasswordExpired: false,
      flashOptimizedConfigured: false,
      nonFlashOptimizedConfigured: true,
      dataProgressionRunning: false,
      raidRebalanceRunning: false,
    };
  }

  storageUsage(sc: StorageCenterRecord): JsonObject {
    const configured = [...this.state.volumes.values()]
      .filter((v) => v.ssn === sc.serial)
      .reduce((sum, v) => sum + v.sizeBytes, 0);
    const available = 130_000_000_000_000;
    const used = Math.round(configured * 0.3);
    return {
      instanceId: String(sc.serial),
      instanceName: sc.name,
      objectType: 'StorageCenterStorageUsage',
      ...this.owner(sc.serial),
      time: this.date(this.state.now()),
      availableSpace: this.size(available),
      freeSpace: this.size(available - used),
      usedSpace: this.size(used),
      allocatedSpace: this.size(used),
      configuredSpace: this.size(configured),
      oversubscribedSpace: this.size(0),
      alertThresholdSpace: this.size(available * 0.9),
      storageAlertThreshold: 10,
      systemSpace: this.size(800_000_000),
      badSpace: this.size(0),
      savingVsRaidTen: this.size(0),
    };
  }

  folderPath(folderId: string | undefined, kind: 'volume' | 'server'): string {
    const folders = kind === 'volume' ? this.state.volumeFolders : this.state.serverFolders;
    const names: string[] = [];
    let current = folderId ? folders.get(folderId) : undefined;
    while (current && !current.root) {
      names.unshift(current.name);
      current = current.parentId ? folders.get(current.parentId) : undefined;
    }
    const joined = names.map((n) => `${n}/`).join('');
    return this.style.slashFolderPaths ? `/${joined}` : joined;
  }

  folder(folder: VolumeFolderRecord): JsonObject {
    const folders = folder.kind === 'volume' ? this.state.volumeFolders : this.state.serverFolders;
    const objectType = folder.kind === 'volume' ? 'ScVolumeFolder' : 'ScServerFolder';
    const parent = folder.parentId ? folders.get(folder.parentId) : undefined;
    const inFolder =
      folder.kind === 'volume'
        ? [...this.state.volumes.values()].some((v) => v.folderId === folder.id)
        : [...this.state.servers.values()].some((s) => s.folderId === folder.id);
    return {
      instanceId: folder.id,
      instanceName: folder.name,
      objectType,
      name: folder.name,
      ...this.owner(folder.ssn),
      ...(parent
        ? { parent: ref(parent.id, parent.name, objectType), parentIndex: Number(parent.id.split('.')[1]) }
        : { parentIndex: 0 }),
      folderPath: folder.root ? this.folderPath(folder.id, folder.kind) : this.folderPath(folder.parentId, folder.kind),
      root: folder.root,
      okToDelete: !folder.root && !inFolder,
      notes: folder.notes,
      status: 'Up',
      statusMessage: '',
    };
  }

  volume(volume: VolumeRecord): JsonObject {
    const folder = this.state.volumeFolders.get(volume.folderId);
    const mappings = this.state.mappingsOfVolume(volume.id);
    const plainFrom = this.state.replicationsFrom(volume.id).filter((r) => !r.liveVolumeId);
    const plainTo = this.state.replicationsTo(volume.id).filter((r) => !r.liveVolumeId);
    const liveVolume = this.state.liveVolumeOf(volume.id);
    const busy = mappings.length > 0 || plainFrom.length > 0 || plainTo.length > 0 || liveVolume !== undefined;
    const modern = this.style.slashFolderPaths;
    return {
      instanceId: volume.id,
      instanceName: volume.name,
      objectType: 'ScVolume',
      name: volume.name,
      ...this.owner(volume.ssn),
      index: volume.index,
      vpdId: volume.vpdId,
      deviceId: volume.deviceId,
      serialNumber: volume.serialNumber,
      configuredSize: this.size(volume.sizeBytes),
      active: volume.active,
      replayAllowed: volume.active && !volume.inRecycleBin,
      status: this.scConnected(volume.ssn) ? 'Up' : 'Down',
      statusMessage: '',
      volumeFolder: ref(volume.folderId, folder?.name ?? 'Volumes', 'ScVolumeFolder'),
      volumeFolderIndex: Number(volume.folderId.split('.')[1]),
      volumeFolderPath: this.folderPath(volume.folderId, 'volume'),
      inRecycleBin: volume.inRecycleBin,
      mapped: mappings.length > 0,
      replicationSource: plainFrom.length > 0,
      replicationDestination: plainTo.length > 0,
      liveVolume: liveVolume !== undefined,
      deleteAllowed: !busy,
      hostCacheEnabled: false,
      cmmSource: false,
      cmmDestination: false,
      portableVolumeDestination: false,
      secureDataUsed: false,
      flashOptimized: false,
      usedByLegacyFluidFsNasVolume: false,
      storageType: ref(`${volume.ssn}.1`, 'Assigned - Redundant - 2 MB', 'ScStorageType'),
      ...(modern ? { migration: false, lastReductionTime: this.date(undefined) } : {}),
    };
  }

  volumeStorageUsage(volume: VolumeRecord): JsonObject {
    const replaySpace = this.state.replaysOf(volume.id).reduce((sum, r) => sum + r.sizeBytes, 0);
    const active = Math.round(volume.sizeBytes * 0.3);
    return {
      instanceId: volume.id,
      instanceName: volume.name,
      objectType: 'ScVolumeStorageUsage',
      name: volume.name,
      ...this.owner(volume.ssn),
      time: this.date(this.state.now()),
      configuredSpace: this.size(volume.sizeBytes),
      freeSpace: this.size(volume.sizeBytes - active),
      activeSpace: this.size(active),
      replaySpace: this.size(replaySpace),
      actualSpace: this.size(active + replaySpace),
      totalDiskSpace: this.size(Math.round((active + replaySpace) * 1.25)),
      sharedSpace: this.size(0),
    };
  }

  volumeConfiguration(volume: VolumeRecord): JsonObject {
    return {
      instanceId: volume.id,
      instanceName: volume.name,
      objectType: 'ScVolumeConfiguration',
      ...this.owner(volume.ssn),
      volume: this.volumeRef(volume.id),
      controller: this.controllerRef(volume.ssn),
      replayProfileList: volume.replayProfileIds.map((id) =>
        ref(id, this.state.replayProfiles.get(id)?.name ?? id, 'ScReplayProfile'),
      ),
      storageProfile: ref(`${volume.ssn}.1`, 'Recommended', 'ScStorageProfile'),
      diskFolder: ref(`${volume.ssn}.3`, 'Assigned', 'ScDiskFolder'),
      notes: volume.notes,
      dateCreated: usDateString(volume.createdAt),
      dateModified: usDateString(volume.createdAt),
      createUser: 'Admin',
      modifyUser: 'Admin',
      readCacheEnabled: true,
      writeCacheEnabled: true,
      readCacheStatus: 'Up',
      writeCacheStatus: 'Up',
      compressionEnabled: false,
      compressionPaused: false,
      replayCreationPaused: false,
      replayExpirationPaused: false,
      coalesceIntoActive: false,
      importToLowestTier: false,
      enforceConsumptionLimit: false,
      volumeSpaceConsumptionLimit: this.size(volume.sizeBytes),
      maximumSiblingCount: 100,
      currentSiblingCount: 1,
      currentSiblingConfiguredSize: this.size(volume.sizeBytes),
      maximumSiblingConfiguredSpace: this.size(549755813888000),
      openVmsUniqueDiskId: volume.index,
    };
  }

  replayParentRef(parentId: string | undefined): JsonObject | undefined {
    if (!parentId) return undefined;
    const [ssn, volumeIndex, index] = parentId.split('.');
    return ref(parentId, `${ssn}-${volumeIndex}-${index}`, 'ScReplay');
  }

  replay(replay: ReplayRecord): JsonObject {
    const parent = this.replayParentRef(replay.parentId);
    return {
      instanceId: replay.id,
      instanceName: usDateString(replay.freezeTime),
      objectType: 'ScReplay',
      ...this.owner(replay.ssn),
      globalIndex: replay.globalIndex,
      description: replay.description,
      ...(parent ? { parent } : {}),
      createVolume: this.volumeRef(replay.volumeId),
      consistent: replay.consistencyGroupId !== undefined,
      expires: replay.expireAt !== undefined,
      expireTime: this.date(replay.expireAt),
      freezeTime: this.date(replay.freezeTime),
      source: replay.source,
      spaceRecovery: false,
      writesHeldDuration: replay.writesHeldDuration,
      active: false,
      markedForExpiration: replay.markedForExpiration,
      size: this.size(replay.sizeBytes),
    };
  }

  /**
   * The volume's active replay (the live, unfrozen data). It carries the index the next frozen
   * replay will take, as on a real SC, and is listed in ReplayList with `active: true`.
   */
  activeReplay(volume: VolumeRecord): JsonObject {
    const parent = this.replayParentRef(this.state.latestReplayOf(volume.id)?.id);
    return {
      instanceId: activeReplayId(volume),
      instanceName: 'Active',
      objectType: 'ScReplay',
      ...this.owner(volume.ssn),
      globalIndex: `${volume.ssn}-${volume.index}-${volume.nextReplayIndex}`,
      description: '',
      ...(parent ? { parent } : {}),
      createVolume: this.volumeRef(volume.id),
      consistent: false,
      expires: false,
      expireTime: this.date(undefined),
      freezeTime: this.date(this.state.now()),
      source: 'Active',
      spaceRecovery: false,
      writesHeldDuration: 0,
      active: true,
      markedForExpiration: false,
      size: this.size(volume.replayDeltaBytes),
    };
  }

  server(server: ServerRecord): JsonObject {
    const types = SERVER_OBJECT_TYPES[server.kind];
    const hbas = this.hbasOf(server);
    const mappings = this.state.mappingsOfServer(server.id);
    const folder = this.state.serverFolders.get(server.folderId);
    const cluster = server.clusterId ? this.state.servers.get(server.clusterId) : undefined;
    const portTypes = [...new Set(hbas.map((h) => h.portType))];
    return {
      instanceId: server.id,
      instanceName: server.name,
      objectType: types.objectType,
      type: types.type,
      name: server.name,
      ...this.owner(server.ssn),
      notes: server.notes,
      status: server.up ? 'Up' : 'Down',
      statusMessage: server.up ? '' : 'Server is down',
      connectivity: server.up ? 'Up' : 'Down',
      hbaPresent: hbas.length > 0,
      hbaCount: hbas.length,
      pathCount: hbas.length * 2,
      portType: portTypes,
      mapped: mappings.length > 0,
      volumeCount: new Set(mappings.map((m) => m.volumeId)).size,
      deleteAllowed: mappings.length === 0 && server.kind !== 'remote-storage-center',
      removeHbasAllowed: server.kind === 'physical',
      alertOnConnectivity: server.alertOnConnectivity,
      serverFolder: ref(server.folderId, folder?.name ?? 'Servers', 'ScServerFolder'),
      serverFolderIndex: Number(server.folderId.split('.')[1]),
      serverFolderPath: this.folderPath(server.folderId, 'server'),
      ...(cluster ? { parent: this.serverRef(cluster.id), parentIndex: cluster.index } : { parentIndex: 0 }),
      ...(server.kind === 'remote-storage-center'
        ? {}
        : { operatingSystem: ref(`${server.ssn}.38`, server.operatingSystem, 'ScServerOperatingSystem') }),
      legacyFluidFs: false,
      hostCacheIndex: 0,
    };
  }

  /** A cluster's HBAs are its members'. */
  hbasOf(server: ServerRecord): HbaRecord[] {
    const owners = server.kind === 'cluster' ? this.state.serversOfCluster(server.id).map((s) => s.id) : [server.id];
    return [...this.state.hbas.values()].filter((h) => owners.includes(h.serverId));
  }

  hba(hba: HbaRecord): JsonObject {
    const server = this.state.servers.get(hba.serverId);
    return {
      instanceId: hba.id,
      instanceName: hba.name,
      objectType: 'ScServerHba',
      name: hba.name,
      ...this.owner(hba.ssn),
      server: this.serverRef(hba.serverId),
      portType: hba.portType,
      portWwnList: [],
      iscsiIpAddress: '0.0.0.0',
      iscsiName: '',
      pathCount: 2,
      connectivity: server?.up === false ? 'Down' : 'Up',
      remoteStorageCenter: false,
      notes: '',
    };
  }

  mappingProfile(profile: MappingProfileRecord): JsonObject {
    const volume = this.state.volumes.get(profile.volumeId);
    const server = this.state.servers.get(profile.serverId);
    return {
      instanceId: profile.id,
      instanceName: `${volume?.index ?? 0}-${server?.index ?? 0}`,
      objectType: 'ScMappingProfile',
      ...this.owner(profile.ssn),
      volume: this.volumeRef(profile.volumeId),
      server: this.serverRef(profile.serverId),
      controller: this.controllerRef(profile.ssn),
      lunUsed: [profile.lun],
      lunRequested: 'N/A',
      connectivity: 'Up',
      readOnly: profile.readOnly,
      hostCache: false,
      mappedVia: server?.kind === 'cluster' ? 'Cluster' : 'Server',
      mapCount: this.mappingPaths(profile).length,
    };
  }

  /** One path per HBA the profile reaches (a cluster's members' HBAs; one for a remote SC). */
  private mappingPaths(profile: MappingProfileRecord): Array<{ serverId: string; hba?: HbaRecord }> {
    const server = this.state.servers.get(profile.serverId);
    if (!server) return [];
    if (server.kind === 'remote-storage-center') return [{ serverId: server.id }];
    const members = server.kind === 'cluster' ? this.state.serversOfCluster(server.id) : [server];
    const paths = members.flatMap((member) =>
      [...this.state.hbas.values()]
        .filter((h) => h.serverId === member.id)
        .map((hba) => ({ serverId: member.id, hba })),
    );
    return paths.length > 0 ? paths : members.map((member) => ({ serverId: member.id }));
  }

  /** ScMapping objects (GET ScVolume/{id}/MappingList): the paths behind each mapping profile. */
  mappings(profile: MappingProfileRecord): JsonObject[] {
    const ssn = profile.ssn;
    const wwnBase = `5000D31000${ssn.toString(16).toUpperCase().padStart(6, '0')}`;
    return this.mappingPaths(profile).map((path, k) => {
      const number = profile.index * 16 + k;
      const portName = `${wwnBase}${(k % 4).toString(16).toUpperCase().padStart(2, '0')}`;
      const hbaName = path.hba?.name ?? this.state.servers.get(path.serverId)?.name ?? '';
      return {
        instanceId: `${ssn}.${number}.${ssn}`,
        instanceName: `${ssn}-${number}`,
        objectType: 'ScMapping',
        ...this.owner(ssn),
        profile: ref(profile.id, this.mappingProfile(profile)['instanceName'] as string, 'ScMappingProfile'),
        status: 'Up',
        statusMessage: '',
        controller: this.controllerRef(ssn),
        server: this.serverRef(path.serverId),
        volume: this.volumeRef(profile.volumeId),
        readOnly: profile.readOnly,
        lun: profile.lun,
        lunUsed: [profile.lun],
        ...(path.hba ? { serverHba: ref(path.hba.id, path.hba.name, 'ScServerHba') } : {}),
        path: ref(`${ssn}.${ssn}.${ssn + 1}.${number}.${k}`, `${hbaName}-${portName}`, 'ScServerHbaPath'),
        controllerPort: ref(`${ssn}.5764839588723736131.${91 + (k % 4)}`, portName, 'ScControllerPort'),
        transport: path.hba?.portType ?? 'FibreChannel',
      };
    });
  }

  qosNode(node: QosNodeRecord): JsonObject {
    const users = [...this.state.replications.values()].filter((r) => r.qosNodeId === node.id).length;
    return {
      instanceId: node.id,
      instanceName: node.name,
      objectType: 'ScReplicationQosNode',
      name: node.name,
      ...this.owner(node.ssn),
      linkSpeed: node.linkSpeed,
      bandwidthLimited: node.bandwidthLimited,
      numberDevices: users,
      advancedSettings: {
        globalMaxSectorPerIo: 512,
        destinationMaxSectorCount: 65536,
        queuePassMaxSectorCount: 65536,
        destinationMaxIoCount: 18,
        globalMaxIoCount: 32,
        queuePassMaxIoCount: 8,
      },
    };
  }

  private replicationName(replication: ReplicationRecord): string {
    return `Replication of '${this.state.volumes.get(replication.sourceVolumeId)?.name ?? replication.sourceVolumeId}'`;
  }

  /** `Up` unless broken, paused, or an array is unreachable. */
  replicationState(replication: ReplicationRecord): 'Up' | 'Down' | 'Paused' {
    if (replication.state !== 'Up') return replication.state;
    return this.scConnected(replication.ssn) && this.scConnected(replication.destinationSsn) ? 'Up' : 'Down';
  }

  replication(replication: ReplicationRecord): JsonObject {
    const qos = this.state.qosNodes.get(replication.qosNodeId);
    const state = this.replicationState(replication);
    const progress = transferProgress(this.state, replication);
    const synchronous = replication.type === 'Synchronous';
    return {
      instanceId: replication.id,
      instanceName: this.replicationName(replication),
      objectType: 'ScReplication',
      ...this.owner(replication.ssn),
      sourceVolume: this.volumeRef(replication.sourceVolumeId),
      destinationVolume: this.volumeRef(replication.destinationVolumeId),
      sourceStorageCenter: this.scRef(replication.ssn),
      destinationStorageCenter: this.scRef(replication.destinationSsn),
      destinationScSerialNumber: replication.destinationSsn,
      type: replication.type,
      syncMode: replication.syncMode,
      syncStatus: synchronous ? (progress.synced ? 'Current' : 'OutOfDate') : 'NotApplicable',
      state,
      status: state === 'Up' ? 'Up' : state === 'Paused' ? 'Degraded' : 'Down',
      statusMessage: '',
      stateMessage: '',
      replicateActiveReplay: replication.replicateActiveReplay,
      dedup: replication.dedup,
      qosNode: ref(replication.qosNodeId, qos?.name ?? replication.qosNodeId, 'ScReplicationQosNode'),
      managedByLiveVolume: replication.liveVolumeId !== undefined,
      pauseAllowed: !synchronous && replication.liveVolumeId === undefined,
      simulation: false,
      transportTypes: ['FibreChannel'],
      secondaryTransportTypes: [],
      replicateStorageToLowestTier: true,
    };
  }

  /**
   * Transfer progress: `GET ScReplication/{id}/CurrentProgress` and `ScReplicationProgress`.
   * Cinder reads `synced` and `amountRemaining`; the API-4.1 script reads `percentComplete`,
   * `synced`, `state`, `totalSize`.
   */
  replicationProgress(replication: ReplicationRecord): JsonObject {
    const progress = transferProgress(this.state, replication);
    const source = this.state.volumes.get(replication.sourceVolumeId);
    return {
      instanceId: replication.id,
      instanceName: this.replicationName(replication),
      objectType: 'ScReplicationProgress',
      ...this.owner(replication.ssn),
      synced: progress.synced,
      amountRemaining: this.size(progress.amountRemainingBytes),
      percentComplete: progress.percentComplete,
      state: this.replicationState(replication),
      totalSize: this.size(source?.sizeBytes ?? 0),
      replication: ref(replication.id, this.replicationName(replication), 'ScReplication'),
      sourceVolume: this.volumeRef(replication.sourceVolumeId),
      destinationVolume: this.volumeRef(replication.destinationVolumeId),
    };
  }

  liveVolume(liveVolume: LiveVolumeRecord): JsonObject {
    const primary = this.state.volumes.get(liveVolume.primaryVolumeId);
    const secondary = this.state.volumes.get(liveVolume.secondaryVolumeId);
    const primarySsn = primary?.ssn ?? Number(liveVolume.primaryVolumeId.split('.')[0]);
    const secondarySsn = secondary?.ssn ?? Number(liveVolume.secondaryVolumeId.split('.')[0]);
    const replication = this.state.replications.get(liveVolume.replicationId);
    const replicationState = replication ? this.replicationState(replication) : 'Down';
    const primaryUp = this.scConnected(primarySsn);
    const secondaryUp = this.scConnected(secondarySsn);
    const synchronous = liveVolume.type === 'Synchronous';
    const synced = replication ? transferProgress(this.state, replication).synced : false;
    const failoverState =
      liveVolume.secondaryRole === 'Activated' ? 'FailedOver' : replicationState === 'Up' ? 'Protected' : 'Unprotected';
    const ownerSsn = Number(liveVolume.id.split('.')[0]);
    return {
      instanceId: liveVolume.id,
      instanceName: `Live Volume of ${primary?.name ?? secondary?.name ?? liveVolume.id}`,
      objectType: 'ScLiveVolume',
      ...this.owner(ownerSsn),
      primaryVolume: this.volumeRef(liveVolume.primaryVolumeId),
      secondaryVolume: this.volumeRef(liveVolume.secondaryVolumeId),
      primaryScSerialNumber: primarySsn,
      secondaryScSerialNumber: secondarySsn,
      primaryStorageCenter: this.scRef(primarySsn),
      secondaryStorageCenter: this.scRef(secondarySsn),
      primaryRole: 'Primary',
      secondaryRole: liveVolume.secondaryRole,
      primaryStatus: primaryUp ? 'Up' : 'Down',
      secondaryStatus: secondaryUp ? 'Up' : 'Down',
      status: primaryUp && secondaryUp && replicationState === 'Up' ? 'Up' : 'Degraded',
      replicationState,
      failoverState,
      primaryPeerState: secondaryUp ? 'Connected' : 'Disconnected',
      secondaryPeerState: primaryUp ? 'Connected' : 'Disconnected',
      swappingRoles: false,
      primarySwapRoleState: 'NotSwapping',
      secondarySwapRoleState: 'NotSwapping',
      managedReplicationsAllowed: true,
      managingReplications: liveVolume.managingReplications ?? false,
      swapRolesAutomaticallyEnabled: liveVolume.swapRolesAutomaticallyEnabled,
      automaticallySwapRoles: liveVolume.swapRolesAutomaticallyEnabled,
      failoverAutomaticallyEnabled: liveVolume.failoverAutomaticallyEnabled,
      restoreAutomaticallyEnabled: liveVolume.restoreAutomaticallyEnabled,
      localTiebreaker: liveVolume.failoverAutomaticallyEnabled,
      primaryToTiebreakerConnectivity: primaryUp ? 'Up' : 'Down',
      secondaryToTiebreakerConnectivity: secondaryUp ? 'Up' : 'Down',
      aluaOptimized: false,
      replicationFound: replication !== undefined,
      replicationStateMessage: '',
      replicateActiveReplay: liveVolume.replicateActiveReplay,
      primaryQosNode: ref(
        liveVolume.primaryQosNodeId,
        this.state.qosNodes.get(liveVolume.primaryQosNodeId)?.name ?? '',
        'ScReplicationQosNode',
      ),
      secondaryQosNode: ref(
        liveVolume.secondaryQosNodeId,
        this.state.qosNodes.get(liveVolume.secondaryQosNodeId)?.name ?? '',
        'ScReplicationQosNode',
      ),
      // The API-4.1 tiebreaker script notes type, syncMode and syncStatus are not returned after a failure.
      ...(primaryUp && secondaryUp
        ? {
            type: liveVolume.type,
            syncMode: liveVolume.syncMode,
            syncStatus: synchronous ? (synced ? 'Current' : 'OutOfDate') : 'NotApplicable',
          }
        : {}),
    };
  }

  replayProfile(profile: ReplayProfileRecord): JsonObject {
    const members = [...this.state.volumes.values()].filter((v) => v.replayProfileIds.includes(profile.id));
    return {
      instanceId: profile.id,
      instanceName: profile.name,
      objectType: 'ScReplayProfile',
      name: profile.name,
      type: profile.type,
      notes: profile.notes,
      ...this.owner(profile.ssn),
      volumeCount: members.length,
      expireIncompleteReplaySets: true,
      replayCreationTimeout: 20,
      enforceReplayCreationTimeout: false,
      ruleCount: 0,
      userCreated: true,
    };
  }

  consistencyGroup(group: ConsistencyGroupRecord): JsonObject {
    const profile = this.state.replayProfiles.get(group.profileId);
    const [, , profileIndex, index] = group.id.split('.');
    return {
      instanceId: group.id,
      instanceName: usDateString(group.freezeTime),
      objectType: 'ScReplayConsistencyGroup',
      ...this.owner(group.ssn),
      profile: ref(group.profileId, profile?.name ?? group.profileId, 'ScReplayProfile'),
      globalIndex: `${group.ssn}-${profileIndex}-${index}`,
      description: group.description,
      expires: group.expireAt !== undefined,
      freezeTime: this.date(group.freezeTime),
      expireTime: this.date(group.expireAt),
      expectedReplayCount: group.replayIds.length,
      replayCount: group.replayIds.filter((id) => this.state.replays.has(id)).length,
      writesHeldDuration: 19809,
    };
  }

  /** Assumed shape (no public client reads restore points): see the README. */
  restorePoint(point: RestorePointRecord): JsonObject {
    const replication = point.replicationId ? this.state.replications.get(point.replicationId) : undefined;
    const liveVolume = point.liveVolumeId ? this.state.liveVolumes.get(point.liveVolumeId) : undefined;
    const source = this.state.volumes.get(point.sourceVolumeId);
    const destination = this.state.volumes.get(point.destinationVolumeId);
    const sourceSsn = source?.ssn ?? Number(point.sourceVolumeId.split('.')[0]);
    const destinationSsn = destination?.ssn ?? Number(point.destinationVolumeId.split('.')[0]);
    const live =
      replication && this.replicationState(replication) === 'Up' && replicationMoving(this.state, replication);
    return {
      instanceId: point.id,
      instanceName: `Restore Point of '${source?.name ?? point.sourceVolumeId}'`,
      objectType: 'ScReplicationRestorePoint',
      ...this.owner(point.ssn),
      sourceVolume: this.volumeRef(point.sourceVolumeId),
      destinationVolume: this.volumeRef(point.destinationVolumeId),
      sourceStorageCenter: this.scRef(sourceSsn),
      destinationStorageCenter: this.scRef(destinationSsn),
      ...(replication
        ? {
            replication: ref(replication.id, this.replicationName(replication), 'ScReplication'),
            type: replication.type,
            replicateActiveReplay: replication.replicateActiveReplay,
          }
        : {}),
      ...(liveVolume ? { liveVolume: ref(liveVolume.id, `Live Volume of ${source?.name ?? ''}`, 'ScLiveVolume') } : {}),
      isLiveVolume: liveVolume !== undefined,
      state: live ? 'Up' : 'Degraded',
      saveTime: this.date(point.savedAt),
      useActiveReplay: point.useActiveReplay,
    };
  }
}

export function activeReplayId(volume: VolumeRecord): string {
  return `${volume.ssn}.${volume.index}.${volume.nextReplayIndex}`;
}
