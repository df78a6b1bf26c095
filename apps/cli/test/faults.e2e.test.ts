import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { drctl, ensureBuilt, finalLine, readReport, tempDir, TECHSOL, topSteps } from './support/cli-process.js';

const PLAN = 'Protect vcsite1';
const dirs: string[] = [];

/** One run with faults injected, in a state folder of its own; the three drills run side by side. */
async function drill(workflow: string, faults: string[], output: 'json' | 'plain' = 'json', extra: string[] = []) {
  const dir = tempDir('fault');
  dirs.push(dir);
  const startedReal = Date.now();
  const reportFile = join(dir, 'copy-of-report.json');
  const result = await drctl([
    'run',
    workflow,
    '--env',
    TECHSOL,
    '--plan',
    PLAN,
    '--simulate',
    '--answer',
    'ok',
    '--state-dir',
    dir,
    '--report',
    reportFile,
    ...(output === 'json' ? ['--json'] : []),
    ...faults.flatMap((f) => ['--inject', f]),
    ...extra,
  ]);
  // Plain output ends with the report's path (the --report copy when one is asked for).
  const last =
    output === 'json'
      ? finalLine(result.stdout)
      : {
          result: /^Result: (\S+)$/m.exec(result.stdout)?.[1],
          reportPath: /Report: (.+)\n$/.exec(result.stdout)?.[1] ?? '',
        };
  return {
    code: result.code,
    stdout: result.stdout,
    last,
    report: readReport(last.reportPath),
    reportFile,
    realMs: Date.now() - startedReal,
  };
}

describe('rehearsing failures with --inject', () => {
  beforeAll(() => ensureBuilt());
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('site-down, hang and no-tools each end as their workflow says', async () => {
    const [siteDown, hang, noTools] = await Promise.all([
      drill('disaster-recovery', ['site-down:vcsite1']),
      drill('planned-migration', ['hang:failover']),
      drill('test', ['no-tools:sql01'], 'plain'),
    ]);

    // The protected site is gone: its steps are warnings, the recovery goes on, and the end
    // state says the protected site still has to be shut down and prepared.
    expect(siteDown.code).toBe(1);
    expect(siteDown.last.result).toBe('warnings');
    const dr = Object.fromEntries(topSteps(siteDown.report));
    expect(dr).toMatchObject({
      'pre-sync-storage': 'warning',
      'shutdown-protected-vms': 'warning',
      'prepare-protected-storage': 'warning',
      'promote-recovery-storage': 'warning',
    });
    expect(siteDown.report.vms.filter((v) => v.status === 'recovered')).toHaveLength(20);
    expect(siteDown.report.notes.join('\n')).toMatch(
      /protected site vcsite1 was not shut down and prepared .*run disaster-recovery again/,
    );

    // The failover never answers: it is cut at the applied commandTimeout (300 s + 90 s for the
    // Live Volume) on the engine's clock, in a fraction of that in real time; the run stops.
    expect(hang.code).toBe(1);
    expect(hang.last.result).toBe('incomplete');
    const failover = hang.report.storageCommands.find((c) => c.command === 'failover')!;
    expect(failover.status).toBe('timeout');
    expect(Date.parse(failover.finishedAt!) - Date.parse(failover.startedAt)).toBe(390_000);
    expect(hang.realMs).toBeLessThan(30_000);
    expect(readReport(hang.reportFile)).toEqual(
      readReport(join(hang.reportFile, '..', 'runs', hang.report.runId, 'report.json')),
    );
    expect(Object.fromEntries(topSteps(hang.report))['promote-recovery-storage']).toBe('error');
    expect(topSteps(hang.report).map(([id]) => id)).not.toContain('power-on-priority-1');

    // One VM never reports VMware Tools: it fails, the others (even those depending on it) and the
    // later priorities still recover, and the run ends with errors.
    expect(noTools.code).toBe(1);
    expect(noTools.last).toEqual({ result: 'errors', reportPath: noTools.reportFile });
    expect(noTools.stdout).toMatch(
      /^T\+\d\d:\d\d:\d\d {2}VM {7}sql01 failed on \S+: VMware Tools heartbeat not received/m,
    );
    expect(noTools.stdout).toMatch(
      /error {4}Power on priority 2 VMs \[power-on-priority-2\] — 4\/5 VMs recovered, 1 failed/,
    );
    const sql01 = noTools.report.vms.find((v) => v.name === 'sql01')!;
    expect(sql01).toMatchObject({ status: 'error', message: expect.stringMatching(/Tools/) });
    expect(
      noTools.report.vms
        .filter((v) => v.name !== 'sql01')
        .every((v) => v.status === 'recovered' || v.status === 'warning'),
    ).toBe(true);
    const steps = Object.fromEntries(topSteps(noTools.report));
    expect(steps).toMatchObject({
      'power-on-priority-2': 'error',
      'power-on-priority-3': 'success',
      'power-on-priority-5': 'success',
    });
  });

  it('runs through the SC Series adapter over HTTPS when asked, and a Data Collector that stays down fails the storage step', async () => {
    const [healthy, dsmDown] = await Promise.all([
      drill('test', [], 'json', ['--storage', 'sc-series']),
      drill('test', ['dsm-down'], 'json', ['--storage', 'sc-series']),
    ]);
    expect(healthy.last.result).toBe('success');
    expect(healthy.report.storageCommands.map((c) => c.command)).toContain('testFailoverStart');
    expect(dsmDown.code).toBe(1);
    expect(dsmDown.last.result).toBe('errors');
    expect(topSteps(dsmDown.report)[0]).toEqual(['sync-storage', 'error']);
    expect(dsmDown.report.storageCommands[0]).toMatchObject({
      command: 'syncOnce',
      status: 'error',
      message: expect.stringMatching(/Connection to DSM failed/),
    });
  });
});
