import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { request } from 'node:https';
import type { LabState } from '@drctl/runtime';
import { drctl, ensureBuilt, finalLine, readReport, startDrctl, tempDir } from './support/cli-process.js';
import { callsSince, LabServers, poweredOnTwice, total } from './support/lab-servers.js';

// Faults through the real servers of a lab, in real mode (no --simulate): a drctl killed
// mid-run and resumed, a task that fails (InvalidState), a session the vCenter no longer knows
// (NotAuthenticated), a heartbeat that never comes, a datastore that does not appear after the
// rescans. What happened is counted on the servers. (A vCenter killed mid-run: real-lab.e2e.)
// Last, `drctl serve` in real mode: a run started and followed through the HTTP API.

const PLAN = 'Protect vcsite1';
let dir: string;
let lab: LabServers;
let planVms: string[];

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir('real-lab-faults');
  const up = await drctl(['lab', 'up', '--dir', join(dir, 'lab'), '--tools-delay', '200', '--json'], {
    timeoutMs: 180_000,
  });
  expect({ code: up.code, output: up.code === 0 ? '' : up.stdout + up.stderr }).toEqual({ code: 0, output: '' });
  lab = new LabServers(JSON.parse(up.stdout.trim().split('\n').pop()!) as LabState);
  const plans = join(dirname(lab.state.environment), 'plans.yaml');
  writeFileSync(
    plans,
    readFileSync(plans, 'utf8')
      .replace(/delayAfterPowerOnSeconds: \d+/g, 'delayAfterPowerOnSeconds: 1')
      // The heartbeat that never comes is waited for 2 s, not SRM's 300.
      .replace('{ vm: rpt01, priority: 4 }', '{ vm: rpt01, priority: 4, toolsWaitSeconds: 2 }'),
  );
  planVms = [
    ...readFileSync(plans, 'utf8')
      .split('- name: Protect vcsite2')[0]!
      .matchAll(/vm: ([\w-]+)/g),
  ].map((m) => m[1]!);
}, 200_000);

afterAll(async () => {
  if (dir) {
    await drctl(['lab', 'down', '--dir', join(dir, 'lab')]);
    if (!process.env.DRCTL_KEEP_LAB) rmSync(dir, { recursive: true, force: true });
  }
});

const args = (workflow: string) => [
  'run',
  workflow,
  '--env',
  lab.state.environment,
  '--plan',
  PLAN,
  '--answer',
  'ok',
  '--json',
];

/** Sends JSON to the recovery vCenter's control endpoint (/lab/faults, /lab/tools). */
function control(path: string, body: unknown, method = 'POST'): Promise<void> {
  const vc = lab.vcenter('vcsite2');
  return new Promise((resolve, reject) => {
    const req = request(`${vc.controlUrl}${path}`, { method, ca: readFileSync(vc.caFile, 'utf8') }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function cleanUp(): Promise<void> {
  await control('/faults', undefined, 'DELETE');
  await control('/tools', { never: '' });
  const cleanup = await drctl(args('cleanup'), { timeoutMs: 120_000 });
  expect(finalLine(cleanup.stdout).result).toBe('success');
}

const runsDir = () => join(dirname(lab.state.environment), '.drctl', 'runs');

describe('faults through the lab servers, in real mode', () => {
  it('a drctl killed mid-run and resumed registers and powers on each VM once and sends no storage command twice', async () => {
    const before = await lab.vcenterCalls('vcsite2');
    await lab.resetDsmCalls();
    const runsBefore = new Set(existsSync(runsDir()) ? readdirSync(runsDir()) : []);
    const first = startDrctl(args('test'), { timeoutMs: 120_000 });
    // Killed once the recovery vCenter has registered some of the VMs.
    const giveUp = Date.now() + 90_000;
    while (Date.now() < giveUp) {
      const now = callsSince(before, await lab.vcenterCalls('vcsite2'));
      if (total(now.RegisterVM_Task) >= 5) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    first.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const runId = readdirSync(runsDir()).find((id) => !runsBefore.has(id))!;
    const resumed = await drctl(['resume', runId, '--env', lab.state.environment, '--answer', 'ok', '--json'], {
      timeoutMs: 120_000,
    });
    expect(finalLine(resumed.stdout).result).toBe('success');

    const calls = callsSince(before, await lab.vcenterCalls('vcsite2'));
    expect(calls.RegisterVM_Task).toEqual(Object.fromEntries(planVms.map((vm) => [vm, 1])));
    expect(poweredOnTwice(calls)).toEqual([]);
    expect(total(calls.ResignatureUnresolvedVmfsVolume_Task)).toBe(3);
    const dsm = await lab.dsmCalls();
    expect(dsm.filter((c) => c.action === 'CreateView')).toHaveLength(3);
    expect(dsm.filter((c) => c.count > 1)).toEqual([]);
    await cleanUp();
  }, 300_000);

  it('InvalidState, NotAuthenticated and a heartbeat that never comes: each VM ends as its fault says', async () => {
    await control('/faults', [
      // Every batch power-on refused, so each VM is powered on alone (the adapter's fallback)…
      { method: 'PowerOnMultiVM_Task', fault: 'NotSupported', times: 0 },
      // …and erp-web01's own power-on task fails.
      { method: 'PowerOnVM_Task', target: 'erp-web01', fault: 'InvalidState', times: 1 },
      { method: 'RegisterVM_Task', target: 'fs01', fault: 'NotAuthenticated', times: 1 },
    ]);
    await control('/tools', { never: 'rpt01' });
    try {
      const before = await lab.vcenterCalls('vcsite2');
      const run = await drctl(args('test'), { timeoutMs: 120_000 });
      const last = finalLine(run.stdout);
      expect(last.exitCode).toBe(1);
      const report = readReport(last.reportPath);
      const vm = (name: string) => report.vms.find((v) => v.name === name)!;
      expect(JSON.stringify(vm('erp-web01'))).toMatch(/InvalidState/);
      expect(vm('erp-web01').poweredOnAt).toBeUndefined();
      expect(vm('rpt01').poweredOnAt).toBeDefined();
      expect(vm('rpt01').toolsReadyAt).toBeUndefined();
      // The refused registration was sent again after a new login, and fs01 came up.
      expect(vm('fs01').toolsReadyAt).toBeDefined();
      const calls = callsSince(before, await lab.vcenterCalls('vcsite2'));
      expect(calls.RegisterVM_Task?.fs01).toBe(2);
      expect(total(calls.Login)).toBeGreaterThanOrEqual(2);
      expect(calls.PowerOnVM_Task?.['erp-web01']).toBe(1);
    } finally {
      await cleanUp();
    }
  }, 300_000);

  it('a datastore that does not appear after the rescans fails the mount, registering nothing', async () => {
    await control('/faults', [{ method: 'QueryUnresolvedVmfsVolumes', fault: 'empty' }]);
    try {
      const before = await lab.vcenterCalls('vcsite2');
      const run = await drctl(args('test'), { timeoutMs: 120_000 });
      const last = finalLine(run.stdout);
      expect(last.exitCode).toBe(1);
      expect(JSON.stringify(readReport(last.reportPath).steps)).toMatch(/did not appear at vcsite2 after the rescans/);
      const calls = callsSince(before, await lab.vcenterCalls('vcsite2'));
      expect(total(calls.QueryUnresolvedVmfsVolumes)).toBeGreaterThan(0);
      expect(calls.ResignatureUnresolvedVmfsVolume_Task).toBeUndefined();
      expect(calls.RegisterVM_Task).toBeUndefined();
    } finally {
      await cleanUp();
    }
  }, 300_000);

  it('the HTTP API drives a real run: started by POST, followed to its end over server-sent events, cleaned up', async () => {
    const server = startDrctl(['serve', '--env', lab.state.environment, '--port', '0', '--json'], {
      env: { DRCTL_API_TOKEN: 'lab-secret' },
      timeoutMs: 240_000,
    });
    try {
      const { url } = JSON.parse(await server.waitForLine((l) => l.includes('"type":"listening"'))) as { url: string };
      const api = (path: string, body?: unknown) =>
        fetch(`${url}/api/v1${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: 'Bearer lab-secret', 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      /** Starts a workflow through the API and reads its events to run-finished. */
      const runThroughApi = async (workflow: string) => {
        const started = await api('/runs', { plan: PLAN, workflow });
        expect(started.status).toBe(202);
        const { runId } = (await started.json()) as { runId: string };
        const events = await api(`/runs/${encodeURIComponent(runId)}/events`);
        expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
        const text = await events.text(); // the stream ends after run-finished
        const types = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!);
        const finished = [...text.matchAll(/^data: (.+)$/gm)]
          .map((m) => JSON.parse(m[1]!) as { type: string; result?: string })
          .find((e) => e.type === 'run-finished');
        return { runId, types, result: finished?.result };
      };

      const before = await lab.vcenterCalls('vcsite2');
      const test = await runThroughApi('test');
      expect(test.result).toBe('success');
      expect(test.types).toContain('vm-powered-on');
      const calls = callsSince(before, await lab.vcenterCalls('vcsite2'));
      expect(calls.RegisterVM_Task).toEqual(Object.fromEntries(planVms.map((vm) => [vm, 1])));
      expect(poweredOnTwice(calls)).toEqual([]);
      const status = (await (await api(`/runs/${encodeURIComponent(test.runId)}`)).json()) as { result: string };
      expect(status.result).toBe('success');

      const cleanup = await runThroughApi('cleanup');
      expect(cleanup.result).toBe('success');
    } finally {
      server.kill('SIGTERM');
      await server.done;
    }
  }, 300_000);
});
