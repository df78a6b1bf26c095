import {
  createQosNode,
  createReplication,
  deleteReplication,
  modifyReplication,
  pauseReplication,
  requireReplication,
} from '../model/replication-operations.js';
import { booleanField, field, referenceField, stringField } from '../protocol/body.js';
import { deleteResult, keyPart, requiredReference, requiredString, storageCenterField } from './helpers.js';
import { answer, fromRefusal, json } from './reply.js';
import type { Route, RouteContext } from './route.js';

const withReplication = (context: RouteContext) => requireReplication(context.model.state, context.params['id']!);

const pauseRoute = (action: 'Pause' | 'Resume'): Route => ({
  method: 'POST',
  pattern: `StorageCenter/ScReplication/{id}/${action}`,
  kind: 'change',
  resource: 'ScReplication',
  action,
  handle: (context) =>
    answer(withReplication(context), (replication) =>
      answer(pauseReplication(context.model.state, replication, action === 'Pause'), (r) =>
        json(200, context.model.wire.replication(r)),
      ),
    ),
});

export const replicationRoutes: Route[] = [
  {
    method: 'POST',
    pattern: 'StorageCenter/ScReplicationQosNode',
    kind: 'change',
    resource: 'ScReplicationQosNode',
    action: 'Create',
    objectKey: (c) => `${keyPart(c, 'StorageCenter')}/${keyPart(c, 'Name')}`,
    handle(context) {
      const ssn = storageCenterField(context.model.state, context.body);
      if (!ssn.ok) return fromRefusal(ssn);
      const name = requiredString(context.body, 'Name');
      if (!name.ok) return fromRefusal(name);
      return answer(
        createQosNode(context.model.state, {
          ssn: ssn.value,
          name: name.value,
          linkSpeed: stringField(context.body, 'LinkSpeed'),
          bandwidthLimited: booleanField(context.body, 'BandwidthLimited'),
        }),
        (node) => json(201, context.model.wire.qosNode(node)),
      );
    },
  },
  {
    method: 'POST',
    pattern: 'StorageCenter/ScReplication',
    kind: 'change',
    resource: 'ScReplication',
    action: 'Create',
    objectKey: (c) => `${keyPart(c, 'SourceVolume')}->${keyPart(c, 'DestinationStorageCenter')}`,
    handle(context) {
      const { state, wire } = context.model;
      const ssn = storageCenterField(state, context.body);
      if (!ssn.ok) return fromRefusal(ssn);
      const destination = storageCenterField(state, context.body, 'DestinationStorageCenter');
      if (!destination.ok) return fromRefusal(destination);
      const source = requiredReference(context.body, 'SourceVolume');
      if (!source.ok) return fromRefusal(source);
      const qos = requiredReference(context.body, 'QosNode');
      if (!qos.ok) return fromRefusal(qos);
      const attributes = field(context.body, 'DestinationVolumeAttributes');
      return answer(
        createReplication(state, {
          ssn: ssn.value,
          sourceVolumeId: source.value,
          destinationSsn: destination.value,
          qosNodeId: qos.value,
          type: stringField(context.body, 'Type'),
          syncMode: stringField(context.body, 'SyncMode'),
          replicateActiveReplay: booleanField(context.body, 'ReplicateActiveReplay'),
          dedup: booleanField(context.body, 'Dedup'),
          destinationVolumeId: referenceField(context.body, 'DestinationVolume'),
          destinationAttributes: {
            name: stringField(attributes, 'Name'),
            notes: stringField(attributes, 'Notes'),
            createSourceVolumeFolderPath: booleanField(attributes, 'CreateSourceVolumeFolderPath'),
          },
        }),
        (replication) => json(201, wire.replication(replication)),
      );
    },
  },
  {
    method: 'PUT',
    pattern: 'StorageCenter/ScReplication/{id}',
    kind: 'change',
    resource: 'ScReplication',
    action: 'Modify',
    handle: (context) =>
      answer(withReplication(context), (replication) =>
        answer(
          modifyReplication(context.model.state, replication, {
            replicateActiveReplay: booleanField(context.body, 'ReplicateActiveReplay'),
            qosNodeId: referenceField(context.body, 'QosNode'),
          }),
          (r) => json(200, context.model.wire.replication(r)),
        ),
      ),
  },
  {
    method: 'DELETE',
    pattern: 'StorageCenter/ScReplication/{id}',
    kind: 'change',
    resource: 'ScReplication',
    action: 'Delete',
    handle: (context) =>
      answer(withReplication(context), (replication) =>
        answer(
          deleteReplication(context.model.state, replication, {
            deleteDestinationVolume: booleanField(context.body, 'DeleteDestinationVolume'),
            recycleDestinationVolume: booleanField(context.body, 'RecycleDestinationVolume'),
            deleteRestorePoint: booleanField(context.body, 'DeleteRestorePoint'),
          }),
          () => deleteResult(context),
        ),
      ),
  },
  pauseRoute('Pause'),
  pauseRoute('Resume'),
  {
    method: 'GET',
    pattern: 'StorageCenter/ScReplication/{id}/CurrentProgress',
    kind: 'read',
    resource: 'ScReplication',
    action: 'CurrentProgress',
    handle: (context) =>
      answer(withReplication(context), (replication) => json(200, context.model.wire.replicationProgress(replication))),
  },
];
