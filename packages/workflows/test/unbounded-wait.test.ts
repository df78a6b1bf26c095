import { describe, expect, it } from '@jest/globals';
import { createHarness, smallEnvironment } from './harness.js';

describe('a storage command with no time limit (storage.commandTimeout 0)', () => {
  it('says what the run waits on instead of waiting silently (issue 14 §4)', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(
      { ...env, settings: { 'storage.commandTimeout': 0 } },
      { faults: [{ kind: 'hang', command: 'failover' }] },
    );
    const said: string[] = [];
    let runId = '';
    h.engine.subscribe((e) => {
      if (e.type === 'run-started') runId = e.runId;
      if (e.type === 'message' && e.level === 'warn') {
        said.push(e.text);
        // The operator, told what hangs, cancels it.
        if (e.text.startsWith('waiting on failover')) h.engine.cancel(runId);
      }
    });
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(report.result).toBe('cancelled');
    expect(said.find((t) => t.startsWith('waiting on failover'))).toMatch(
      /^waiting on failover on array \S+ for .+ with no time limit \(storage\.commandTimeout 0 = no limit\); drctl cancel stops it$/,
    );
  });
});
