import type { DeviceError, DiscoveredDevice } from '@drctl/domain';

/**
 * Live Volumes SRM cannot protect (source §3.3 and §5.4): automatic failover, automatic role swap,
 * uniform storage mapping, and synchronous replication in high-consistency mode. Undefined means
 * the device may be protected.
 */
export function checkProtectable(
  device: Pick<DiscoveredDevice, 'id' | 'liveVolume' | 'replicationType'>,
): DeviceError | undefined {
  const lv = device.liveVolume;
  if (!lv) return undefined;
  if (lv.autoFailover) {
    return {
      code: 'SC_LV_AUTO_FAILOVER',
      description: `Live Volume ${device.id} has automatic failover enabled; Live Volumes configured for automatic failover cannot be protected by SRM.`,
      fixHint: 'Disable automatic failover on the Live Volume in Dell Storage Manager, then rediscover devices.',
    };
  }
  if (lv.autoRoleSwap) {
    return {
      code: 'SC_LV_AUTO_ROLE_SWAP',
      description: `Live Volume ${device.id} has automatic role swap enabled; Live Volume automatic role swap must be disabled for SRM.`,
      fixHint:
        'Disable "automatically swap roles" on the Live Volume in Dell Storage Manager, then rediscover devices.',
    };
  }
  if (device.replicationType === 'sync-high-consistency') {
    return {
      code: 'SC_LV_SYNC_HIGH_CONSISTENCY',
      description: `Live Volume ${device.id} replicates synchronously in high-consistency mode, which SRM does not support; stretched storage needs asynchronous or synchronous high-availability replication.`,
      fixHint: 'Change the Live Volume to asynchronous or synchronous high-availability replication.',
    };
  }
  if (lv.uniformMapping) {
    return {
      code: 'SC_LV_UNIFORM_MAPPING',
      description: `Live Volume ${device.id} uses uniform storage mapping; SRM supports Live Volumes only with non-uniform mapping.`,
      fixHint: 'Map each Live Volume side only to the hosts at its own site.',
    };
  }
  return undefined;
}
