import { createFolder } from '../model/folder-operations.js';
import { deleteMappingProfile, requireMappingProfile } from '../model/mapping-operations.js';
import { addHba, createServer, deleteServer, operatingSystemById, requireServer } from '../model/server-operations.js';
import { booleanField, referenceField, stringField } from '../protocol/body.js';
import { deleteResult, keyPart, requiredString, storageCenterField } from './helpers.js';
import { answer, fromRefusal, json } from './reply.js';
import type { Route, RouteContext } from './route.js';

function folderCreate(kind: 'volume' | 'server', resource: string): Route {
  return {
    method: 'POST',
    pattern: `StorageCenter/${resource}`,
    kind: 'change',
    resource,
    action: 'Create',
    objectKey: (c) => `${keyPart(c, 'StorageCenter')}/${keyPart(c, 'Parent')}/${keyPart(c, 'Name')}`,
    handle(context) {
      const ssn = storageCenterField(context.model.state, context.body);
      if (!ssn.ok) return fromRefusal(ssn);
      const name = requiredString(context.body, 'Name');
      if (!name.ok) return fromRefusal(name);
      return answer(
        createFolder(context.model.state, {
          kind,
          ssn: ssn.value,
          name: name.value,
          parentId: referenceField(context.body, 'Parent'),
          notes: stringField(context.body, 'Notes'),
        }),
        (folder) => json(201, context.model.wire.folder(folder)),
      );
    },
  };
}

const withServer = (context: RouteContext) => requireServer(context.model.state, context.params['id']!);

export const serverRoutes: Route[] = [
  folderCreate('volume', 'ScVolumeFolder'),
  folderCreate('server', 'ScServerFolder'),
  {
    method: 'POST',
    pattern: 'StorageCenter/ScPhysicalServer',
    kind: 'change',
    resource: 'ScPhysicalServer',
    action: 'Create',
    objectKey: (c) => `${keyPart(c, 'StorageCenter')}/${keyPart(c, 'Name')}`,
    handle(context) {
      const { state, wire } = context.model;
      const ssn = storageCenterField(state, context.body);
      if (!ssn.ok) return fromRefusal(ssn);
      const name = requiredString(context.body, 'Name');
      if (!name.ok) return fromRefusal(name);
      const osId = referenceField(context.body, 'OperatingSystem');
      const os = osId ? operatingSystemById(osId) : undefined;
      return answer(
        createServer(state, {
          ssn: ssn.value,
          name: name.value,
          kind: 'physical',
          notes: stringField(context.body, 'Notes'),
          folderId: referenceField(context.body, 'ServerFolder'),
          operatingSystem: os,
          alertOnConnectivity: booleanField(context.body, 'AlertOnConnectivity'),
        }),
        (server) => json(201, wire.server(server)),
      );
    },
  },
  {
    method: 'POST',
    pattern: 'StorageCenter/ScPhysicalServer/{id}/AddHba',
    kind: 'change',
    resource: 'ScPhysicalServer',
    action: 'AddHba',
    objectKey: (c) => `${c.params['id']}+${(stringField(c.body, 'WwnOrIscsiName') ?? '').toUpperCase()}`,
    handle: (context) =>
      answer(withServer(context), (server) =>
        answer(
          addHba(
            context.model.state,
            server,
            stringField(context.body, 'HbaPortType'),
            stringField(context.body, 'WwnOrIscsiName'),
          ),
          (hba) => json(200, context.model.wire.hba(hba)),
        ),
      ),
  },
  {
    method: 'DELETE',
    pattern: 'StorageCenter/ScServer/{id}',
    kind: 'change',
    resource: 'ScServer',
    action: 'Delete',
    handle: (context) =>
      answer(withServer(context), (server) =>
        answer(deleteServer(context.model.state, server), (deleted) => json(200, deleted)),
      ),
  },
  {
    method: 'GET',
    pattern: 'StorageCenter/ScServer/{id}/HbaList',
    kind: 'read',
    resource: 'ScServer',
    action: 'HbaList',
    handle: (context) =>
      answer(withServer(context), (server) =>
        json(
          200,
          context.model.wire.hbasOf(server).map((h) => context.model.wire.hba(h)),
        ),
      ),
  },
  {
    method: 'GET',
    pattern: 'StorageCenter/ScServer/{id}/MappingProfileList',
    kind: 'read',
    resource: 'ScServer',
    action: 'MappingProfileList',
    handle: (context) =>
      answer(withServer(context), (server) =>
        json(
          200,
          context.model.state.mappingsOfServer(server.id).map((m) => context.model.wire.mappingProfile(m)),
        ),
      ),
  },
  {
    method: 'GET',
    pattern: 'StorageCenter/ScServer/{id}/MappingList',
    kind: 'read',
    resource: 'ScServer',
    action: 'MappingList',
    handle: (context) =>
      answer(withServer(context), (server) =>
        json(
          200,
          context.model.state.mappingsOfServer(server.id).flatMap((m) => context.model.wire.mappings(m)),
        ),
      ),
  },
  {
    method: 'DELETE',
    pattern: 'StorageCenter/ScMappingProfile/{id}',
    kind: 'change',
    resource: 'ScMappingProfile',
    action: 'Delete',
    handle: (context) =>
      answer(requireMappingProfile(context.model.state, context.params['id']!), (profile) =>
        answer(deleteMappingProfile(context.model.state, profile), () => deleteResult(context)),
      ),
  },
];
