import { afterEach, describe, expect, it } from '@jest/globals';
import { Lab, PLAN_1, deviceLines, run, step, withoutCommandCallouts } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

/**
 * Issue 10 §1 through the engine: a forced cleanup whose delete of the test copies failed leaves
 * them on SC 13; the next test must present copies of its own point in time, never the old ones.
 */
describe('a test never runs on the data of an earlier test (engine, SC Series adapter, DSM simulator)', () => {
  it('after a forced cleanup that could not delete the test copies, the next test replaces them and says so', async () => {
    const environmentPath = lab.techsolVariant(withoutCommandCallouts);
    const ws = await lab.workspace({ environmentPath, stateDir: lab.tempDir() });
    const first = await run(ws, { plan: PLAN_1, workflow: 'test' });
    expect(first.result).toBe('success');
    const testViews = () =>
      [...ws.dsm!.model.state.volumes.values()].filter((v) => v.name === 'drctl-test srmds1' && !v.inRecycleBin);
    const [oldView] = testViews();
    const oldFrozen = ws.dsm!.model.state.replays.get(oldView!.viewOfReplayId!)!.freezeTime;

    // The Data Collector refuses to delete volumes: the forced cleanup goes on without it.
    const refuse = ws.dsm!.faults.serverError({ method: 'DELETE', path: 'StorageCenter/ScVolume/*' });
    const cleanup = await run(ws, { plan: PLAN_1, workflow: 'cleanup', force: true });
    expect(step(cleanup, 'discard-test-storage').status).not.toBe('success');
    expect(testViews().map((v) => v.id)).toEqual([oldView!.id]);
    ws.dsm!.faults.remove(refuse);

    const second = await run(ws, { plan: PLAN_1, workflow: 'test' });
    expect(second.result).not.toBe('failed');
    const line = deviceLines(second, 'create-test-snapshots')['srmds1']!;
    expect(line.status).toBe('warning');
    expect(line.description).toMatch(/A test copy left by an earlier test \(test [0-9a-f]+\) was removed/);
    expect(line.description).not.toMatch(/reused/);
    const [newView] = testViews();
    expect(newView!.id).not.toBe(oldView!.id);
    // The copy is of this test's point in time, frozen after the first test's.
    expect(ws.dsm!.model.state.replays.get(newView!.viewOfReplayId!)!.freezeTime).toBeGreaterThan(oldFrozen);
  });
});
