import { describe, expect, it } from '@jest/globals';
import { checkBestPractices, validateEnvironment } from '@drctl/domain';
import { createHarness, smallEnvironment, stepStatuses } from './harness.js';

describe('the placeholder datastore (guide §6.4)', () => {
  it('reprotect creates the placeholder VMs on the old protected site’s placeholder datastore', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env);
    expect((await h.run({ plan: plan.name, workflow: 'planned-migration' })).result).toBe('success');
    const reprotect = await h.run({ plan: plan.name, workflow: 'reprotect' });
    expect(reprotect.result).toBe('success');
    const placeholder = env.sites.find((s) => s.name === plan.protectedSite)!.placeholderDatastore;
    expect(placeholder).toBe('placeholder-a');
    const protectedVms = env.vms.filter((v) => v.site === plan.protectedSite).map((v) => v.name);
    expect(protectedVms.length).toBeGreaterThan(0);
    for (const vm of protectedVms) {
      expect([vm, h.world.vmAt(plan.protectedSite, vm)]).toEqual([
        vm,
        expect.objectContaining({ kind: 'placeholder', datastore: 'placeholder-a' }),
      ]);
    }
  });

  it('without a placeholder datastore at the old protected site, reprotect stops at create-placeholders with the reason', async () => {
    const base = smallEnvironment();
    const env = validateEnvironment({
      ...base,
      sites: base.sites.map((s) => (s.name === 'site-a' ? { ...s, placeholderDatastore: undefined } : s)),
    });
    const plan = env.plans[0]!;
    expect(checkBestPractices(env).map((f) => [f.code, f.path])).toContainEqual([
      'NO_REPROTECT_PLACEHOLDER',
      'sites[0].placeholderDatastore',
    ]);
    const h = createHarness(env);
    expect((await h.run({ plan: plan.name, workflow: 'planned-migration' })).result).toBe('success');
    const reprotect = await h.run({ plan: plan.name, workflow: 'reprotect' });
    expect(reprotect.result).toBe('incomplete');
    expect(stepStatuses(reprotect)).toContainEqual(['create-placeholders', 'error']);
    const step = reprotect.steps.find((s) => s.id === 'create-placeholders' && s.target === undefined)!;
    expect(step.messages.join(' ')).toMatch(
      /site site-a has no placeholder datastore \(sites\[0\]\.placeholderDatastore\): SRM creates the placeholder VMs there \(§6\.4\)/,
    );
  });
});
