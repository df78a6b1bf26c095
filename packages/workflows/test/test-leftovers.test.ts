import { describe, expect, it } from '@jest/globals';
import { createHarness, smallEnvironment } from './harness.js';

/**
 * Issue 10 §1 through the engine on the in-process simulator: a forced cleanup whose discard of
 * the test copies failed leaves them on the recovery array; the next test must present copies of
 * its own point in time, say that it replaced the old ones, and never reuse them.
 */
describe('a test never runs on the data of an earlier test (engine, in-process simulator)', () => {
  it('after a forced cleanup that left the test copies, the next test replaces them and reports it', async () => {
    const h = createHarness(smallEnvironment());
    const plan = h.env.plans[0]!.name;
    const first = await h.run({ plan, workflow: 'test' });
    expect(first.result).toBe('success');
    const tested = Object.values(h.world.snapshot().devices)
      .filter((d) => d.testCopy !== undefined)
      .map((d) => d.id);
    expect(tested.length).toBeGreaterThan(0);
    const device = tested[0]!;
    const firstCopy = h.world.device(device)!.testCopy!;

    h.world.setFaults([{ kind: 'error', command: 'testFailoverStop' }]);
    const cleanup = await h.run({ plan, workflow: 'cleanup', force: true });
    expect(cleanup.steps.find((s) => s.id === 'discard-test-storage' && s.target === undefined)?.status).not.toBe(
      'success',
    );
    expect(h.world.device(device)!.testCopy).toEqual(firstCopy);
    h.world.setFaults([]);

    await h.clock.runUntil(h.clock.advance(3_600_000));
    const second = await h.run({ plan, workflow: 'test' });
    const step = second.steps.find((s) => s.id === 'create-test-snapshots' && s.target === undefined)!;
    const line = (step.results ?? []).find((r) => r.device === device)!;
    expect(line.status).toBe('warning');
    expect(line.description).toMatch(/left by an earlier test \(run [^)]+\) was discarded/);
    const secondCopy = h.world.device(device)!.testCopy!;
    expect(secondCopy.createdAt).toBeGreaterThanOrEqual(firstCopy.createdAt + 3_600_000);
    expect(secondCopy.runId).not.toBe(firstCopy.runId);
  });
});
