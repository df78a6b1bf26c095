import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SystemClock, environmentSchema } from '@drctl/domain';
import { SlotPool, uniformSlotLimits } from '@drctl/scheduler';
import { VsphereCompute, moref, readAll, startLabVcenter, text, type LabVcenter } from '@drctl/vsphere';
import { labClient } from './support/lab-client.js';

// Power-ons granted at the same moment share one Datacenter.PowerOnMultiVM_Task, never more VMs
// than the scheduler's slots allow, counted on a real vcsim.

const clock = new SystemClock();
const logger = pino({ level: 'silent' });
const signal = () => AbortSignal.timeout(20_000);
const hosts = ['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2'].map((name) => ({ name }));
const environment = environmentSchema.parse({
  name: 'batch',
  sites: [
    { name: 'a', vcenter: 'vc1', clusters: [{ name: 'DC0_C0', hosts }] },
    { name: 'b', vcenter: 'vc2', clusters: [{ name: 'DC0_C0', hosts }] },
  ],
  datastores: [],
  vms: [],
});

let dir: string;
let server: LabVcenter;

function adapter(): VsphereCompute {
  return new VsphereCompute({
    environment,
    clock,
    logger,
    pollIntervalMs: 50,
    vcenters: {
      a: { host: server.host, port: server.port, username: 'u', password: 'p', caPem: server.certPem },
    },
  });
}

/** VM name → its host, as vcsim placed it. */
async function placement(): Promise<Map<string, string>> {
  const client = labClient(server, clock, logger);
  const hostNames = new Map(
    (await readAll(client, 'HostSystem', ['name'], signal())).map((h) => [h.ref.value, text(h.props.get('name'))]),
  );
  const vms = await readAll(client, 'VirtualMachine', ['name', 'runtime.host'], signal());
  await client.close();
  return new Map(
    vms.map((v) => [text(v.props.get('name')), hostNames.get(moref(v.props.get('runtime.host'))?.value ?? '') ?? '']),
  );
}

const sum = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drctl-batch-'));
  server = await startLabVcenter(
    ['-username', 'u', '-password', 'p', '-vm', '8', '-autostart=false'],
    join(dir, 'vc.pem'),
  );
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PowerOnMultiVM_Task under the scheduler’s slots', () => {
  it('batches the VMs granted together, never past the per-host and per-cluster limits', async () => {
    const compute = adapter();
    const where = await placement();
    const vms = [...where.keys()].filter((n) => n.startsWith('DC0_C0_')).slice(0, 6);
    expect(vms).toHaveLength(6);
    const pool = new SlotPool(uniformSlotLimits(1, 2));
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      vms.map(async (vm, rank) => {
        const release = await pool.acquire({ host: where.get(vm)!, cluster: 'DC0_C0', rank });
        inFlight++;
        peak = Math.max(peak, inFlight);
        try {
          await compute.powerOn({ site: 'a', vm, signal: signal() });
        } finally {
          inFlight--;
          release();
        }
      }),
    );
    for (const vm of vms) expect(await compute.vmState({ site: 'a', vm, signal: signal() })).toBe('on');
    const sizes = compute.powerOnBatchSizes();
    expect(peak).toBeLessThanOrEqual(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
    const calls = await server.calls();
    // Counted by vcsim: one PowerOnMultiVM_Task per batch, a single PowerOnVM_Task for a VM that was alone.
    expect(sum(calls.PowerOnMultiVM_Task)).toBe(sizes.length);
    expect(sizes.reduce((a, b) => a + b, 0) + sum(calls.PowerOnVM_Task)).toBe(6);
    expect(sizes.length).toBeGreaterThan(0);
    await compute.close();
  });

  it('powers the VMs on one by one when vCenter refuses the batch, none twice', async () => {
    const compute = adapter();
    const where = await placement();
    const vms = [...where.keys()].filter((n) => n.startsWith('DC0_H0_') || n.startsWith('DC0_C0_')).slice(6, 8);
    expect(vms).toHaveLength(2);
    const before = await server.calls();
    await server.addFaults([{ method: 'PowerOnMultiVM_Task', fault: 'InvalidState', times: 1 }]);
    await Promise.all(vms.map((vm) => compute.powerOn({ site: 'a', vm, signal: signal() })));
    for (const vm of vms) expect(await compute.vmState({ site: 'a', vm, signal: signal() })).toBe('on');
    const after = await server.calls();
    expect(sum(after.PowerOnMultiVM_Task) - sum(before.PowerOnMultiVM_Task)).toBe(1);
    for (const vm of vms) expect(after.PowerOnVM_Task?.[vm]).toBe(1);
    // Asking again changes nothing.
    await Promise.all(vms.map((vm) => compute.powerOn({ site: 'a', vm, signal: signal() })));
    const again = await server.calls();
    expect(again.PowerOnMultiVM_Task).toEqual(after.PowerOnMultiVM_Task);
    expect(again.PowerOnVM_Task).toEqual(after.PowerOnVM_Task);
    await compute.close();
  });

  it('puts one listener on the caller’s signal however many calls are in flight under it', async () => {
    const client = labClient(server, clock, logger);
    const run = new AbortController();
    let settled = false;
    const calls = Promise.all(
      Array.from({ length: 24 }, () => readAll(client, 'VirtualMachine', ['name'], run.signal)),
    ).finally(() => (settled = true));
    // Node warns of a leak past ten listeners: an operator would read it in the middle of a recovery.
    let most = 0;
    while (!settled) {
      most = Math.max(most, getEventListeners(run.signal, 'abort').length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await calls).every((vms) => vms.length === 8)).toBe(true);
    expect(most).toBe(1);
    await client.close();
  });
});
