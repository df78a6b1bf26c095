import {
  SRM_SELECTABLE_SNAPSHOT_MODES,
  type DataCollectorSettings,
  type SrmSelectableSnapshotMode,
} from '../model/state.js';
import { stringField } from '../protocol/body.js';
import { json, errorReply, type Reply } from './reply.js';
import type { Route } from './route.js';

/**
 * SRM selectable snapshot (guide §5.8): one setting of the whole Data Collector, "globally
 * applied" to every replication it manages. ASSUMED endpoint: no public client reads or writes
 * it, so the path, the object type and the mode names (DSM's labels of the four choices) are the
 * simulator's; the SC Series adapter reads it here and treats a 404 as "not served".
 */
const settingsObject = (settings: DataCollectorSettings) => ({
  instanceId: '0',
  instanceName: 'SRM Selectable Snapshot',
  objectType: 'DataCollectorSrmSelectableSnapshotSettings',
  mode: settings.srmSelectableSnapshot,
});

const known = new Map(SRM_SELECTABLE_SNAPSHOT_MODES.map((m) => [m.toLowerCase(), m] as const));

export const dataCollectorSettingsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: 'DataCollector/SrmSelectableSnapshotSettings',
    kind: 'read',
    resource: 'DataCollectorSrmSelectableSnapshotSettings',
    action: 'Get',
    handle: (context) => json(200, settingsObject(context.model.state.dataCollectorSettings)),
  },
  {
    method: 'PUT',
    pattern: 'DataCollector/SrmSelectableSnapshotSettings',
    kind: 'change',
    resource: 'DataCollectorSrmSelectableSnapshotSettings',
    action: 'Modify',
    objectKey: () => '0',
    handle(context): Reply {
      const wanted = stringField(context.body, 'Mode');
      const mode: SrmSelectableSnapshotMode | undefined =
        wanted === undefined ? undefined : known.get(wanted.toLowerCase());
      if (mode === undefined)
        return errorReply(400, `Invalid body format: Mode must be one of ${SRM_SELECTABLE_SNAPSHOT_MODES.join(', ')}.`);
      context.model.state.dataCollectorSettings.srmSelectableSnapshot = mode;
      return json(200, settingsObject(context.model.state.dataCollectorSettings));
    },
  },
];
