import { describe, expect, it } from '@jest/globals';
import { validateEnvironment, type Environment } from '@drctl/domain';
import { createHarness, smallEnvironment, stepStatuses } from './harness.js';

/**
 * The generated environment plus a non-critical VM at the recovery site (site-b) on a datastore
 * of its own, which the plan suspends to make room for the recovered VMs.
 */
function withNonCriticalVm(): Environment {
  const env = smallEnvironment({ dependencies: 0 });
  const arrayA = env.arrays.find((a) => a.site === 'site-a')!;
  const arrayB = env.arrays.find((a) => a.site === 'site-b')!;
  return validateEnvironment({
    ...env,
    volumes: [...env.volumes, { id: 'vol-b-local', sourceArray: arrayB.id, targetArray: arrayA.id }],
    datastores: [...env.datastores, { name: 'ds-b-local', site: 'site-b', devices: ['vol-b-local'] }],
    vms: [
      ...env.vms,
      { name: 'dev-b1', site: 'site-b', cluster: 'cluster-b-01', host: 'esx-b-01', datastores: ['ds-b-local'] },
    ],
    plans: env.plans.map((p) => ({ ...p, suspendVms: ['dev-b1'] })),
  });
}

describe('planned migration: "Resume VMs suspended by previous recovery" (SRM)', () => {
  it('failback resumes the non-critical VMs the first recovery suspended at what is now the protected site', async () => {
    const env = withNonCriticalVm();
    const plan = env.plans[0]!;
    const h = createHarness(env);

    const recovery = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(recovery.result).toBe('success');
    expect(stepStatuses(recovery)).toContainEqual(['suspend-recovery-vms', 'success']);
    // Nothing was suspended at site-a by an earlier recovery.
    expect(stepStatuses(recovery)).toContainEqual(['resume-protected-vms', 'skipped']);
    expect(h.world.vmAt('site-b', 'dev-b1')).toMatchObject({ power: 'suspended' });

    expect((await h.run({ plan: plan.name, workflow: 'reprotect' })).result).toBe('success');
    const failback = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(failback.protectedSite).toBe('site-b');
    expect(failback.result).toBe('success');
    const steps = stepStatuses(failback).map(([id]) => id);
    expect(steps.indexOf('resume-protected-vms')).toBe(steps.indexOf('shutdown-protected-vms') + 1);
    expect(stepStatuses(failback)).toContainEqual(['resume-protected-vms', 'success']);
    expect(h.world.vmAt('site-b', 'dev-b1')).toMatchObject({ power: 'on' });
  });
});
