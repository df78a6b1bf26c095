import { describe, expect, it } from '@jest/globals';
import { DrError, validateEnvironment, type EnvironmentInput, type PlanCallout } from '@drctl/domain';
import { createHarness, smallEnvironment } from './harness.js';

const prompt = (text: string, extra: Partial<PlanCallout> = {}): PlanCallout =>
  ({ type: 'prompt', text, before: 'sync-storage', ...extra }) as PlanCallout;

function withCallouts(callouts: PlanCallout[]) {
  const env = smallEnvironment({ dependencies: 0 });
  return validateEnvironment({
    ...env,
    plans: env.plans.map((p) => ({ ...p, callouts })),
  });
}

describe('plan-level callouts belong to workflows and a direction', () => {
  it("runs each callout only in the workflows and direction it names; reprotect does not run the recovery's", async () => {
    const env = withCallouts([
      // SRM's BEFORE_SYNC_STORAGE: the recovery's final sync, the plan as written (the default).
      prompt('snapshot the source array before the final sync'),
      prompt('before reprotect syncs back', { workflows: ['reprotect'] }),
      prompt('failback: snapshot the other array', { workflows: ['planned-migration'], direction: 'reversed' }),
    ]);
    const plan = env.plans[0]!;
    const h = createHarness(env, { engine: { autoAnswer: { answer: 'ok', by: 'test' } } });
    const asked = async (workflow: 'planned-migration' | 'reprotect') =>
      (await h.run({ plan: plan.name, workflow })).prompts.map((p) => p.text);

    expect(await asked('planned-migration')).toEqual(['snapshot the source array before the final sync']);
    expect(await asked('reprotect')).toEqual(['before reprotect syncs back']);
    expect(await asked('planned-migration')).toEqual(['failback: snapshot the other array']);
  });

  it('refuses a callout naming a workflow that has no such step, with the path of the entry', () => {
    const env = smallEnvironment();
    const bad = {
      ...env,
      plans: env.plans.map((p) => ({
        ...p,
        callouts: [prompt('never', { before: 'create-placeholders', workflows: ['test'] })],
      })),
    } as EnvironmentInput;
    let error: unknown;
    try {
      validateEnvironment(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DrError);
    expect((error as DrError).issues).toContainEqual({
      path: 'plans[0].callouts[0].workflows[0]',
      message: 'test has no step create-placeholders; a callout before it would never run there',
    });
  });
});
