import {
  createGroupReplay,
  createReplayProfile,
  deleteReplayProfile,
  membersOf,
  requireReplayProfile,
} from '../model/consistency-group-operations.js';
import { stringField } from '../protocol/body.js';
import { refuse } from '../protocol/outcome.js';
import { deleteResult, expireMinutesField, keyPart, requiredString, storageCenterField } from './helpers.js';
import { answer, fromRefusal, json } from './reply.js';
import type { Route, RouteContext } from './route.js';

const withProfile = (context: RouteContext) => requireReplayProfile(context.model.state, context.params['id']!);

export const consistencyGroupRoutes: Route[] = [
  {
    method: 'POST',
    pattern: 'StorageCenter/ScReplayProfile',
    kind: 'change',
    resource: 'ScReplayProfile',
    action: 'Create',
    objectKey: (c) => `${keyPart(c, 'StorageCenter')}/${keyPart(c, 'Name')}`,
    handle(context) {
      const ssn = storageCenterField(context.model.state, context.body);
      if (!ssn.ok) return fromRefusal(ssn);
      const name = requiredString(context.body, 'Name');
      if (!name.ok) return fromRefusal(name);
      return answer(
        createReplayProfile(context.model.state, {
          ssn: ssn.value,
          name: name.value,
          type: stringField(context.body, 'Type'),
          notes: stringField(context.body, 'Notes'),
        }),
        (profile) => json(201, context.model.wire.replayProfile(profile)),
      );
    },
  },
  {
    method: 'DELETE',
    pattern: 'StorageCenter/ScReplayProfile/{id}',
    kind: 'change',
    resource: 'ScReplayProfile',
    action: 'Delete',
    handle: (context) =>
      answer(withProfile(context), (profile) =>
        answer(deleteReplayProfile(context.model.state, profile), () => deleteResult(context)),
      ),
  },
  {
    method: 'GET',
    pattern: 'StorageCenter/ScReplayProfile/{id}/VolumeList',
    kind: 'read',
    resource: 'ScReplayProfile',
    action: 'VolumeList',
    handle: (context) =>
      answer(withProfile(context), (profile) =>
        json(
          200,
          membersOf(context.model.state, profile).map((v) => context.model.wire.volume(v)),
        ),
      ),
  },
  {
    method: 'POST',
    pattern: 'StorageCenter/ScReplayProfile/{id}/CreateReplay',
    kind: 'change',
    resource: 'ScReplayProfile',
    action: 'CreateReplay',
    objectKey: (c) => `${c.params['id']}:${stringField(c.body, 'description') ?? ''}`,
    handle(context) {
      const expire = expireMinutesField(context.body);
      if (!expire.ok) return fromRefusal(expire);
      const description = requiredString(context.body, 'description');
      if (!description.ok) return fromRefusal(description);
      return answer(withProfile(context), (profile) =>
        answer(
          createGroupReplay(context.model.state, profile, {
            description: description.value,
            expireMinutes: expire.value,
          }),
          (group) => json(200, context.model.wire.consistencyGroup(group)),
        ),
      );
    },
  },
  {
    method: 'GET',
    pattern: 'StorageCenter/ScReplayProfile/{id}/ConsistencyGroupList',
    kind: 'read',
    resource: 'ScReplayProfile',
    action: 'ConsistencyGroupList',
    handle: (context) =>
      answer(withProfile(context), (profile) =>
        json(
          200,
          [...context.model.state.consistencyGroups.values()]
            .filter((g) => g.profileId === profile.id)
            .map((g) => context.model.wire.consistencyGroup(g)),
        ),
      ),
  },
  {
    method: 'GET',
    pattern: 'StorageCenter/ScReplayConsistencyGroup/{id}/ReplayList',
    kind: 'read',
    resource: 'ScReplayConsistencyGroup',
    action: 'ReplayList',
    handle(context) {
      const group = context.model.state.consistencyGroups.get(context.params['id']!);
      if (!group) return fromRefusal(refuse(404, `Consistency group ${context.params['id']} was not found.`));
      context.model.advance();
      const replays = group.replayIds.map((id) => context.model.state.replays.get(id)).filter((r) => r !== undefined);
      return json(
        200,
        replays.map((r) => context.model.wire.replay(r)),
      );
    },
  },
];
