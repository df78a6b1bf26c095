import type { DsmModel } from '../model/dsm-model.js';
import { FIRST_OPERATING_SYSTEM_INDEX, OPERATING_SYSTEMS } from '../model/server-operations.js';
import type { JsonObject } from '../protocol/body.js';
import { listReply, objectReply } from './helpers.js';
import { json } from './reply.js';
import type { Route } from './route.js';

/**
 * Object types readable the generic DSM way: `GET StorageCenter/<Type>` (every object),
 * `POST StorageCenter/<Type>/GetList` (filtered) and `GET StorageCenter/<Type>/{id}`.
 */
interface ReadableType {
  name: string;
  all(model: DsmModel): JsonObject[];
  one?(model: DsmModel, id: string): JsonObject | undefined;
}

const byId = (items: JsonObject[], id: string) => items.find((item) => String(item['instanceId']) === id);

export const READABLE_TYPES: ReadableType[] = [
  { name: 'StorageCenter', all: (m) => m.storageCenters() },
  { name: 'ScVolume', all: (m) => m.volumes() },
  {
    name: 'ScReplay',
    all: (m) => [...m.state.volumes.keys()].flatMap((id) => m.replayList(id)),
    one: (m, id) => {
      const [ssn, volumeIndex] = id.split('.');
      return byId(m.replayList(`${ssn}.${volumeIndex}`), id);
    },
  },
  { name: 'ScVolumeFolder', all: (m) => [...m.state.volumeFolders.values()].map((f) => m.wire.folder(f)) },
  { name: 'ScServerFolder', all: (m) => [...m.state.serverFolders.values()].map((f) => m.wire.folder(f)) },
  { name: 'ScServer', all: (m) => m.servers() },
  { name: 'ScPhysicalServer', all: (m) => m.servers().filter((s) => s['objectType'] === 'ScPhysicalServer') },
  { name: 'ScServerCluster', all: (m) => m.servers().filter((s) => s['objectType'] === 'ScServerCluster') },
  { name: 'ScServerHba', all: (m) => [...m.state.hbas.values()].map((h) => m.wire.hba(h)) },
  { name: 'ScMappingProfile', all: (m) => m.mappingProfiles() },
  { name: 'ScMapping', all: (m) => [...m.state.mappingProfiles.values()].flatMap((p) => m.wire.mappings(p)) },
  { name: 'ScReplicationQosNode', all: (m) => m.qosNodes() },
  { name: 'ScReplication', all: (m) => m.replications() },
  {
    name: 'ScReplicationProgress',
    all: (m) => {
      m.advance();
      return [...m.state.replications.values()].map((r) => m.wire.replicationProgress(r));
    },
  },
  { name: 'ScLiveVolume', all: (m) => m.liveVolumes() },
  { name: 'ScReplayProfile', all: (m) => [...m.state.replayProfiles.values()].map((p) => m.wire.replayProfile(p)) },
  {
    name: 'ScReplayConsistencyGroup',
    all: (m) => [...m.state.consistencyGroups.values()].map((g) => m.wire.consistencyGroup(g)),
  },
  {
    name: 'ScVolumeConfiguration',
    all: (m) => [...m.state.volumes.values()].map((v) => m.wire.volumeConfiguration(v)),
  },
  { name: 'ScReplicationRestorePoint', all: (m) => m.restorePoints() },
  {
    name: 'ScServerOperatingSystem',
    all: (m) =>
      [...m.state.storageCenters.keys()].flatMap((ssn) =>
        OPERATING_SYSTEMS.map((name, i) => ({
          instanceId: `${ssn}.${FIRST_OPERATING_SYSTEM_INDEX + i}`,
          instanceName: name,
          objectType: 'ScServerOperatingSystem',
          name,
          product: name.replace(/ [0-9.x]+$/, ''),
          version: name.split(' ').pop(),
          multipath: true,
          scSerialNumber: ssn,
          scName: m.state.storageCenters.get(ssn)!.name,
        })),
      ),
  },
];

export const objectReadRoutes: Route[] = READABLE_TYPES.flatMap((type): Route[] => [
  {
    method: 'GET',
    pattern: `StorageCenter/${type.name}`,
    kind: 'read',
    resource: type.name,
    action: 'List',
    handle: (context) => json(200, type.all(context.model)),
  },
  {
    method: 'POST',
    pattern: `StorageCenter/${type.name}/GetList`,
    kind: 'list',
    resource: type.name,
    action: 'GetList',
    handle: (context) => listReply(context, type.all(context.model)),
  },
  {
    method: 'GET',
    pattern: `StorageCenter/${type.name}/{id}`,
    kind: 'read',
    resource: type.name,
    action: 'Get',
    handle: (context) => {
      const id = context.params['id']!;
      const found = type.one ? type.one(context.model, id) : byId(type.all(context.model), id);
      return objectReply(found, type.name, id);
    },
  },
]);
