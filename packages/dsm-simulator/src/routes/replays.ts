import { createViewVolume, expireReplay, modifyReplay, requireFrozenReplay } from '../model/replay-operations.js';
import { referenceField, referenceListField, stringField } from '../protocol/body.js';
import { expireMinutesField, keyPart, requiredString } from './helpers.js';
import { answer, fromRefusal, json, noContent } from './reply.js';
import type { Route } from './route.js';

export const replayRoutes: Route[] = [
  {
    method: 'POST',
    pattern: 'StorageCenter/ScReplay/{id}/Expire',
    kind: 'change',
    resource: 'ScReplay',
    action: 'Expire',
    handle: (context) =>
      answer(requireFrozenReplay(context.model.state, context.params['id']!, 'Expire'), (replay) =>
        answer(expireReplay(context.model.state, replay), () => noContent()),
      ),
  },
  {
    method: 'PUT',
    pattern: 'StorageCenter/ScReplay/{id}',
    kind: 'change',
    resource: 'ScReplay',
    action: 'Modify',
    handle(context) {
      const expire = expireMinutesField(context.body);
      if (!expire.ok) return fromRefusal(expire);
      return answer(requireFrozenReplay(context.model.state, context.params['id']!, 'Modify'), (replay) =>
        answer(
          modifyReplay(context.model.state, replay, {
            description: stringField(context.body, 'description'),
            expireMinutes: expire.value,
          }),
          (r) => json(200, context.model.wire.replay(r)),
        ),
      );
    },
  },
  {
    method: 'POST',
    pattern: 'StorageCenter/ScReplay/{id}/CreateView',
    kind: 'change',
    resource: 'ScReplay',
    action: 'CreateView',
    objectKey: (c) => `${c.params['id']}:${keyPart(c, 'Name')}`,
    handle(context) {
      const name = requiredString(context.body, 'Name');
      if (!name.ok) return fromRefusal(name);
      return answer(requireFrozenReplay(context.model.state, context.params['id']!, 'CreateView'), (replay) =>
        answer(
          createViewVolume(context.model.state, replay, {
            name: name.value,
            notes: stringField(context.body, 'Notes'),
            folderId: referenceField(context.body, 'VolumeFolder'),
            replayProfileIds: referenceListField(context.body, 'ReplayProfileList'),
          }),
          (volume) => json(200, context.model.wire.volume(volume)),
        ),
      );
    },
  },
];
