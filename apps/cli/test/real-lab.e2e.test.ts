import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LabState } from '@drctl/runtime';
import { drctl, ensureBuilt, finalLine, readReport, startDrctl, tempDir } from './support/cli-process.js';
import { callsSince, LabServers, total, type VcenterCalls } from './support/lab-servers.js';

// The techsol lifecycle in real mode — no --simulate — against the lab `drctl lab up` starts:
// two vCenter simulators (vcsim, SOAP over HTTPS) and the DSM simulator as a standalone HTTPS
// Data Collector whose SAN presents mapped volumes to the recovery hosts. Every workflow is a
// separate `drctl` process on the system clock; what happened is judged by the servers' own
// counters (vcsim's /lab/calls, the Data Collector's call counters), not by drctl's report.

const PLAN = 'Protect vcsite1';
let dir: string;
let lab: LabServers;
let planVms: string[];

function labDir(): string {
  return join(dir, 'lab');
}

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir('real-lab');
  const up = await drctl(
    ['lab', 'up', '--dir', labDir(), '--tools-delay', '200', '--transfer-seconds', '1', '--json'],
    { timeoutMs: 180_000 },
  );
  // stderr may say that the lab vCenter binary is being built (the first time).
  expect({ code: up.code, stdout: up.code === 0 ? '' : up.stdout + up.stderr }).toEqual({ code: 0, stdout: '' });
  lab = new LabServers(JSON.parse(up.stdout.trim().split('\n').pop()!) as LabState);
  // Short timings: the plan's waits after a power-on are a second, not a minute.
  const plans = join(dirname(lab.state.environment), 'plans.yaml');
  writeFileSync(
    plans,
    readFileSync(plans, 'utf8').replace(/delayAfterPowerOnSeconds: \d+/g, 'delayAfterPowerOnSeconds: 1'),
  );
  planVms = [
    ...readFileSync(plans, 'utf8')
      .split('- name: Protect vcsite2')[0]!
      .matchAll(/vm: ([\w-]+)/g),
  ].map((m) => m[1]!);
}, 200_000);

afterAll(async () => {
  if (dir) {
    await drctl(['lab', 'down', '--dir', labDir()]);
    if (!process.env.DRCTL_KEEP_LAB) rmSync(dir, { recursive: true, force: true });
  }
});

interface RealRun {
  code: number | null;
  result: string;
  report: ReturnType<typeof readReport>;
  protectedCalls: VcenterCalls;
  recoveryCalls: VcenterCalls;
  stdout: string;
}

/** One workflow as its own `drctl run` process, with what each vCenter was asked meanwhile. */
async function run(workflow: string, sites = { protected: 'vcsite1', recovery: 'vcsite2' }): Promise<RealRun> {
  const before = await Promise.all([lab.vcenterCalls(sites.protected), lab.vcenterCalls(sites.recovery)]);
  await lab.resetDsmCalls();
  const result = await drctl(
    ['run', workflow, '--env', lab.state.environment, '--plan', PLAN, '--answer', 'ok', '--json'],
    { timeoutMs: 120_000 },
  );
  const last = finalLine(result.stdout);
  const after = await Promise.all([lab.vcenterCalls(sites.protected), lab.vcenterCalls(sites.recovery)]);
  return {
    code: result.code,
    result: last.result,
    report: readReport(last.reportPath),
    protectedCalls: callsSince(before[0], after[0]),
    recoveryCalls: callsSince(before[1], after[1]),
    stdout: result.stdout,
  };
}

const once = (names: string[]) => Object.fromEntries(names.map((n) => [n, 1]));

async function expectNoStorageCommandTwice(): Promise<void> {
  const calls = await lab.dsmCalls();
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((c) => c.count > 1)).toEqual([]);
}

describe('the techsol lifecycle against the lab, for real', () => {
  it('tests the plan at vcsite2: snapshots presented, resignatured, registered and powered on once each', async () => {
    const test = await run('test');
    expect({ code: test.code, result: test.result }).toEqual({ code: 0, result: 'success' });
    expect(test.recoveryCalls.RegisterVM_Task).toEqual(once(planVms));
    expect(total(test.recoveryCalls.ResignatureUnresolvedVmfsVolume_Task)).toBe(3);
    expect(Object.values(test.recoveryCalls.PowerOnVM_Task ?? {}).every((n) => n === 1)).toBe(true);
    expect(test.report.vms.filter((v) => v.poweredOnAt).length).toBeGreaterThanOrEqual(planVms.length - 1);
    // A test leaves production alone.
    expect(test.protectedCalls.ShutdownGuest).toBeUndefined();
    expect(test.protectedCalls.PowerOffVM_Task).toBeUndefined();
    expect(test.protectedCalls.UnregisterVM).toBeUndefined();
    const dsm = await lab.dsmCalls();
    expect(dsm.filter((c) => c.action === 'CreateView')).toHaveLength(3);
    await expectNoStorageCommandTwice();
  });

  it('cleans the test up: VMs unregistered, datastores removed, views deleted', async () => {
    const cleanup = await run('cleanup');
    expect({ code: cleanup.code, result: cleanup.result }).toEqual({ code: 0, result: 'success' });
    expect(cleanup.recoveryCalls.UnregisterVM).toEqual(once(planVms));
    expect(total(cleanup.recoveryCalls.RemoveDatastore)).toBeGreaterThanOrEqual(3);
    const dsm = await lab.dsmCalls();
    expect(dsm.filter((c) => c.method === 'DELETE' && c.resource === 'ScVolume')).toHaveLength(3);
    await expectNoStorageCommandTwice();
  });

  it('migrates the plan to vcsite2: shut down and unregistered at vcsite1, recovered once at vcsite2', async () => {
    const migration = await run('planned-migration');
    expect({ code: migration.code, result: migration.result }).toEqual({ code: 0, result: 'success' });
    expect(migration.protectedCalls.UnregisterVM).toEqual(once(planVms));
    expect(migration.recoveryCalls.RegisterVM_Task).toEqual(once(planVms));
    expect(total(migration.recoveryCalls.ResignatureUnresolvedVmfsVolume_Task)).toBe(3);
    expect(Object.values(migration.recoveryCalls.PowerOnVM_Task ?? {}).every((n) => n === 1)).toBe(true);
    await expectNoStorageCommandTwice();
  });

  it('reprotects and fails back to vcsite1', async () => {
    const reprotect = await run('reprotect');
    expect({ code: reprotect.code, result: reprotect.result }).toEqual({ code: 0, result: 'success' });
    await expectNoStorageCommandTwice();
    const failback = await run('failback', { protected: 'vcsite2', recovery: 'vcsite1' });
    expect({ code: failback.code, result: failback.result }).toEqual({ code: 0, result: 'success' });
    expect(failback.protectedCalls.UnregisterVM).toEqual(once(planVms));
    expect(failback.recoveryCalls.RegisterVM_Task).toEqual(once(planVms));
    await expectNoStorageCommandTwice();
  });

  it('recovers from a disaster: the protected vCenter killed mid-run and SC 12 lost, the VMs come up at vcsite2', async () => {
    const before = await lab.vcenterCalls('vcsite2');
    await lab.resetDsmCalls();
    const dr = startDrctl(
      ['run', 'disaster-recovery', '--env', lab.state.environment, '--plan', PLAN, '--answer', 'ok', '--json'],
      { timeoutMs: 120_000 },
    );
    // The disaster strikes mid-run, once the run's first storage command reached the Data
    // Collector: vcsite1's vCenter process dies and its array goes down.
    const giveUp = Date.now() + 60_000;
    while ((await lab.dsmCalls()).length === 0 && Date.now() < giveUp) await new Promise((r) => setTimeout(r, 20));
    process.kill(lab.vcenter('vcsite1').pid, 'SIGKILL');
    await lab.dsmAdmin('/storage-centers/697/down');
    const result = await dr.done;
    const last = finalLine(result.stdout);
    // The protected site's steps end in warnings: its vCenter and array are gone.
    expect(last.result).toBe('warnings');
    const recovery = callsSince(before, await lab.vcenterCalls('vcsite2'));
    expect(recovery.RegisterVM_Task).toEqual(once(planVms));
    expect(Object.values(recovery.PowerOnVM_Task ?? {}).every((n) => n === 1)).toBe(true);
    await expectNoStorageCommandTwice();
  });
});
