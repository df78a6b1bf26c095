import { liveVolumeProblem, type DeviceError, type LiveVolumeFacts, type LiveVolumeRestriction } from '@drctl/domain';

const CODES: Readonly<Record<LiveVolumeRestriction, string>> = {
  'auto-failover': 'SC_LV_AUTO_FAILOVER',
  'auto-role-swap': 'SC_LV_AUTO_ROLE_SWAP',
  'sync-high-consistency': 'SC_LV_SYNC_HIGH_CONSISTENCY',
  'uniform-mapping': 'SC_LV_UNIFORM_MAPPING',
  'managed-replication': 'SC_LV_MANAGED_REPLICATION',
  'consistency-group': 'SC_LV_CONSISTENCY_GROUP',
};

/**
 * Live Volumes SRM cannot protect (source §3.3 and §5.4): automatic failover, automatic role swap,
 * uniform storage mapping, synchronous replication in high-consistency mode, a managed replication
 * and membership of a consistency group. Undefined means the device may be protected.
 */
export function checkProtectable(device: LiveVolumeFacts): DeviceError | undefined {
  const problem = liveVolumeProblem(device);
  return problem && { code: CODES[problem.restriction], description: problem.description, fixHint: problem.fixHint };
}
