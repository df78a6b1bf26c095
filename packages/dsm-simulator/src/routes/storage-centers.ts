import type { DsmModel } from '../model/dsm-model.js';
import type { JsonObject } from '../protocol/body.js';
import { errorReply, json, type Reply } from './reply.js';
import type { Route, RouteContext } from './route.js';

function onStorageCenter(context: RouteContext, list: (model: DsmModel, ssn: number) => JsonObject[]): Reply {
  const sc = context.model.state.storageCenter(context.params['ssn']);
  if (!sc) return errorReply(404, `Storage Center ${context.params['ssn']} was not found.`);
  return json(200, list(context.model, sc.serial));
}

const subList = (action: string, list: (model: DsmModel, ssn: number) => JsonObject[]): Route => ({
  method: 'GET',
  pattern: `StorageCenter/StorageCenter/{ssn}/${action}`,
  kind: 'read',
  resource: 'StorageCenter',
  action,
  handle: (context) => onStorageCenter(context, list),
});

/** Lists under one Storage Center (`GET StorageCenter/StorageCenter/{ssn}/…`). */
export const storageCenterRoutes: Route[] = [
  {
    method: 'GET',
    pattern: 'StorageCenter/StorageCenter/{ssn}/StorageUsage',
    kind: 'read',
    resource: 'StorageCenter',
    action: 'StorageUsage',
    handle(context) {
      const sc = context.model.state.storageCenter(context.params['ssn']);
      return sc
        ? json(200, context.model.wire.storageUsage(sc))
        : errorReply(404, `Storage Center ${context.params['ssn']} was not found.`);
    },
  },
  // Cinder reads Live Volumes per SC ("Work around for a FW bug"): every LV with a volume on it.
  subList('LiveVolumeList', (m, ssn) =>
    m.liveVolumes().filter((lv) => lv['primaryScSerialNumber'] === ssn || lv['secondaryScSerialNumber'] === ssn),
  ),
  subList('VolumeList', (m, ssn) => m.volumes(ssn)),
  subList('ServerList', (m, ssn) => m.servers(ssn)),
  subList('VolumeFolderList', (m, ssn) =>
    [...m.state.volumeFolders.values()].filter((f) => f.ssn === ssn).map((f) => m.wire.folder(f)),
  ),
  subList('ServerFolderList', (m, ssn) =>
    [...m.state.serverFolders.values()].filter((f) => f.ssn === ssn).map((f) => m.wire.folder(f)),
  ),
  subList('ReplicationQosNodeList', (m, ssn) => m.qosNodes(ssn)),
  subList('ReplicationRestorePointList', (m, ssn) =>
    m
      .restorePoints()
      .filter(
        (p) =>
          p['scSerialNumber'] === ssn ||
          (p['destinationStorageCenter'] as JsonObject | undefined)?.['instanceId'] === String(ssn),
      ),
  ),
];
