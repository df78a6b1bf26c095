import { bool, field, num, ref, ssnOfId, str, dsmDate, type Ref } from './wire.js';

export interface StorageCenter {
  id: string;
  serial: number;
  name: string;
  connected: boolean;
  status: string;
}

export interface Volume {
  id: string;
  name: string;
  serial: number;
  notes: string;
  replicationSource: boolean;
  replicationDestination: boolean;
  liveVolume: boolean;
  mapped: boolean;
  /** The volume's SCSI device id: the NAA id hosts see (`naa.<deviceId>`). */
  deviceId?: string;
}

export interface Replication {
  id: string;
  type: string;
  syncMode: string;
  replicateActiveReplay: boolean;
  managedByLiveVolume: boolean;
  state: string;
  sourceSerial: number;
  destinationSerial: number;
  sourceVolume: Ref;
  destinationVolume: Ref;
  qosNode?: Ref;
}

export interface LiveVolume {
  id: string;
  name: string;
  primarySerial: number;
  secondarySerial: number;
  primaryVolume?: Ref;
  secondaryVolume?: Ref;
  secondaryRole: string;
  /** False when DSM reports the primary's array Down (`primaryStatus`). */
  primaryUp: boolean;
  type: string;
  syncMode: string;
  replicateActiveReplay: boolean;
  failoverAutomaticallyEnabled: boolean;
  swapRolesAutomaticallyEnabled: boolean;
  swappingRoles: boolean;
  /** The Live Volume manages a replication to a third Storage Center (DSM "managed replication"). */
  managingReplications: boolean;
  primaryQosNode?: Ref;
  secondaryQosNode?: Ref;
}

export interface Replay {
  id: string;
  description: string;
  globalIndex: string;
  instanceName: string;
  active: boolean;
  markedForExpiration: boolean;
  freezeTime?: number;
  /** The volume the replay belongs to (`createVolume`), when DSM names it. */
  volumeId?: string;
  /** Frozen with the other members of a consistency group (a Consistent replay profile). */
  consistent?: boolean;
}

export interface ReplayProfile {
  id: string;
  name: string;
  type: string;
}

/** One consistent snapshot of a replay profile's volumes (ScReplayConsistencyGroup). */
export interface GroupSnapshot {
  id: string;
  description: string;
  freezeTime?: number;
}

export interface MappingProfile {
  id: string;
  serverId: string;
  /** The server is the peer Storage Center itself: the mapping that carries a replication. */
  toRemoteStorageCenter: boolean;
  /** The mapped volume, when DSM names it. */
  volumeId?: string;
}

export function toStorageCenter(w: unknown): StorageCenter {
  const id = str(w, 'instanceId') ?? '';
  return {
    id,
    serial: num(w, 'scSerialNumber') ?? num(w, 'serialNumber') ?? Number(id),
    name: str(w, 'name') ?? str(w, 'instanceName') ?? id,
    connected: bool(w, 'connected') ?? true,
    status: str(w, 'status') ?? 'Up',
  };
}

export function toVolume(w: unknown): Volume {
  const id = str(w, 'instanceId') ?? '';
  return {
    id,
    name: str(w, 'name') ?? str(w, 'instanceName') ?? '',
    serial: num(w, 'scSerialNumber') ?? ssnOfId(id),
    notes: str(w, 'notes') ?? '',
    replicationSource: bool(w, 'replicationSource') ?? false,
    replicationDestination: bool(w, 'replicationDestination') ?? false,
    liveVolume: bool(w, 'liveVolume') ?? false,
    mapped: bool(w, 'mapped') ?? false,
    ...(str(w, 'deviceId') ? { deviceId: str(w, 'deviceId')! } : {}),
  };
}

export function toReplication(w: unknown): Replication {
  const id = str(w, 'instanceId') ?? '';
  const source = ref(w, 'sourceVolume') ?? { id: '', name: '' };
  const destination = ref(w, 'destinationVolume') ?? { id: '', name: '' };
  const sourceSc = ref(w, 'sourceStorageCenter');
  const destinationSc = ref(w, 'destinationStorageCenter');
  return {
    id,
    type: str(w, 'type') ?? 'Asynchronous',
    syncMode: str(w, 'syncMode') ?? 'None',
    replicateActiveReplay: bool(w, 'replicateActiveReplay') ?? false,
    managedByLiveVolume: bool(w, 'managedByLiveVolume') ?? false,
    state: str(w, 'state') ?? str(w, 'status') ?? 'Up',
    sourceSerial: num(w, 'scSerialNumber') ?? (sourceSc ? Number(sourceSc.id) : ssnOfId(source.id || id)),
    destinationSerial:
      num(w, 'destinationScSerialNumber') ?? (destinationSc ? Number(destinationSc.id) : ssnOfId(destination.id)),
    sourceVolume: source,
    destinationVolume: destination,
    ...optional('qosNode', ref(w, 'qosNode')),
  };
}

export function toLiveVolume(w: unknown): LiveVolume {
  const primaryVolume = ref(w, 'primaryVolume');
  const secondaryVolume = ref(w, 'secondaryVolume');
  const primarySc = ref(w, 'primaryStorageCenter');
  const secondarySc = ref(w, 'secondaryStorageCenter');
  const name =
    primaryVolume?.name || secondaryVolume?.name || (str(w, 'instanceName') ?? '').replace(/^live volume of\s+/i, '');
  return {
    id: str(w, 'instanceId') ?? '',
    name,
    primarySerial:
      num(w, 'primaryScSerialNumber') ??
      (primarySc ? Number(primarySc.id) : primaryVolume ? ssnOfId(primaryVolume.id) : NaN),
    secondarySerial:
      num(w, 'secondaryScSerialNumber') ??
      (secondarySc ? Number(secondarySc.id) : secondaryVolume ? ssnOfId(secondaryVolume.id) : NaN),
    ...optional('primaryVolume', primaryVolume),
    ...optional('secondaryVolume', secondaryVolume),
    secondaryRole: str(w, 'secondaryRole') ?? 'Secondary',
    primaryUp: (str(w, 'primaryStatus') ?? 'Up').toLowerCase() !== 'down',
    type: str(w, 'type') ?? 'Asynchronous',
    syncMode: str(w, 'syncMode') ?? 'None',
    replicateActiveReplay: bool(w, 'replicateActiveReplay') ?? false,
    failoverAutomaticallyEnabled: bool(w, 'failoverAutomaticallyEnabled') ?? false,
    swapRolesAutomaticallyEnabled:
      bool(w, 'swapRolesAutomaticallyEnabled') ?? bool(w, 'automaticallySwapRoles') ?? false,
    swappingRoles: bool(w, 'swappingRoles') ?? false,
    managingReplications: bool(w, 'managingReplications') ?? false,
    ...optional('primaryQosNode', ref(w, 'primaryQosNode')),
    ...optional('secondaryQosNode', ref(w, 'secondaryQosNode')),
  };
}

export function toReplay(w: unknown): Replay {
  const id = str(w, 'instanceId') ?? '';
  const freezeTime = dsmDate(field(w, 'freezeTime'));
  return {
    id,
    description: str(w, 'description') ?? '',
    globalIndex: str(w, 'globalIndex') ?? '',
    instanceName: str(w, 'instanceName') ?? '',
    active: bool(w, 'active') ?? false,
    markedForExpiration: bool(w, 'markedForExpiration') ?? false,
    consistent: bool(w, 'consistent') ?? false,
    ...optional('freezeTime', freezeTime),
    ...optional('volumeId', ref(w, 'createVolume')?.id),
  };
}

export function toReplayProfile(w: unknown): ReplayProfile {
  return {
    id: str(w, 'instanceId') ?? '',
    name: str(w, 'name') ?? str(w, 'instanceName') ?? '',
    type: str(w, 'type') ?? '',
  };
}

export function toGroupSnapshot(w: unknown): GroupSnapshot {
  return {
    id: str(w, 'instanceId') ?? '',
    description: str(w, 'description') ?? '',
    ...optional('freezeTime', dsmDate(field(w, 'freezeTime'))),
  };
}

export function toMappingProfile(w: unknown): MappingProfile {
  const serverType = str(field(w, 'server'), 'objectType') ?? '';
  return {
    id: str(w, 'instanceId') ?? '',
    serverId: ref(w, 'server')?.id ?? '',
    toRemoteStorageCenter: serverType.toLowerCase() === 'scremotestoragecenter',
    ...optional('volumeId', ref(w, 'volume')?.id),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
