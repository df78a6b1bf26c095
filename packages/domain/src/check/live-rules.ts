import type { DiscoveredDevice } from '../ports/storage.js';
import type { ObservedArray } from './check.js';
import type { EnvironmentFacts } from './facts.js';
import { finding, type Finding } from './finding.js';
import { replicationPointRules, volumeRules, type VolumeFacts } from './storage-rules.js';

const livePath = (device: DiscoveredDevice) => `live.arrays[${device.arrayId}].devices[${device.id}]`;

/**
 * The volume rules on what the arrays report, and where the report and the file disagree. A
 * device seen from both arrays counts once, from its source side (which carries its settings).
 */
export function liveStorageRules(facts: EnvironmentFacts, observed: readonly ObservedArray[]): Finding[] {
  const { env } = facts;
  const out: Finding[] = [];
  const seen = new Map<string, DiscoveredDevice>();
  for (const array of observed)
    for (const device of array.devices) {
      const known = seen.get(device.id);
      if (!known || (known.role !== 'source' && device.role === 'source')) seen.set(device.id, device);
    }
  const observedArrays = new Set(observed.map((a) => a.arrayId));

  env.volumes.forEach((v, i) => {
    if (!facts.protectedDevices.has(v.id)) return;
    if (!observedArrays.has(v.sourceArray) && !observedArrays.has(v.targetArray)) return;
    const device = seen.get(v.id);
    if (!device) {
      out.push(
        finding(
          'LIVE_DEVICE_MISSING',
          `volumes[${i}].id`,
          `Volume ${v.id} is protected, but neither ${v.sourceArray} nor ${v.targetArray} reports it as a replicated device.`,
          'live',
        ),
      );
      return;
    }
    const reported: VolumeFacts = {
      id: device.id,
      replication: device.replicationType,
      replicateActiveSnapshot: device.replicateActiveSnapshot,
      consistencyGroup: device.consistencyGroup,
      liveVolume: device.liveVolume,
      qosProfile: device.role === 'source' ? device.qosProfile : device.peerQosProfile,
      targetQosProfile: device.role === 'source' ? device.peerQosProfile : device.qosProfile,
      lastReplicatedAt: device.lastReplicatedAt,
    };
    out.push(...volumeRules(reported, livePath(device), 'live'));
    const differences: string[] = [];
    if (reported.replication !== v.replication)
      differences.push(`replication ${reported.replication}, not ${v.replication}`);
    if (Boolean(reported.liveVolume) !== Boolean(v.liveVolume))
      differences.push(reported.liveVolume ? 'a Live Volume' : 'not a Live Volume');
    if (reported.replicateActiveSnapshot !== v.replicateActiveSnapshot)
      differences.push(`replicateActiveSnapshot ${String(reported.replicateActiveSnapshot)}`);
    if (differences.length > 0)
      out.push(
        finding(
          'LIVE_REPLICATION_DIFFERS',
          `volumes[${i}]`,
          `Array ${device.arrayId} reports ${v.id} as ${differences.join(', ')}.`,
          'live',
        ),
      );
  });
  out.push(...replicationPointRules(facts, (id) => seen.get(id)?.lastReplicatedAt, 'live'));
  return out;
}
