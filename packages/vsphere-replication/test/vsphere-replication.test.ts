import { describe, it, expect } from '@jest/globals';
import {
  VirtualClock,
  environmentSchema,
  type CommandContext,
  type DeviceCommandRequest,
  type Environment,
} from '@drctl/domain';
import { createVsphereReplicationAdapter, vrArrayId } from '../src/index.js';

function environment(): Environment {
  const site = (name: string) => ({
    name,
    vcenter: `vc-${name}`,
    clusters: [{ name: `cl-${name}`, hosts: [{ name: `esx-${name}` }] }],
  });
  const vm = (name: string) => ({ name, site: 'a', cluster: 'cl-a', host: 'esx-a', datastores: ['ds1'] });
  // Schema only: the VMs' local datastore has no replicated volume behind it, as with vSphere Replication.
  return environmentSchema.parse({
    name: 'vr',
    sites: [site('a'), site('b')],
    arrayManagers: [{ name: 'vr', site: 'a', adapter: 'vsphere-replication' }],
    datastores: [{ name: 'ds1', site: 'a', devices: ['local-1'] }],
    vms: [vm('web1'), vm('web2'), vm('db1')],
    protectionGroups: [
      { name: 'pg-web', type: 'vsphere-replication', vms: ['web1', 'web2'], rpoMinutes: 15 },
      { name: 'pg-db', type: 'vsphere-replication', vms: ['db1'], rpoMinutes: 5 },
    ],
  });
}

const A = vrArrayId('a');
const B = vrArrayId('b');

function request(
  arrayId: string,
  devices: string[],
  over: Omit<Partial<DeviceCommandRequest>, 'context'> & { context?: Partial<CommandContext> } = {},
): DeviceCommandRequest {
  return {
    signal: new AbortController().signal,
    devices,
    arrayId,
    idempotencyKey: 'k',
    ...over,
    context: { workflow: 'planned-migration', plan: 'p', runId: 'r', ...over.context },
  };
}

function setup() {
  const clock = new VirtualClock();
  const adapter = createVsphereReplicationAdapter({ env: environment(), clock, seed: 7 });
  return { clock, adapter };
}

const ok = (result: { devices: Array<{ status: string }> }) => result.devices.every((d) => d.status === 'success');
const warned = (result: { devices: Array<{ warnings: string[] }> }) =>
  result.devices.every((d) => d.warnings.length > 0);

describe('vSphere replication stub', () => {
  it('discovers one device per replicated VM, grouped by protection group, per site', async () => {
    const { adapter } = setup();
    const signal = new AbortController().signal;
    expect((await adapter.discoverArrays({ signal })).map((a) => a.id)).toEqual([A, B]);
    const atA = await adapter.discoverDevices({ arrayId: A, signal });
    expect(atA.map((d) => [d.id, d.role, d.state, d.consistencyGroup])).toEqual([
      ['web1', 'source', 'read-write', 'pg-web'],
      ['web2', 'source', 'read-write', 'pg-web'],
      ['db1', 'source', 'read-write', 'pg-db'],
    ]);
    const atB = await adapter.discoverDevices({ arrayId: B, peerArrayId: A, signal });
    expect(atB.every((d) => d.role === 'target' && d.state === 'read-only' && d.peerArrayId === A)).toBe(true);
  });

  it('syncs in virtual time, adds a point-in-time instance and reports progress; a repeat with the same key does nothing new', async () => {
    const { clock, adapter } = setup();
    const progress: number[] = [];
    const started = clock.now();
    const first = await clock.runUntil(
      adapter.syncOnce(request(A, ['web1'], { onProgress: (p) => progress.push(p.percent) })),
    );
    expect(ok(first)).toBe(true);
    expect(clock.now() - started).toBeGreaterThanOrEqual(15_000);
    expect(progress).toEqual([0, 100]);
    const instances = adapter.snapshot().vms.find((v) => v.vm === 'web1')!.instances.length;
    const again = await clock.runUntil(adapter.syncOnce(request(A, ['web1'])));
    expect(warned(again)).toBe(true);
    expect(adapter.snapshot().vms.find((v) => v.vm === 'web1')!.instances.length).toBe(instances);
  });

  it('reports sync status while a sync runs and when it is done', async () => {
    const { clock, adapter } = setup();
    const sync = adapter.syncOnce(request(A, ['db1'], { idempotencyKey: 'k2' }));
    await clock.advance(5_000);
    const during = await adapter.querySyncStatus(request(A, ['db1']));
    expect(during.progress[0]).toMatchObject({ device: 'db1', status: 'in-progress' });
    await clock.runUntil(sync);
    const after = await adapter.querySyncStatus(request(A, ['db1']));
    expect(after.progress[0]).toEqual({ device: 'db1', status: 'complete', percent: 100 });
  });

  it('runs test and cleanup on the recovery site, idempotently', async () => {
    const { adapter } = setup();
    const start = await adapter.testFailoverStart(request(B, ['web1', 'web2'], { context: { workflow: 'test' } }));
    expect(ok(start)).toBe(true);
    expect(start.devices[0]!.details?.instance).toBe('web1@0');
    expect(warned(await adapter.testFailoverStart(request(B, ['web1', 'web2'])))).toBe(true);
    // A test on the protected site is refused with the reason.
    const wrong = await adapter.testFailoverStart(request(A, ['web1']));
    expect(wrong.devices[0]!.error?.code).toBe('VR_WRONG_SITE');
    expect(ok(await adapter.testFailoverStop(request(B, ['web1', 'web2'])))).toBe(true);
    expect(warned(await adapter.testFailoverStop(request(B, ['web1', 'web2'])))).toBe(true);
  });

  it('runs planned migration, reprotect and failback, each repeat a no-op with a warning', async () => {
    const { clock, adapter } = setup();
    const vms = ['web1', 'web2', 'db1'];
    const twice = async (run: () => Promise<{ devices: Array<{ status: string; warnings: string[] }> }>) => {
      const first = await clock.runUntil(run());
      expect(ok(first)).toBe(true);
      const second = await clock.runUntil(run());
      expect(ok(second) && warned(second)).toBe(true);
    };
    await twice(() => adapter.syncOnce(request(A, vms, { idempotencyKey: 'pre' })));
    await twice(() => adapter.prepareFailover(request(A, vms)));
    await twice(() => adapter.failover(request(B, vms)));
    const promoted = await adapter.discoverDevices({ arrayId: B, signal: new AbortController().signal });
    expect(promoted.every((d) => d.role === 'source' && d.promoted && d.state === 'read-write')).toBe(true);
    await twice(() => adapter.prepareReverseReplication(request(A, vms)));
    await twice(() => adapter.reverseReplication(request(B, vms)));
    const reversed = await adapter.discoverDevices({ arrayId: B, signal: new AbortController().signal });
    expect(reversed.every((d) => d.role === 'source' && !d.promoted)).toBe(true);
    // Failback: the same commands in the other direction.
    await twice(() => adapter.syncOnce(request(B, vms, { idempotencyKey: 'back' })));
    await twice(() => adapter.prepareFailover(request(B, vms)));
    await twice(() => adapter.failover(request(A, vms)));
    await twice(() => adapter.prepareReverseReplication(request(B, vms)));
    await twice(() => adapter.reverseReplication(request(A, vms)));
    const home = await adapter.discoverDevices({ arrayId: A, signal: new AbortController().signal });
    expect(home.every((d) => d.role === 'source' && d.peerArrayId === B)).toBe(true);
  });

  it('recovers a chosen point-in-time instance and warns when the data is older than the RPO', async () => {
    const { clock, adapter } = setup();
    await clock.advance(60 * 60_000);
    const result = await adapter.failover(
      request(B, ['db1'], {
        context: { workflow: 'disaster-recovery', protectedSiteUp: false, restorePoints: { db1: 'db1@0' } },
      }),
    );
    expect(result.devices[0]).toMatchObject({ status: 'success', details: { instance: 'db1@0' } });
    expect(result.devices[0]!.warnings.join(' ')).toMatch(/beyond the group's RPO of 5 min/);
    const missing = await adapter.failover(request(B, ['web1'], { context: { restorePoints: { web1: 'nope' } } }));
    expect(missing.devices[0]!.error?.code).toBe('VR_INSTANCE_NOT_FOUND');
  });

  it('restores replication after an aborted recovery', async () => {
    const { adapter } = setup();
    await adapter.prepareFailover(request(A, ['web1']));
    await adapter.failover(request(B, ['web1']));
    expect(ok(await adapter.restoreReplication(request(A, ['web1'])))).toBe(true);
    expect(warned(await adapter.restoreReplication(request(A, ['web1'])))).toBe(true);
    const devices = await adapter.discoverDevices({ arrayId: A, signal: new AbortController().signal });
    expect(devices.find((d) => d.id === 'web1')).toMatchObject({
      role: 'source',
      state: 'read-write',
      promoted: false,
    });
  });

  it('refuses unknown VMs per device and unknown arrays by field', async () => {
    const { adapter } = setup();
    const result = await adapter.failover(request(B, ['web1', 'ghost']));
    expect(result.devices.map((d) => d.status)).toEqual(['success', 'error']);
    expect(result.devices[1]!.error?.code).toBe('VR_NOT_REPLICATED');
    await expect(adapter.failover(request('nowhere', ['web1']))).rejects.toMatchObject({ code: 'DR_INPUT_INVALID' });
  });

  it('honours the AbortSignal: a sync in flight is cut, a call with an aborted signal does nothing', async () => {
    const { clock, adapter } = setup();
    const controller = new AbortController();
    const pending = adapter.syncOnce(request(A, ['web1'], { signal: controller.signal, idempotencyKey: 'cut' }));
    clock.setTimer(1000, () => controller.abort(new Error('command timeout')));
    await expect(clock.runUntil(pending)).rejects.toThrow('command timeout');
    const aborted = new AbortController();
    aborted.abort(new Error('gone'));
    await expect(adapter.prepareFailover(request(A, ['web1'], { signal: aborted.signal }))).rejects.toThrow('gone');
    expect(adapter.snapshot().vms.find((v) => v.vm === 'web1')!.status).toBe('replicating');
  });

  it('snapshot() and restore() round-trip the state as JSON', async () => {
    const { clock, adapter } = setup();
    await clock.runUntil(adapter.syncOnce(request(A, ['web1'], { idempotencyKey: 's1' })));
    await adapter.prepareFailover(request(A, ['web1']));
    await adapter.failover(request(B, ['web1']));
    const saved = JSON.parse(JSON.stringify(adapter.snapshot()));
    const fresh = createVsphereReplicationAdapter({ env: environment(), clock, seed: 7 });
    fresh.restore(saved);
    expect(fresh.snapshot()).toEqual(adapter.snapshot());
    // The restored adapter knows the failover and the finished sync.
    expect(warned(await fresh.failover(request(B, ['web1'])))).toBe(true);
    expect(warned(await clock.runUntil(fresh.syncOnce(request(A, ['web2'], { idempotencyKey: 's1' }))))).toBe(false);
    expect(() => fresh.restore({ version: 2 })).toThrow(expect.objectContaining({ code: 'DR_INPUT_INVALID' }));
  });
});
