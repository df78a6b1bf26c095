import { describe, expect, it } from '@jest/globals';
import { validateEnvironment, type Environment } from '@drctl/domain';
import { createHarness, smallEnvironment, stepStatuses } from './harness.js';

/** The generated environment plus two VMs protected by vSphere Replication in the same plan. */
function mixedEnvironment(): Environment {
  const env = smallEnvironment();
  const plan = env.plans[0]!;
  const site = plan.protectedSite;
  const cluster = env.sites.find((s) => s.name === site)!.clusters[0]!;
  return validateEnvironment({
    ...env,
    volumes: [
      ...env.volumes,
      { id: 'local-vol', sourceArray: env.volumes[0]!.sourceArray, targetArray: env.volumes[0]!.targetArray },
    ],
    datastores: [...env.datastores, { name: 'local-ds', site, devices: ['local-vol'] }],
    vms: [
      ...env.vms,
      { name: 'vr-01', site, cluster: cluster.name, host: cluster.hosts[0]!.name, datastores: ['local-ds'] },
      { name: 'vr-02', site, cluster: cluster.name, host: cluster.hosts[0]!.name, datastores: ['local-ds'] },
    ],
    protectionGroups: [
      ...env.protectionGroups,
      { name: 'pg-vr', type: 'vsphere-replication', vms: ['vr-01', 'vr-02'] },
    ],
    plans: [
      {
        ...plan,
        protectionGroups: [...plan.protectionGroups, 'pg-vr'],
        vms: [...plan.vms, { vm: 'vr-01', priority: 1 }],
      },
    ],
  });
}

describe('a plan mixing array-based and vSphere Replication protection groups', () => {
  it('runs every workflow, sending the replicated VMs to vSphere Replication', async () => {
    const env = mixedEnvironment();
    const plan = env.plans[0]!.name;
    const h = createHarness(env);
    for (const workflow of ['test', 'cleanup', 'planned-migration', 'reprotect', 'failback'] as const) {
      const report = await h.run({ plan, workflow });
      expect([workflow, report.result]).toEqual([workflow, expect.stringMatching(/^(success|warnings)$/)]);
      expect(stepStatuses(report).some(([, status]) => status === 'error')).toBe(false);
      if (workflow === 'test' || workflow === 'planned-migration') {
        const vr = report.vms.filter((v) => v.name.startsWith('vr-'));
        expect(vr.map((v) => v.status)).toEqual(['recovered', 'recovered']);
        const arrays = new Set(report.storageCommands.flatMap((c) => (c.devices.includes('vr-01') ? [c.arrayId] : [])));
        expect([...arrays].every((a) => a.startsWith('vr-'))).toBe(true);
      }
    }
    expect((await h.engine.planStatus(plan)).state).toBe('ready');
  });
});
