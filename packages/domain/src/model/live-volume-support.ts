import type { ReplicationType } from './environment.js';

/** The Live Volume configurations SRM cannot protect (guide §3.3, §5.4). */
export const LIVE_VOLUME_RESTRICTIONS = [
  'auto-failover',
  'auto-role-swap',
  'sync-high-consistency',
  'uniform-mapping',
  'managed-replication',
  'consistency-group',
] as const;
export type LiveVolumeRestriction = (typeof LIVE_VOLUME_RESTRICTIONS)[number];

export interface LiveVolumeProblem {
  restriction: LiveVolumeRestriction;
  description: string;
  fixHint: string;
}

/** What an array reports (or a file declares) about a device, as far as §5.4 cares. */
export interface LiveVolumeFacts {
  id: string;
  replicationType: ReplicationType;
  liveVolume?:
    { autoFailover: boolean; autoRoleSwap: boolean; uniformMapping: boolean; managedReplication?: boolean } | undefined;
  consistencyGroup?: string | undefined;
}

/**
 * Why SRM cannot protect this Live Volume, or undefined when it can (or the device is no Live
 * Volume). §5.4: "The following are not supported in conjunction with SRM: synchronous replication
 * in high consistency mode, uniform storage mapping, managed replication, consistency groups, Live
 * Volume automatic role swap, and Live Volume auto failover." Every storage implementation — the
 * SC Series adapter and both simulators — refuses the same devices with the same reason.
 */
export function liveVolumeProblem(device: LiveVolumeFacts): LiveVolumeProblem | undefined {
  const lv = device.liveVolume;
  if (!lv) return undefined;
  if (lv.autoFailover)
    return {
      restriction: 'auto-failover',
      description: `Live Volume ${device.id} has automatic failover enabled; Live Volumes configured for automatic failover cannot be protected by SRM.`,
      fixHint: 'Disable automatic failover on the Live Volume in Dell Storage Manager, then rediscover devices.',
    };
  if (lv.autoRoleSwap)
    return {
      restriction: 'auto-role-swap',
      description: `Live Volume ${device.id} has automatic role swap enabled; Live Volume automatic role swap must be disabled for SRM.`,
      fixHint:
        'Disable "automatically swap roles" on the Live Volume in Dell Storage Manager, then rediscover devices.',
    };
  if (device.replicationType === 'sync-high-consistency')
    return {
      restriction: 'sync-high-consistency',
      description: `Live Volume ${device.id} replicates synchronously in high-consistency mode, which SRM does not support; stretched storage needs asynchronous or synchronous high-availability replication.`,
      fixHint: 'Change the Live Volume to asynchronous or synchronous high-availability replication.',
    };
  if (lv.uniformMapping)
    return {
      restriction: 'uniform-mapping',
      description: `Live Volume ${device.id} uses uniform storage mapping; SRM supports Live Volumes only with non-uniform mapping.`,
      fixHint: 'Map each Live Volume side only to the hosts at its own site.',
    };
  if (lv.managedReplication)
    return {
      restriction: 'managed-replication',
      description: `Live Volume ${device.id} manages a replication to a third Storage Center; SRM does not support Live Volume managed replications, which DSM's Activate Disaster Recovery recovers (§3.3, §5.4).`,
      fixHint:
        'Recover this Live Volume and its managed replication with Activate Disaster Recovery in Dell Storage Manager, or remove the managed replication to protect the Live Volume with drctl.',
    };
  if (device.consistencyGroup !== undefined)
    return {
      restriction: 'consistency-group',
      description: `Live Volume ${device.id} is in consistency group ${device.consistencyGroup}; SRM does not support consistency groups with Live Volume (§5.4).`,
      fixHint:
        'Take the Live Volume out of the consistency group (its Consistent snapshot profile) in Dell Storage Manager.',
    };
  return undefined;
}
