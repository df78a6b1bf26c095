import { apiConnectionRoutes } from './api-connection.js';
import { consistencyGroupRoutes } from './consistency-groups.js';
import { dataCollectorSettingsRoutes } from './data-collector-settings.js';
import { liveVolumeRoutes } from './live-volumes.js';
import { objectReadRoutes } from './object-reads.js';
import { replayRoutes } from './replays.js';
import { replicationRoutes } from './replication.js';
import { restorePointRoutes } from './restore-points.js';
import type { Route } from './route.js';
import { serverRoutes } from './servers.js';
import { storageCenterRoutes } from './storage-centers.js';
import { volumeRoutes } from './volumes.js';

/** Every endpoint the simulator serves (paths relative to `/api/rest/`). */
export const ALL_ROUTES: readonly Route[] = [
  ...apiConnectionRoutes,
  ...objectReadRoutes,
  ...storageCenterRoutes,
  ...volumeRoutes,
  ...replayRoutes,
  ...serverRoutes,
  ...replicationRoutes,
  ...liveVolumeRoutes,
  ...consistencyGroupRoutes,
  ...restorePointRoutes,
  ...dataCollectorSettingsRoutes,
];
