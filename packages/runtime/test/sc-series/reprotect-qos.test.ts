import { afterEach, describe, expect, it } from '@jest/globals';
import { Lab, PLAN_1, SC_13, deviceLines, run, withoutCommandCallouts } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

/**
 * Issue 10 §7 through the engine: SC 12 replicates with its QoS node Replication-1Gbps; SC 13
 * has another definition only (100 Mbps). Reprotect must keep the replication's QoS (§5.3):
 * the node is created on SC 13 with the original's limits and the report says so.
 */
describe('reprotect never changes the replication QoS silently (engine, SC Series adapter, DSM simulator)', () => {
  it('creates the missing QoS node on the new source with the original limits and reports it', async () => {
    const environmentPath = lab.techsolVariant((env) => {
      withoutCommandCallouts(env);
      env.arrays.find((a) => a.id === 'SC 13')!.qosProfile = 'Replication-100Mbps';
    });
    const ws = await lab.workspace({ environmentPath, stateDir: lab.tempDir() });
    const state = ws.dsm!.model.state;
    for (const node of state.qosNodes.values())
      node.linkSpeed = node.name === 'Replication-1Gbps' ? '1 Gbps' : '100 Mbps';
    expect((await run(ws, { plan: PLAN_1, workflow: 'planned-migration' })).result).toBe('success');
    const reprotect = await run(ws, { plan: PLAN_1, workflow: 'reprotect' });
    expect(reprotect.result).not.toBe('failed');
    const line = deviceLines(reprotect, 'reverse-replication')['srmds1']!;
    expect(line.status).toBe('warning');
    expect(line.description).toMatch(/had no replication QoS node Replication-1Gbps: it was created .*1 Gbps/);
    const reversed = [...state.replications.values()].find(
      (r) => r.ssn === SC_13 && state.volumes.get(r.sourceVolumeId)?.name === 'srmds1',
    )!;
    expect(state.qosNodes.get(reversed.qosNodeId)).toMatchObject({ name: 'Replication-1Gbps', linkSpeed: '1 Gbps' });
  });
});
