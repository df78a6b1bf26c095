import { describe, expect, it } from '@jest/globals';
import { validateEnvironment, type Environment } from '@drctl/domain';
import { createHarness, smallEnvironment, stepStatuses } from './harness.js';

const statusOf = (report: { steps: Array<{ id: string; status: string; target?: string }> }, id: string) =>
  stepStatuses(report as never).find(([s]) => s === id)?.[1];

/**
 * The generated environment, its one protection group split in two: `pg-lv` holds ds-01 on the
 * Live Volume vol-01, `pg-rest` the other datastores. No dependencies between VMs.
 */
function twoGroups(): Environment {
  const env = smallEnvironment({ dependencies: 0 });
  const [group] = env.protectionGroups;
  if (!group || group.type !== 'array') throw new Error('expected one array-based protection group');
  return validateEnvironment({
    ...env,
    protectionGroups: [
      { ...group, name: 'pg-lv', datastores: ['ds-01'] },
      { ...group, name: 'pg-rest', datastores: group.datastores.filter((d) => d !== 'ds-01') },
    ],
    plans: env.plans.map((p) => ({ ...p, protectionGroups: ['pg-lv', 'pg-rest'] })),
  });
}

const onDatastore = (env: Environment, ds: string) =>
  env.vms.filter((v) => v.datastores.includes(ds)).map((v) => v.name);

describe('one failed device or host does not stop a whole disaster recovery (SRM recovers protection groups separately)', () => {
  it("a Live Volume that fails to promote fails its group's VMs with the reason; every other group recovers", async () => {
    const env = twoGroups();
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'error', command: 'failover', device: 'vol-01' }] });
    const report = await h.run({ plan: plan.name, workflow: 'disaster-recovery' });

    expect(report.result).toBe('errors');
    expect(statusOf(report, 'promote-recovery-storage')).toBe('error');
    expect(statusOf(report, 'mount-datastores')).toBe('error');
    expect(statusOf(report, 'power-on-priority-5')).toBeDefined();
    const lost = new Set(onDatastore(env, 'ds-01'));
    expect(lost.size).toBeGreaterThan(0);
    for (const vm of report.vms) {
      if (lost.has(vm.name)) {
        expect([vm.name, vm.status]).toEqual([vm.name, 'error']);
        expect(vm.message).toMatch(/not registered: datastore ds-01 device vol-01 was not failed over \(.+\)/);
      } else {
        expect([vm.name, vm.status]).toEqual([vm.name, 'recovered']);
      }
    }
    expect(report.vms.filter((v) => v.status === 'recovered').length).toBe(env.vms.length - lost.size);
    expect(report.failedProtectionGroups).toEqual([{ name: 'pg-lv', vms: lost.size, failedVms: [...lost] }]);
    expect(report.notes.join(' ')).toMatch(/protection group pg-lv: \d+\/\d+ VM\(s\) did not recover/);
    expect((await h.engine.planStatus(plan.name)).state).toBe('recovery-complete');
  });

  it('planned migration keeps its stricter policy: the same failure stops it incomplete with no VM powered on', async () => {
    const env = twoGroups();
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'error', command: 'failover', device: 'vol-01' }] });
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(report.result).toBe('incomplete');
    expect(statusOf(report, 'promote-recovery-storage')).toBe('error');
    expect(statusOf(report, 'mount-datastores')).toBeUndefined();
    expect(report.vms.some((v) => v.status === 'recovered')).toBe(false);
  });

  it('a host that fails every rescan: its VMs go to another host of their cluster that rescanned', async () => {
    const env = twoGroups();
    const plan = env.plans[0]!;
    const blind = 'esx-b-01';
    const h = createHarness(env, { faults: [{ kind: 'rescan-fails', host: blind }] });
    const report = await h.run({ plan: plan.name, workflow: 'disaster-recovery' });

    expect(report.result).toBe('errors');
    expect(statusOf(report, 'rescan-hosts')).toBe('error');
    const planned = report.vms.filter((v) => v.message?.startsWith(`moved from host ${blind}`));
    expect(planned.length).toBeGreaterThan(0);
    for (const vm of planned) {
      expect(vm.host).toBe('esx-b-03');
      expect(vm.status).toBe('recovered');
    }
    expect(report.vms.every((v) => v.status === 'recovered')).toBe(true);
    expect(report.vms.some((v) => v.host === blind)).toBe(false);
    expect(report.failedProtectionGroups).toBeUndefined();
  });

  it('a cluster whose every host fails its rescan: its VMs fail with the reason, the other cluster recovers', async () => {
    const env = twoGroups();
    const plan = env.plans[0]!;
    const h = createHarness(env, {
      faults: [
        { kind: 'rescan-fails', host: 'esx-b-01' },
        { kind: 'rescan-fails', host: 'esx-b-03' },
      ],
    });
    const report = await h.run({ plan: plan.name, workflow: 'disaster-recovery' });
    expect(report.result).toBe('errors');
    const inBlindCluster = report.vms.filter((v) => v.cluster === 'cluster-b-01');
    const elsewhere = report.vms.filter((v) => v.cluster !== 'cluster-b-01');
    expect(inBlindCluster.length).toBeGreaterThan(0);
    expect(elsewhere.length).toBeGreaterThan(0);
    for (const vm of inBlindCluster) {
      expect(vm.status).toBe('error');
      expect(vm.message).toMatch(
        /^not registered: host esx-b-0[13] cannot see datastore .* and no other host of cluster cluster-b-01 rescanned/,
      );
    }
    expect(elsewhere.every((v) => v.status === 'recovered')).toBe(true);
    expect(report.failedProtectionGroups?.flatMap((g) => g.failedVms).sort()).toEqual(
      inBlindCluster.map((v) => v.name).sort(),
    );
  });

  it('when every device fails, nothing can recover: the run stops incomplete as before', async () => {
    const env = twoGroups();
    const h = createHarness(env, { faults: [{ kind: 'error', command: 'failover' }] });
    const report = await h.run({ plan: env.plans[0]!.name, workflow: 'disaster-recovery' });
    expect(report.result).toBe('incomplete');
    expect(statusOf(report, 'mount-datastores')).toBeUndefined();
  });
});
