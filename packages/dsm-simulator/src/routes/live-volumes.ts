import {
  createLiveVolume,
  deleteLiveVolume,
  modifyLiveVolume,
  requireLiveVolume,
  swapLiveVolumeRoles,
} from '../model/live-volume-operations.js';
import { mapLiveVolumeSecondary } from '../model/mapping-operations.js';
import { requireServer } from '../model/server-operations.js';
import { requireVolume } from '../model/volume-operations.js';
import { booleanField, field, numberField, stringField } from '../protocol/body.js';
import { deleteResult, keyPart, requiredReference, storageCenterField } from './helpers.js';
import { answer, fromRefusal, json } from './reply.js';
import type { Route, RouteContext } from './route.js';

const withLiveVolume = (context: RouteContext) => requireLiveVolume(context.model.state, context.params['id']!);

export const liveVolumeRoutes: Route[] = [
  {
    method: 'POST',
    pattern: 'StorageCenter/ScLiveVolume',
    kind: 'change',
    resource: 'ScLiveVolume',
    action: 'Create',
    objectKey: (c) => `${keyPart(c, 'PrimaryVolume')}->${keyPart(c, 'SecondaryStorageCenter')}`,
    handle(context) {
      const { state, wire } = context.model;
      const ssn = storageCenterField(state, context.body);
      if (!ssn.ok) return fromRefusal(ssn);
      const secondary = storageCenterField(state, context.body, 'SecondaryStorageCenter');
      if (!secondary.ok) return fromRefusal(secondary);
      const primary = requiredReference(context.body, 'PrimaryVolume');
      if (!primary.ok) return fromRefusal(primary);
      const primaryQos = requiredReference(context.body, 'PrimaryQosNode');
      if (!primaryQos.ok) return fromRefusal(primaryQos);
      const secondaryQos = requiredReference(context.body, 'SecondaryQosNode');
      if (!secondaryQos.ok) return fromRefusal(secondaryQos);
      const attributes = field(context.body, 'SecondaryVolumeAttributes');
      return answer(
        createLiveVolume(state, {
          ssn: ssn.value,
          primaryVolumeId: primary.value,
          secondarySsn: secondary.value,
          primaryQosNodeId: primaryQos.value,
          secondaryQosNodeId: secondaryQos.value,
          type: stringField(context.body, 'Type'),
          syncMode: stringField(context.body, 'SyncMode'),
          replicateActiveReplay: booleanField(context.body, 'ReplicateActiveReplay'),
          failoverAutomaticallyEnabled: booleanField(context.body, 'FailoverAutomaticallyEnabled'),
          restoreAutomaticallyEnabled: booleanField(context.body, 'RestoreAutomaticallyEnabled'),
          swapRolesAutomaticallyEnabled: booleanField(context.body, 'SwapRolesAutomaticallyEnabled'),
          secondaryName: stringField(attributes, 'Name'),
          secondaryNotes: stringField(attributes, 'Notes'),
          createSourceVolumeFolderPath: booleanField(attributes, 'CreateSourceVolumeFolderPath'),
        }),
        (liveVolume) => json(201, wire.liveVolume(liveVolume)),
      );
    },
  },
  {
    method: 'PUT',
    pattern: 'StorageCenter/ScLiveVolume/{id}',
    kind: 'change',
    resource: 'ScLiveVolume',
    action: 'Modify',
    handle: (context) =>
      answer(withLiveVolume(context), (liveVolume) =>
        answer(
          modifyLiveVolume(context.model.state, liveVolume, {
            swapRolesAutomaticallyEnabled: booleanField(context.body, 'SwapRolesAutomaticallyEnabled'),
            failoverAutomaticallyEnabled: booleanField(context.body, 'FailoverAutomaticallyEnabled'),
            restoreAutomaticallyEnabled: booleanField(context.body, 'RestoreAutomaticallyEnabled'),
            replicateActiveReplay: booleanField(context.body, 'ReplicateActiveReplay'),
          }),
          (lv) => json(200, context.model.wire.liveVolume(lv)),
        ),
      ),
  },
  {
    method: 'DELETE',
    pattern: 'StorageCenter/ScLiveVolume/{id}',
    kind: 'change',
    resource: 'ScLiveVolume',
    action: 'Delete',
    handle: (context) =>
      answer(withLiveVolume(context), (liveVolume) =>
        answer(
          deleteLiveVolume(context.model.state, liveVolume, {
            convertToReplication: booleanField(context.body, 'ConvertToReplication'),
            deleteSecondaryVolume: booleanField(context.body, 'DeleteSecondaryVolume'),
            recycleSecondaryVolume: booleanField(context.body, 'RecycleSecondaryVolume'),
            deleteRestorePoint: booleanField(context.body, 'DeleteRestorePoint'),
          }),
          () => deleteResult(context),
        ),
      ),
  },
  {
    method: 'POST',
    pattern: 'StorageCenter/ScLiveVolume/{id}/SwapRoles',
    kind: 'change',
    resource: 'ScLiveVolume',
    action: 'SwapRoles',
    handle: (context) =>
      answer(withLiveVolume(context), (liveVolume) =>
        answer(swapLiveVolumeRoles(context.model.state, liveVolume), (lv) =>
          json(200, context.model.wire.liveVolume(lv)),
        ),
      ),
  },
  {
    method: 'POST',
    pattern: 'StorageCenter/ScLiveVolume/{id}/MapSecondaryVolume',
    kind: 'change',
    resource: 'ScLiveVolume',
    action: 'MapSecondaryVolume',
    objectKey: (c) => `${c.params['id']}->${keyPart(c, 'Server')}`,
    handle(context) {
      const state = context.model.state;
      const serverId = requiredReference(context.body, 'Server');
      if (!serverId.ok) return fromRefusal(serverId);
      const advanced = field(context.body, 'Advanced');
      return answer(withLiveVolume(context), (liveVolume) =>
        answer(requireVolume(state, liveVolume.secondaryVolumeId), (secondary) =>
          answer(requireServer(state, serverId.value), (server) =>
            answer(
              mapLiveVolumeSecondary(state, secondary, server, {
                readOnly: booleanField(advanced, 'ReadOnly'),
                preferredLun: numberField(advanced, 'PreferredLun'),
              }),
              (profile) => json(200, context.model.wire.mappingProfile(profile)),
            ),
          ),
        ),
      );
    },
  },
];
