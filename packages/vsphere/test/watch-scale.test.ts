import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SystemClock, environmentSchema } from '@drctl/domain';
import { VsphereCompute } from '@drctl/vsphere';
import { startLabVcenter as startVcsim, type LabVcenter as RunningVcsim } from '@drctl/vsphere';

// Many VMs waited on at once cost a few property reads per interval, not a poll per VM; the
// calls per VM are counted on the server.

const VMS = 300;
let dir: string;
let server: RunningVcsim;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drctl-vsphere-scale-'));
  server = await startVcsim(
    ['-username', 'a', '-password', 'b', '-host', '4', '-vm', String(VMS), '-autostart=false', '-tools-delay', '1s'],
    join(dir, 'cert.pem'),
  );
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('watching many VMs', () => {
  it(`powers on ${VMS} VMs and waits for their heartbeats with a few reads per interval`, async () => {
    const hosts = ['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2', 'DC0_C0_H3'].map((name) => ({ name }));
    const compute = new VsphereCompute({
      environment: environmentSchema.parse({
        name: 'scale',
        sites: [{ name: 'site', vcenter: 'vc', clusters: [{ name: 'DC0_C0', hosts }] }],
      }),
      vcenters: { site: { host: server.host, port: server.port, username: 'a', password: 'b', caPem: server.certPem } },
      clock: new SystemClock(),
      logger: pino({ level: 'silent' }),
      pollIntervalMs: 200,
    });
    const names = Array.from({ length: VMS }, (_, i) => `DC0_C0_RP0_VM${i}`);
    const signal = AbortSignal.timeout(50_000);
    await Promise.all(names.map((vm) => compute.powerOn({ site: 'site', vm, signal })));
    const before = await server.calls();
    const reads = (calls: Record<string, Record<string, number>>) =>
      Object.values(calls.RetrievePropertiesEx ?? {}).reduce((a, b) => a + b, 0);
    const outcomes = await Promise.all(
      names.map((vm) => compute.waitForTools({ site: 'site', vm, timeoutMs: 20_000, signal })),
    );
    expect(outcomes.every((o) => o === 'ready')).toBe(true);
    const after = await server.calls();
    // About 1 s of heartbeat delay at 200 ms: a handful of batched reads (each covering every VM).
    const waitReads = reads(after) - reads(before);
    expect(waitReads).toBeLessThan(30);
    const total = Object.values(after)
      .flatMap((byTarget) => Object.values(byTarget))
      .reduce((a, b) => a + b, 0);
    const perVm = total / VMS;
    // Power-on (the VMs asked for at once share one PowerOnMultiVM_Task) and the heartbeat wait.
    expect(perVm).toBeLessThan(0.5);
    expect(after.PowerOnMultiVM_Task).toEqual({ DC0: 1 });
    expect(after.PowerOnVM_Task).toBeUndefined();
    process.stdout.write(
      `vsphere: ${VMS} VMs powered on and heartbeat-waited in ${total} vCenter calls (${perVm.toFixed(2)} per VM; ${waitReads} reads while waiting)\n`,
    );
    await compute.close();
  });
});
