import {
  requireRestorePoint,
  saveRestorePoints,
  setRestorePointUseActiveReplay,
  validateRestorePoints,
} from '../model/restore-point-operations.js';
import { booleanField, referenceField } from '../protocol/body.js';
import { badRequest } from '../protocol/outcome.js';
import { answer, fromRefusal, json } from './reply.js';
import type { Route } from './route.js';

/**
 * Restore points: ASSUMED endpoints. The reference finds no public client that calls a restore
 * point endpoint; these follow DSM's naming so an adapter has something to drive the source's
 * "Save Restore Points" (before and after a recovery) and "Use Restore Point Settings" with.
 */
export const restorePointRoutes: Route[] = [
  {
    method: 'POST',
    pattern: 'StorageCenter/ScReplicationRestorePoint/SaveRestorePoints',
    kind: 'change',
    resource: 'ScReplicationRestorePoint',
    action: 'SaveRestorePoints',
    objectKey: (c) => referenceField(c.body, 'StorageCenter') ?? 'all',
    handle(context) {
      const ssnText = referenceField(context.body, 'StorageCenter');
      const ssn = ssnText === undefined ? undefined : Number(ssnText);
      return answer(saveRestorePoints(context.model.state, ssn), (points) =>
        json(
          200,
          points.map((p) => context.model.wire.restorePoint(p)),
        ),
      );
    },
  },
  {
    method: 'POST',
    pattern: 'StorageCenter/ScReplicationRestorePoint/ValidateRestorePoints',
    kind: 'change',
    resource: 'ScReplicationRestorePoint',
    action: 'ValidateRestorePoints',
    objectKey: () => 'all',
    handle: (context) =>
      json(
        200,
        validateRestorePoints(context.model.state).map((p) => context.model.wire.restorePoint(p)),
      ),
  },
  {
    method: 'PUT',
    pattern: 'StorageCenter/ScReplicationRestorePoint/{id}',
    kind: 'change',
    resource: 'ScReplicationRestorePoint',
    action: 'Modify',
    handle(context) {
      const useActive = booleanField(context.body, 'UseActiveReplay');
      if (useActive === undefined)
        return fromRefusal(badRequest('Invalid body format: UseActiveReplay (true or false) is required.'));
      return answer(requireRestorePoint(context.model.state, context.params['id']!), (point) =>
        json(200, context.model.wire.restorePoint(setRestorePointUseActiveReplay(point, useActive))),
      );
    },
  },
];
