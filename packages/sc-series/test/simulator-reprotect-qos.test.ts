import { afterEach, describe, expect, it } from '@jest/globals';
import { PROTECTED, RECOVERY, RECOVERY_HOSTS, command, startLab, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** SC 12 replicates with QoS node WAN, limited to 100 Mbps; SC 13 has only LAN (1 Gbps). */
async function withoutWanOnRecovery(): Promise<Lab> {
  const started = await startLab({
    edit: (env) => {
      env.arrays.find((a) => a.id === RECOVERY)!.qosProfile = 'LAN';
    },
  });
  for (const node of started.sim.model.state.qosNodes.values()) {
    node.linkSpeed = node.name === 'WAN' ? '100 Mbps' : '1 Gbps';
    node.bandwidthLimited = node.name === 'WAN';
  }
  return started;
}

async function failOverAndReverse(l: Lab) {
  await l.run(l.adapter.prepareFailover(command(PROTECTED, ['ds-app'])));
  await l.run(l.adapter.failover(command(RECOVERY, ['ds-app'], { hosts: RECOVERY_HOSTS })));
  await l.run(l.adapter.prepareReverseReplication(command(PROTECTED, ['ds-app'], { workflow: 'reprotect' })));
  return l.run(l.adapter.reverseReplication(command(RECOVERY, ['ds-app'], { workflow: 'reprotect' })));
}

function reversedQos(l: Lab) {
  const state = l.sim.model.state;
  const reversed = [...state.replications.values()].find((r) => r.ssn === 65495);
  return state.qosNodes.get(reversed!.qosNodeId)!;
}

describe('reprotect keeps the replication QoS definition (issue 10 §7, §5.3)', () => {
  it('creates the missing QoS node on the new source with the original limits, and says so', async () => {
    lab = await withoutWanOnRecovery();
    const result = await failOverAndReverse(lab);
    const device = result.devices[0]!;
    expect(device.status).toBe('success');
    expect(device.warnings.join(' ')).toMatch(/had no replication QoS node WAN: it was created .*100 Mbps/);
    expect(reversedQos(lab)).toMatchObject({ ssn: 65495, name: 'WAN', linkSpeed: '100 Mbps', bandwidthLimited: true });
  });

  it('uses a node of the same name whose limits differ, and says so', async () => {
    lab = await withoutWanOnRecovery();
    lab.sim.model.state.qosNodes.set('65495.99', {
      id: '65495.99',
      ssn: 65495,
      name: 'WAN',
      linkSpeed: '1 Gbps',
      bandwidthLimited: false,
    });
    const result = await failOverAndReverse(lab);
    expect(result.devices[0]!.warnings.join(' ')).toMatch(
      /QoS node WAN on Storage Center 65495 limits to 1 Gbps, not 100 Mbps/,
    );
    expect(reversedQos(lab).name).toBe('WAN');
  });
});
