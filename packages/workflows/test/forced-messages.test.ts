import { describe, expect, it } from '@jest/globals';
import { createHarness, smallEnvironment } from './harness.js';

const messagesOf = (report: { steps: Array<{ id: string; target?: string; messages: string[] }> }, id: string) =>
  report.steps.find((s) => s.id === id && s.target === undefined)?.messages ?? [];

describe('a forced cleanup or reprotect says what goes on, in its own words', () => {
  it('forced cleanup: the error becomes a warning that says the cleanup goes on, not a disaster recovery', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env);
    expect(['success', 'warnings']).toContain((await h.run({ plan: plan.name, workflow: 'test' })).result);
    h.world.setFaults([{ kind: 'error', command: 'testFailoverStop' }]);
    const cleanup = await h.run({ plan: plan.name, workflow: 'cleanup', force: true });
    expect(cleanup.result).toBe('warnings');
    const messages = messagesOf(cleanup, 'discard-test-storage');
    expect(messages[0]).toBe('error recorded as a warning (forced cleanup goes on; clean up what is left by hand)');
    expect(messages.join(' ')).not.toMatch(/disaster recovery/);
    expect((await h.engine.planStatus(plan.name)).state).toBe('ready');
  });
});
