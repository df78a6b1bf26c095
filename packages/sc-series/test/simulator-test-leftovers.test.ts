import { afterEach, describe, expect, it } from '@jest/globals';
import { RECOVERY, RECOVERY_HOSTS, command, startLab, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** Issue 10 §1: a test presents the data of its own point in time, never an earlier test's. */
describe('leftovers of an earlier test are recognised by their run, removed and reported', () => {
  const testIn = (runId: string) =>
    command(RECOVERY, ['ds-app'], { workflow: 'test', runId, hosts: RECOVERY_HOSTS }, { idempotencyKey: runId });
  const testViews = (l: Lab) =>
    [...l.sim.model.state.volumes.values()].filter((v) => v.name === 'drctl-test ds-app' && !v.inRecycleBin);

  it('a test copy whose cleanup never deleted it is replaced by a copy of this test, with a warning', async () => {
    lab = await startLab();
    const first = await lab.run(lab.adapter.testFailoverStart(testIn('run-a')));
    expect(first.devices[0]!.status).toBe('success');
    const [oldView] = testViews(lab);
    const oldReplay = oldView!.viewOfReplayId!;
    const oldFrozen = lab.sim.model.state.replays.get(oldReplay)!.freezeTime;
    // The cleanup of run-a failed to delete the view (a forced cleanup): it is still there.
    await lab.run(lab.clock.advance(3_600_000));
    const second = await lab.run(lab.adapter.testFailoverStart(testIn('run-b')));
    const device = second.devices[0]!;
    expect(device.status).toBe('success');
    expect(device.warnings.join(' ')).toMatch(/A test copy left by an earlier test \(test [0-9a-f]{10}\) was removed/);
    expect(device.warnings.join(' ')).not.toMatch(/reused/);
    const views = testViews(lab);
    expect(views).toHaveLength(1);
    expect(views[0]!.id).not.toBe(oldView!.id);
    expect(views[0]!.viewOfReplayId).not.toBe(oldReplay);
    // The new copy is of this test's point in time: frozen an hour after the first.
    const newFrozen = lab.sim.model.state.replays.get(views[0]!.viewOfReplayId!)!.freezeTime;
    expect(newFrozen - oldFrozen).toBeGreaterThanOrEqual(3_600_000);
    expect(device.details?.['snapshot']).toMatch(/^drctl test copy \(/);
  });

  it('a repeat of the same test (same run) still reuses its own copy and changes nothing', async () => {
    lab = await startLab();
    await lab.run(lab.adapter.testFailoverStart(testIn('run-a')));
    const before = lab.sim.counters.count();
    const again = await lab.run(lab.adapter.testFailoverStart(testIn('run-a')));
    expect(again.devices[0]!.warnings.join(' ')).toMatch(/already made its copy/);
    expect(lab.sim.counters.count()).toBe(before);
  });

  it('a test snapshot whose expiry failed at cleanup is expired by the next test, which freezes its own', async () => {
    lab = await startLab();
    await lab.run(lab.adapter.testFailoverStart(testIn('run-a')));
    const oldReplay = testViews(lab)[0]!.viewOfReplayId!;
    lab.sim.faults.serverError({ method: 'POST', path: 'StorageCenter/ScReplay/*/Expire', times: 1 });
    const stop = await lab.run(
      lab.adapter.testFailoverStop(command(RECOVERY, ['ds-app'], { workflow: 'cleanup', runId: 'cleanup-a' })),
    );
    expect(stop.devices[0]!.warnings.join(' ')).toMatch(/could not be expired/);
    expect(lab.sim.model.state.replays.get(oldReplay)?.markedForExpiration).toBe(false);
    await lab.run(lab.clock.advance(3_600_000));
    const second = await lab.run(lab.adapter.testFailoverStart(testIn('run-b')));
    const device = second.devices[0]!;
    expect(device.status).toBe('success');
    expect(device.warnings.join(' ')).toMatch(/A test snapshot left by an earlier test .* was expired/);
    const [view] = testViews(lab);
    expect(view!.viewOfReplayId).not.toBe(oldReplay);
    expect(lab.sim.model.state.replays.get(oldReplay)?.markedForExpiration ?? true).toBe(true);
  });

  it('a leftover copy that cannot be removed fails the device with the reason instead of showing old data', async () => {
    lab = await startLab();
    await lab.run(lab.adapter.testFailoverStart(testIn('run-a')));
    lab.sim.faults.serverError({ method: 'DELETE', path: 'StorageCenter/ScVolume/*' });
    const second = await lab.run(lab.adapter.testFailoverStart(testIn('run-b')));
    expect(second.devices[0]).toMatchObject({ status: 'error', error: { code: 'SC_TEST_LEFTOVER' } });
    expect(second.devices[0]!.error!.description).toMatch(/left by an earlier test .* cannot be removed/);
  });
});
