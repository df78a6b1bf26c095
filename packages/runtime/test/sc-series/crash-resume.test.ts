import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport, StepId } from '@drctl/domain';
import type { CallCount } from '@drctl/dsm-simulator';
import { FileStore } from '@drctl/store';
import { Lab, PLAN_1, run, step, stepStatuses, withoutCommandCallouts } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

/** DSM calls by what they do, whatever object they touched: comparable between two runs. */
function actions(calls: CallCount[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const key = `${c.method} ${c.resource}/${c.action}`;
    out[key] = (out[key] ?? 0) + c.count;
  }
  return out;
}

const referenceLab = new Lab();
let environmentPath = '';
let reference: { report: RunReport; calls: CallCount[] };

beforeAll(async () => {
  // The same planned migration, never interrupted.
  environmentPath = referenceLab.techsolVariant(withoutCommandCallouts);
  const ws = await referenceLab.workspace({ environmentPath, stateDir: referenceLab.tempDir() });
  const report = await run(ws, { plan: PLAN_1, workflow: 'planned-migration' });
  reference = { report, calls: ws.dsm!.counters.list() };
  await referenceLab.close(ws);
});
afterAll(() => referenceLab.release());

describe('a crash resumes over HTTPS with no DSM call repeated', () => {
  it.each<StepId>(['prepare-protected-storage', 'promote-recovery-storage'])(
    'planned migration killed right after %s',
    async (crashStep) => {
      expect(reference.report.result).toBe('success');
      const stateDir = lab.tempDir();
      const crashCopy = lab.tempDir('drctl-crash-');
      let copied = false;

      // First process: the power is cut once the step is durable. What is on disk at that moment —
      // the run, its journal, the world and the Data Collector's arrays — is all the next process finds.
      const first = await lab.workspace({
        environmentPath,
        stateDir,
        onStepPersisted: ({ step }) => {
          if (step !== crashStep || copied) return;
          copied = true;
          cpSync(stateDir, crashCopy, { recursive: true });
          // The plan lock belongs to the dead process.
          rmSync(join(crashCopy, '.locks'), { recursive: true, force: true });
        },
      });
      const handle = await first.drive(first.engine.start({ plan: PLAN_1, workflow: 'planned-migration' }));
      // The first process's own ending is not part of the story; let it stop before its server does.
      await first.drive(handle.done);
      await lab.close(first);
      expect(copied).toBe(true);

      // Second process over what the crash left.
      const second = await lab.workspace({ environmentPath, stateDir: crashCopy });
      expect(await second.engine.findInterrupted()).toEqual([handle.runId]);
      const callsBeforeResume = second.dsm!.counters.list();
      expect(callsBeforeResume.length).toBeGreaterThan(0);
      const resumed = await second.drive(second.engine.resume(handle.runId));
      const report = await second.drive(resumed.done);

      expect(report.result).toBe('success');
      expect(report.notes.some((n) => n.startsWith('resumed at'))).toBe(true);
      expect(stepStatuses(report)).toEqual(stepStatuses(reference.report));
      // Counted across both processes, no state-changing DSM call took effect twice, and the DSM
      // saw exactly the calls of a migration that never crashed.
      expect(second.dsm!.counters.repeated()).toEqual([]);
      expect(actions(second.dsm!.counters.list())).toEqual(actions(reference.calls));
      // Storage commands finished before the crash were not sent again: the report lists the
      // same state-changing commands as the uninterrupted run.
      const changing = (r: RunReport) =>
        r.storageCommands
          .filter((c) => c.command !== 'querySyncStatus')
          .map((c) => `${c.command} ${c.arrayId} ${c.status}`);
      expect(changing(report)).toEqual(changing(reference.report));
    },
  );

  it('killed in the middle of the failover, after the Live Volume swapped roles: the resumed command finds the swap done and sends nothing twice', async () => {
    const stateDir = lab.tempDir();
    const crashCopy = lab.tempDir('drctl-crash-');
    // SwapRoles takes effect and its answer never comes: the first process is stuck inside failover.
    const hang = `dsm:${JSON.stringify({ kind: 'hang', method: 'POST', path: 'StorageCenter/ScLiveVolume/*/SwapRoles', when: 'after', times: 1 })}`;
    const first = await lab.workspace({ environmentPath, stateDir, inject: [hang] });
    const handle = await first.drive(first.engine.start({ plan: PLAN_1, workflow: 'planned-migration' }));
    const finished = first.drive(handle.done);
    // Real time: wait until the Data Collector has swapped the roles, then cut the power.
    while (first.dsm!.counters.count({ action: 'SwapRoles' }) === 0)
      await new Promise((resolve) => setTimeout(resolve, 2));
    cpSync(stateDir, crashCopy, { recursive: true });
    rmSync(join(crashCopy, '.locks'), { recursive: true, force: true });
    // A real Data Collector is its own server and outlives drctl: it keeps what it did after the
    // last checkpoint. Give the next process that state, as it would find it.
    await new FileStore(crashCopy).write('environments/techsol/dsm', first.dsm!.snapshot());
    await finished;
    await lab.close(first);

    const second = await lab.workspace({ environmentPath, stateDir: crashCopy });
    expect(await second.engine.findInterrupted()).toEqual([handle.runId]);
    const resumed = await second.drive(second.engine.resume(handle.runId));
    const report = await second.drive(resumed.done);

    expect(['success', 'warnings']).toContain(report.result);
    expect(step(report, 'mount-datastores').status).toBe('success');
    // failover was started before the crash and never finished: sent again, as attempt 2 ...
    expect(report.storageCommands.filter((c) => c.command === 'failover').map((c) => [c.attempt, c.status])).toEqual([
      [2, expect.stringMatching(/success|warning/)],
    ]);
    // ... and the adapter found the swap (and whatever else the first attempt did) already there.
    expect(second.dsm!.counters.count({ action: 'SwapRoles' })).toBe(1);
    expect(second.dsm!.counters.repeated()).toEqual([]);
    expect(actions(second.dsm!.counters.list())).toEqual(actions(reference.calls));
  });
});
