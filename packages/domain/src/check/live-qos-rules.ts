import type { EnvironmentFacts } from './facts.js';
import { finding, type Finding } from './finding.js';

/** The replication QoS nodes one array's Data Collector reported. */
export interface ObservedQosNodes {
  arrayManager: string;
  arrayId: string;
  nodes: Array<{ name: string; linkSpeed?: string | undefined; bandwidthLimited?: boolean | undefined }>;
}

/**
 * The QoS rules on what the Data Collector reports (§5.3: keep the QoS definitions identical on
 * both arrays): every QoS definition the file names exists on its array, and a definition of the
 * same name has the same link speed and bandwidth limit on both arrays of a pair.
 */
export function liveQosRules(facts: EnvironmentFacts, observed: readonly ObservedQosNodes[]): Finding[] {
  const { env } = facts;
  const out: Finding[] = [];
  const byArray = new Map(observed.map((o) => [o.arrayId, o.nodes] as const));
  const missing = (arrayId: string, name: string | undefined, path: string) => {
    const nodes = byArray.get(arrayId);
    if (name === undefined || !nodes || nodes.some((n) => n.name === name)) return;
    out.push(
      finding(
        'LIVE_QOS_NODE_MISSING',
        path,
        `Array ${arrayId} has no replication QoS node ${name} (it has ${nodes.map((n) => n.name).join(', ') || 'none'}); reprotect and failback that replicate with it fail or fall back to another node.`,
        'live',
      ),
    );
  };
  env.arrays.forEach((a, i) => missing(a.id, a.qosProfile, `arrays[${i}].qosProfile`));
  env.volumes.forEach((v, i) => {
    if (!facts.protectedDevices.has(v.id)) return;
    missing(v.sourceArray, v.qosProfile, `volumes[${i}].qosProfile`);
    missing(v.targetArray, v.targetQosProfile, `volumes[${i}].targetQosProfile`);
  });
  env.arrayPairs.forEach((pair, p) => {
    const [a, b] = pair.arrays;
    const left = byArray.get(a);
    const right = byArray.get(b);
    if (!left || !right) return;
    for (const node of left) {
      const peer = right.find((n) => n.name === node.name);
      if (!peer) continue;
      const differences: string[] = [];
      if ((node.linkSpeed ?? '') !== (peer.linkSpeed ?? ''))
        differences.push(`link speed ${node.linkSpeed ?? 'unset'} on ${a}, ${peer.linkSpeed ?? 'unset'} on ${b}`);
      if (Boolean(node.bandwidthLimited) !== Boolean(peer.bandwidthLimited))
        differences.push(
          `bandwidth ${node.bandwidthLimited ? 'limited' : 'unlimited'} on ${a}, ${peer.bandwidthLimited ? 'limited' : 'unlimited'} on ${b}`,
        );
      if (differences.length > 0)
        out.push(
          finding(
            'LIVE_QOS_NODE_DIFFERS',
            `arrayPairs[${p}]`,
            `QoS node ${node.name} differs between the arrays of pair ${pair.name}: ${differences.join('; ')}; replication after a reprotect runs under other limits.`,
            'live',
          ),
        );
    }
  });
  return out;
}
