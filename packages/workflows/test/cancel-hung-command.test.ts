import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHarness, smallEnvironment } from './harness.js';

// Regression: cancelling while a storage command hangs left a rejected promise nobody handled.
describe('cancel while a storage command hangs', () => {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    process.on('unhandledRejection', listener);
  });
  afterEach(() => {
    process.off('unhandledRejection', listener);
    unhandled.length = 0;
  });

  it('ends the run cancelled with no stray rejection', async () => {
    const env = smallEnvironment({ datastores: 8 });
    const plan = env.plans[0]!;
    const h = createHarness(
      { ...env, settings: { 'storage.maxConcurrentCommandCnt': 1 } },
      { faults: [{ kind: 'hang', command: 'failover' }] },
    );
    let runId = '';
    h.engine.subscribe((e) => {
      if (e.type === 'run-started') runId = e.runId;
      // Cancelled at the very moment the step starts, before its commands are even sent.
      if (e.type === 'step-started' && e.step === 'promote-recovery-storage') h.engine.cancel(runId);
    });
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(report.result).toBe('cancelled');
    expect(report.storageCommands.filter((c) => c.command === 'failover').every((c) => c.status === 'cancelled')).toBe(
      true,
    );
    expect(unhandled).toEqual([]);
    expect((await h.engine.planStatus(plan.name)).state).toBe('recovery-incomplete');
  });
});
