import { setReplayProfiles } from '../model/consistency-group-operations.js';
import { mapToServer, unmapVolume } from '../model/mapping-operations.js';
import type { VolumeRecord } from '../model/records.js';
import { requireServer } from '../model/server-operations.js';
import {
  createReplay,
  createVolume,
  deleteVolume,
  expandVolume,
  modifyVolume,
  recycleVolume,
  requireVolume,
} from '../model/volume-operations.js';
import { booleanField, field, numberField, referenceField, referenceListField, stringField } from '../protocol/body.js';
import { parseSize } from '../protocol/format.js';
import { badRequest } from '../protocol/outcome.js';
import { expireMinutesField, keyPart, requiredReference, requiredString, storageCenterField } from './helpers.js';
import { answer, fromRefusal, json, noContent, type Reply } from './reply.js';
import type { Route, RouteContext } from './route.js';

function withVolume(context: RouteContext, then: (volume: VolumeRecord) => Reply): Reply {
  return answer(requireVolume(context.model.state, context.params['id']!), then);
}

const volumeAction = (
  method: Route['method'],
  action: string,
  kind: Route['kind'],
  handle: (context: RouteContext, volume: VolumeRecord) => Reply,
  objectKey?: Route['objectKey'],
): Route => ({
  method,
  pattern: `StorageCenter/ScVolume/{id}/${action}`,
  kind,
  resource: 'ScVolume',
  action,
  ...(objectKey ? { objectKey } : {}),
  handle: (context) => withVolume(context, (volume) => handle(context, volume)),
});

export const volumeRoutes: Route[] = [
  {
    method: 'POST',
    pattern: 'StorageCenter/ScVolume',
    kind: 'change',
    resource: 'ScVolume',
    action: 'Create',
    objectKey: (c) => `${keyPart(c, 'StorageCenter')}/${keyPart(c, 'Name')}`,
    handle(context) {
      const { state, wire } = context.model;
      const ssn = storageCenterField(state, context.body);
      if (!ssn.ok) return fromRefusal(ssn);
      const name = requiredString(context.body, 'Name');
      if (!name.ok) return fromRefusal(name);
      const sizeBytes = parseSize(field(context.body, 'Size'));
      if (sizeBytes === undefined)
        return fromRefusal(badRequest('Invalid attribute value format: Size must be a size such as "10 GB".'));
      return answer(
        createVolume(state, {
          ssn: ssn.value,
          name: name.value,
          sizeBytes,
          notes: stringField(context.body, 'Notes'),
          folderId: referenceField(context.body, 'VolumeFolder'),
          replayProfileIds: referenceListField(context.body, 'ReplayProfileList'),
        }),
        (volume) => json(201, wire.volume(volume)),
      );
    },
  },
  {
    method: 'PUT',
    pattern: 'StorageCenter/ScVolume/{id}',
    kind: 'change',
    resource: 'ScVolume',
    action: 'Modify',
    handle: (context) =>
      withVolume(context, (volume) =>
        answer(
          modifyVolume(context.model.state, volume, {
            name: stringField(context.body, 'Name'),
            folderId: referenceField(context.body, 'VolumeFolder'),
          }),
          (v) => json(200, context.model.wire.volume(v)),
        ),
      ),
  },
  {
    method: 'DELETE',
    pattern: 'StorageCenter/ScVolume/{id}',
    kind: 'change',
    resource: 'ScVolume',
    action: 'Delete',
    // The reference has DELETE ScVolume answer a bare true/false on every version.
    handle: (context) =>
      withVolume(context, (volume) =>
        answer(deleteVolume(context.model.state, volume), (deleted) => json(200, deleted)),
      ),
  },
  volumeAction('POST', 'ExpandToSize', 'change', (context, volume) => {
    const size = parseSize(field(context.body, 'NewSize'));
    if (size === undefined)
      return fromRefusal(badRequest('Invalid attribute value format: NewSize must be a size such as "20 GB".'));
    return answer(expandVolume(context.model.state, volume, size), (v) => json(200, context.model.wire.volume(v)));
  }),
  volumeAction('POST', 'Expand', 'change', (context, volume) => {
    const amount = parseSize(field(context.body, 'ExpandAmount'));
    if (amount === undefined)
      return fromRefusal(badRequest('Invalid attribute value format: ExpandAmount must be a size such as "10GB".'));
    return answer(expandVolume(context.model.state, volume, volume.sizeBytes + amount), (v) =>
      json(200, context.model.wire.volume(v)),
    );
  }),
  volumeAction('POST', 'Recycle', 'change', (context, volume) =>
    answer(recycleVolume(context.model.state, volume), () => noContent()),
  ),
  volumeAction(
    'POST',
    'CreateReplay',
    'change',
    (context, volume) => {
      const expire = expireMinutesField(context.body);
      if (!expire.ok) return fromRefusal(expire);
      const description = stringField(context.body, 'description') ?? '';
      return answer(createReplay(context.model.state, volume, { description, expireMinutes: expire.value }), (replay) =>
        json(200, context.model.wire.replay(replay)),
      );
    },
    (c) => `${c.params['id']}:${stringField(c.body, 'description') ?? ''}`,
  ),
  volumeAction('GET', 'ReplayList', 'read', (context, volume) => json(200, context.model.replayList(volume.id))),
  volumeAction(
    'POST',
    'MapToServer',
    'change',
    (context, volume) => {
      const serverId = requiredReference(context.body, 'Server');
      if (!serverId.ok) return fromRefusal(serverId);
      const advanced = field(context.body, 'Advanced');
      return answer(requireServer(context.model.state, serverId.value), (server) =>
        answer(
          mapToServer(context.model.state, volume, server, {
            readOnly: booleanField(advanced, 'ReadOnly'),
            preferredLun: numberField(advanced, 'PreferredLun'),
          }),
          (profile) => json(200, context.model.wire.mappingProfile(profile)),
        ),
      );
    },
    (c) => `${c.params['id']}->${keyPart(c, 'Server')}`,
  ),
  volumeAction('POST', 'Unmap', 'change', (context, volume) =>
    answer(unmapVolume(context.model.state, volume), () => noContent()),
  ),
  volumeAction('GET', 'MappingProfileList', 'read', (context, volume) =>
    json(200, context.model.mappingProfiles(volume.id)),
  ),
  volumeAction('GET', 'MappingList', 'read', (context, volume) =>
    json(
      200,
      context.model.state.mappingsOfVolume(volume.id).flatMap((p) => context.model.wire.mappings(p)),
    ),
  ),
  volumeAction('GET', 'ReplicationSourceList', 'read', (context, volume) => {
    context.model.advance();
    return json(
      200,
      context.model.state.replicationsFrom(volume.id).map((r) => context.model.wire.replication(r)),
    );
  }),
  volumeAction('GET', 'VolumeConfiguration', 'read', (context, volume) =>
    json(200, context.model.wire.volumeConfiguration(volume)),
  ),
  volumeAction('GET', 'StorageUsage', 'read', (context, volume) =>
    json(200, context.model.wire.volumeStorageUsage(volume)),
  ),
  {
    method: 'PUT',
    pattern: 'StorageCenter/ScVolumeConfiguration/{id}',
    kind: 'change',
    resource: 'ScVolumeConfiguration',
    action: 'Modify',
    handle: (context) =>
      withVolume(context, (volume) => {
        const profiles = referenceListField(context.body, 'ReplayProfileList');
        if (profiles === undefined) return json(200, context.model.wire.volumeConfiguration(volume));
        return answer(setReplayProfiles(context.model.state, volume, profiles), (v) =>
          json(200, context.model.wire.volumeConfiguration(v)),
        );
      }),
  },
];
