import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SystemClock, environmentSchema, isDrError, type Environment } from '@drctl/domain';
import {
  VimClient,
  VsphereCompute,
  asArray,
  child,
  el,
  moref,
  morefEl,
  readAll,
  runTask,
  text,
  textEl,
  PropertyWatch,
} from '@drctl/vsphere';
import { startLabVcenter as startVcsim, type LabVcenter as RunningVcsim } from '@drctl/vsphere';

// Two real vcsim processes (protected and recovery vCenters, own credentials and instance UUIDs)
// driven through SOAP over HTTPS: the SRM recovery path and its faults.

const NAA = '6000d31000abcdef0000000000000101';
const hosts = ['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2'].map((name) => ({ name }));
const logger = pino({ level: 'silent' });
const clock = new SystemClock();
const signal = () => AbortSignal.timeout(20_000);

const environment: Environment = environmentSchema.parse({
  name: 'lab',
  sites: [
    { name: 'vcsite1', vcenter: 'vc1', clusters: [{ name: 'DC0_C0', hosts }], placeholderDatastore: 'LocalDS_0' },
    { name: 'vcsite2', vcenter: 'vc2', clusters: [{ name: 'DC0_C0', hosts }], placeholderDatastore: 'LocalDS_0' },
  ],
  datastores: [{ name: 'srmds1', site: 'vcsite1', devices: ['vol-srmds1'] }],
  vms: ['web01', 'db01'].map((name) => ({
    name,
    site: 'vcsite1',
    cluster: 'DC0_C0',
    host: 'DC0_C0_H0',
    datastores: ['srmds1'],
  })),
});

let dir: string;
let prot: RunningVcsim;
let rec: RunningVcsim;
let compute: VsphereCompute;

function adapter(recovery: RunningVcsim, overrides: Partial<{ thumbprint: string; password: string }> = {}) {
  return new VsphereCompute({
    environment,
    clock,
    logger,
    pollIntervalMs: 100,
    deviceNaa: (device) => (device === 'vol-srmds1' ? NAA : undefined),
    vcenters: {
      vcsite1: { host: prot.host, port: prot.port, username: 'prot-admin', password: 'p1!', caPem: prot.certPem },
      vcsite2: {
        host: recovery.host,
        port: recovery.port,
        username: 'rec-admin',
        password: overrides.password ?? 'r1!',
        ...(overrides.thumbprint ? { thumbprint: overrides.thumbprint } : { thumbprint: recovery.thumbprint }),
      },
    },
  });
}

/** A raw client for what the test itself does to the lab (creating the protected VMs). */
function rawClient(server: RunningVcsim, username: string, password: string) {
  const client = new VimClient({
    host: server.host,
    port: server.port,
    username,
    password,
    caPem: server.certPem,
    clock,
    logger,
  });
  return { client, watch: new PropertyWatch({ client, clock, intervalMs: 100, batchSize: 500 }) };
}

async function createProtectedVm(name: string) {
  const { client, watch } = rawClient(prot, 'prot-admin', 'p1!');
  const [dc] = await readAll(client, 'Datacenter', ['vmFolder'], signal());
  const [cluster] = await readAll(client, 'ClusterComputeResource', ['resourcePool'], signal());
  const nic = el(
    'deviceChange',
    textEl('operation', 'add') +
      el(
        'device',
        textEl('key', -1) + el('backing', textEl('deviceName', 'VM Network'), 'VirtualEthernetCardNetworkBackingInfo'),
        'VirtualVmxnet3',
      ),
  );
  const spec =
    textEl('name', name) +
    textEl('guestId', 'otherGuest') +
    el('files', textEl('vmPathName', `[srmds1] ${name}/${name}.vmx`)) +
    nic;
  await runTask(
    client,
    watch,
    'CreateVM_Task',
    moref(dc!.props.get('vmFolder'))!,
    el('config', spec) + morefEl('pool', moref(cluster!.props.get('resourcePool'))),
    signal(),
  );
  watch.close();
  await client.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drctl-vsphere-'));
  mkdirSync(join(dir, 'prot-san', 'srmds1'), { recursive: true });
  writeFileSync(join(dir, 'prot-san', 'srmds1', 'naa'), NAA);
  mkdirSync(join(dir, 'rec-san'));
  [prot, rec] = await Promise.all([
    startVcsim(
      [
        '-username',
        'prot-admin',
        '-password',
        'p1!',
        '-instance-uuid',
        'prot-uuid',
        '-san-dir',
        join(dir, 'prot-san'),
        '-mount-luns',
        '-tools-delay',
        '300ms',
      ],
      join(dir, 'prot.pem'),
    ),
    startVcsim(
      [
        '-username',
        'rec-admin',
        '-password',
        'r1!',
        '-instance-uuid',
        'rec-uuid',
        '-san-dir',
        join(dir, 'rec-san'),
        '-tools-delay',
        '300ms',
        '-tools-never',
        'db*',
      ],
      join(dir, 'rec.pem'),
    ),
  ]);
  await createProtectedVm('web01');
  await createProtectedVm('db01');
  compute = adapter(rec);
});

afterAll(async () => {
  await compute?.close();
  await Promise.all([prot?.stop(), rec?.stop()]);
  if (dir && !process.env.DRCTL_KEEP_LAB) rmSync(dir, { recursive: true, force: true });
});

describe('VsphereCompute against two vcsim vCenters', () => {
  it('shuts the protected VMs down and gives their datastore up at the protected site', async () => {
    for (const vm of ['web01', 'db01']) {
      await compute.powerOn({ site: 'vcsite1', vm, signal: signal() });
      expect(await compute.vmState({ site: 'vcsite1', vm, signal: signal() })).toBe('on');
      await compute.shutdownGuest({ site: 'vcsite1', vm, timeoutMs: 5000, signal: signal() });
      expect(await compute.vmState({ site: 'vcsite1', vm, signal: signal() })).toBe('off');
      await compute.unregisterVm({ site: 'vcsite1', vm, test: false, signal: signal() });
      expect(await compute.vmState({ site: 'vcsite1', vm, signal: signal() })).toBe('absent');
    }
    await compute.unmountDatastore({ site: 'vcsite1', datastore: 'srmds1', test: false, signal: signal() });
    // Unmounting again finds nothing to do.
    await compute.unmountDatastore({ site: 'vcsite1', datastore: 'srmds1', test: false, signal: signal() });
  });

  it('recovers them at the recovery site: rescan, resignature, register over the placeholder, NICs, power-on, heartbeat', async () => {
    await compute.createPlaceholder({ site: 'vcsite2', vm: 'web01', host: 'DC0_C0_H0', signal: signal() });
    expect(await compute.vmState({ site: 'vcsite2', vm: 'web01', signal: signal() })).toBe('placeholder');

    // Before the array fails over, the datastore does not appear.
    for (const h of hosts) await compute.rescanHost({ site: 'vcsite2', host: h.name, signal: signal() });
    await expect(
      compute.mountDatastore({
        site: 'vcsite2',
        datastore: 'srmds1',
        devices: ['vol-srmds1'],
        test: true,
        signal: signal(),
      }),
    ).rejects.toThrow(/srmds1 \(device vol-srmds1\) did not appear at vcsite2 after the rescans/);

    // The array's failover: the replica LUN, with the VMs' files, is presented to the recovery hosts.
    cpSync(join(dir, 'prot-san', 'srmds1'), join(dir, 'rec-san', 'srmds1'), { recursive: true });
    for (const h of hosts) await compute.rescanHost({ site: 'vcsite2', host: h.name, signal: signal() });
    await compute.mountDatastore({
      site: 'vcsite2',
      datastore: 'srmds1',
      devices: ['vol-srmds1'],
      test: true,
      signal: signal(),
    });
    await compute.mountDatastore({
      site: 'vcsite2',
      datastore: 'srmds1',
      devices: ['vol-srmds1'],
      test: true,
      signal: signal(),
    });

    for (const vm of ['web01', 'db01']) {
      await compute.registerVm({ site: 'vcsite2', vm, host: 'DC0_C0_H0', test: true, signal: signal() });
      await compute.registerVm({ site: 'vcsite2', vm, host: 'DC0_C0_H0', test: true, signal: signal() });
      expect(await compute.vmState({ site: 'vcsite2', vm, signal: signal() })).toBe('off');
    }

    // vcsim registers a VM without the NICs of its .vmx: give web01 one on the production network.
    const { client, watch } = rawClient(rec, 'rec-admin', 'r1!');
    const vms = await readAll(client, 'VirtualMachine', ['name', 'summary.config.vmPathName'], signal());
    const web01 = vms.find((v) => text(v.props.get('name')) === 'web01')!;
    expect(text(web01.props.get('summary.config.vmPathName'))).toMatch(
      /^\[snap-[0-9a-f]{8}-srmds1\] web01\/web01\.vmx$/,
    );
    const nic =
      textEl('operation', 'add') +
      el(
        'device',
        textEl('key', -1) + el('backing', textEl('deviceName', 'VM Network'), 'VirtualEthernetCardNetworkBackingInfo'),
        'VirtualVmxnet3',
      );
    await runTask(client, watch, 'ReconfigVM_Task', web01.ref, el('spec', el('deviceChange', nic)), signal());
    await compute.configureNetworks({
      site: 'vcsite2',
      vm: 'web01',
      mapping: { 'VM Network': 'DC0_DVPG1' },
      signal: signal(),
    });
    const [pg] = (await readAll(client, 'DistributedVirtualPortgroup', ['name', 'key'], signal())).filter(
      (p) => text(p.props.get('name')) === 'DC0_DVPG1',
    );
    const devices = await watch.read(web01.ref, ['config.hardware.device'], signal());
    const keys = asArray(child(devices.get('config.hardware.device'), 'VirtualDevice')).map((d) =>
      text(child(child(child(d, 'backing'), 'port'), 'portgroupKey')),
    );
    expect(keys).toContain(text(pg!.props.get('key')));
    watch.close();
    await client.close();

    for (const vm of ['web01', 'db01']) await compute.powerOn({ site: 'vcsite2', vm, signal: signal() });
    await compute.powerOn({ site: 'vcsite2', vm: 'web01', signal: signal() });
    expect(await compute.waitForTools({ site: 'vcsite2', vm: 'web01', timeoutMs: 5000, signal: signal() })).toBe(
      'ready',
    );
    // A heartbeat that never comes is a timeout, not an error.
    expect(await compute.waitForTools({ site: 'vcsite2', vm: 'db01', timeoutMs: 800, signal: signal() })).toBe(
      'timeout',
    );

    // Counted on the server: each VM registered and powered on once, however often asked.
    const calls = await rec.calls();
    expect(calls.RegisterVM_Task).toEqual({ web01: 1, db01: 1 });
    expect(calls.PowerOnVM_Task).toEqual({ web01: 1, db01: 1 });
    expect(calls.ResignatureUnresolvedVmfsVolume_Task).toBeDefined();
    expect(Object.values(calls.ResignatureUnresolvedVmfsVolume_Task!).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('maps a task that fails (InvalidState) to a DrError naming the method, the VM and the site', async () => {
    await compute.suspend({ site: 'vcsite2', vm: 'web01', signal: signal() });
    expect(await compute.vmState({ site: 'vcsite2', vm: 'web01', signal: signal() })).toBe('suspended');
    await rec.addFaults([{ method: 'PowerOnVM_Task', target: 'web01', fault: 'InvalidState', times: 1 }]);
    const failure: unknown = await compute
      .resume({ site: 'vcsite2', vm: 'web01', signal: signal() })
      .catch((e: unknown) => e);
    expect(isDrError(failure)).toBe(true);
    expect(failure).toMatchObject({
      code: 'DR_COMPUTE_ERROR',
      details: { site: 'vcsite2', method: 'PowerOnVM_Task', fault: 'InvalidState' },
    });
    expect((failure as Error).message).toMatch(
      /Resuming VM web01 at vcsite2 failed: vCenter answered InvalidState to PowerOnVM_Task/,
    );
    await compute.resume({ site: 'vcsite2', vm: 'web01', signal: signal() });
    expect(await compute.vmState({ site: 'vcsite2', vm: 'web01', signal: signal() })).toBe('on');
  });

  it('cleans a test up: power off, unregister (the placeholder comes back), unmount (the LUN is unresolved again)', async () => {
    for (const vm of ['web01', 'db01']) {
      await compute.powerOff({ site: 'vcsite2', vm, signal: signal() });
      await compute.unregisterVm({ site: 'vcsite2', vm, test: true, signal: signal() });
    }
    expect(await compute.vmState({ site: 'vcsite2', vm: 'web01', signal: signal() })).toBe('placeholder');
    expect(await compute.vmState({ site: 'vcsite2', vm: 'db01', signal: signal() })).toBe('absent');
    await compute.unmountDatastore({ site: 'vcsite2', datastore: 'srmds1', test: true, signal: signal() });
    const { client } = rawClient(rec, 'rec-admin', 'r1!');
    const stores = (await readAll(client, 'Datastore', ['name'], signal())).map((d) => text(d.props.get('name')));
    expect(stores.some((n) => n.endsWith('srmds1'))).toBe(false);
    await client.close();
    await compute.deletePlaceholder({ site: 'vcsite2', vm: 'web01', signal: signal() });
    expect(await compute.vmState({ site: 'vcsite2', vm: 'web01', signal: signal() })).toBe('absent');
  });

  it('refuses a vCenter whose certificate does not have the pinned thumbprint', async () => {
    const pinnedWrong = adapter(rec, { thumbprint: prot.thumbprint });
    expect(await pinnedWrong.isSiteReachable('vcsite2', signal())).toBe(false);
    await expect(pinnedWrong.vmState({ site: 'vcsite2', vm: 'web01', signal: signal() })).rejects.toMatchObject({
      code: 'DR_SITE_UNREACHABLE',
    });
    await pinnedWrong.close();
  });

  it('logs in again when the session expires (NotAuthenticated)', async () => {
    const expiring = await startVcsim(
      ['-username', 'rec-admin', '-password', 'r1!', '-session-idle-timeout', '1s'],
      join(dir, 'exp.pem'),
    );
    try {
      const a = adapter(expiring);
      expect(await a.vmState({ site: 'vcsite2', vm: 'DC0_C0_RP0_VM0', signal: signal() })).toBe('absent');
      await clock.sleep(2500);
      await a.rescanHost({ site: 'vcsite2', host: 'DC0_C0_H0', signal: signal() });
      const calls = await expiring.calls();
      expect(calls.Login).toEqual({ SessionManager: 2 });
      await a.close();
    } finally {
      await expiring.stop();
    }
  });

  it('sends a read again after a dropped connection, never a change; a vCenter that stops is unreachable', async () => {
    const dying = await startVcsim(['-username', 'rec-admin', '-password', 'r1!', '-vm', '1'], join(dir, 'dying.pem'));
    const a = adapter(dying);
    const vm = 'DC0_C0_RP0_VM0';
    expect(await a.isSiteReachable('vcsite2', signal())).toBe(true);
    await dying.addFaults([{ method: 'RetrievePropertiesEx', fault: 'drop', times: 1 }]);
    expect(await a.vmState({ site: 'vcsite2', vm, signal: signal() })).toBe('on');
    await dying.addFaults([{ method: 'PowerOffVM_Task', fault: 'drop', times: 1 }]);
    await expect(a.powerOff({ site: 'vcsite2', vm, signal: signal() })).rejects.toMatchObject({
      code: 'DR_SITE_UNREACHABLE',
      details: { method: 'PowerOffVM_Task' },
    });
    const calls = await dying.calls();
    expect(calls.PowerOffVM_Task).toEqual({ [vm]: 1 });
    // The dropped read reached the server and was sent again.
    expect(Object.values(calls.RetrievePropertiesEx!).reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(2);
    expect(await a.vmState({ site: 'vcsite2', vm, signal: signal() })).toBe('on');

    dying.process.kill('SIGKILL');
    await new Promise((r) => dying.process.once('exit', r));
    expect(await a.isSiteReachable('vcsite2', signal())).toBe(false);
    await expect(a.powerOff({ site: 'vcsite2', vm, signal: signal() })).rejects.toMatchObject({
      code: 'DR_SITE_UNREACHABLE',
    });
    await a.close();
    await dying.stop();
  });
});
