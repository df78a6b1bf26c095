import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SystemClock, loadEnvironment } from '@drctl/domain';
import { seedFromEnvironment, startDsmSimulator, type DsmSimulator } from '@drctl/dsm-simulator';
import { runCheck, type CheckReport } from '@drctl/runtime';
import {
  PropertyWatch,
  VimClient,
  morefEl,
  readAll,
  runTask,
  startLabVcenter,
  text,
  type LabVcenter,
} from '@drctl/vsphere';

// `drctl check --live` against real endpoints: two lab vCenters (vcsim over SOAP/HTTPS) and the
// DSM simulator over HTTPS, named by the environment file as real ones would be. The protected
// vCenter holds a VM without VMware Tools and a host that does not mount the protected
// datastore; the Data Collector holds a replication of another type than the file says and a
// QoS node whose link speed differs between the arrays.

const NAA = '6000d31000abcdef0000000000000101';
const clock = new SystemClock();
const logger = pino({ level: 'silent' });
const signal = () => AbortSignal.timeout(20_000);
const HOSTS = '[{ name: DC0_C0_H0 }, { name: DC0_C0_H1 }, { name: DC0_C0_H2 }]';

let dir: string;
let prot: LabVcenter;
let rec: LabVcenter;
let dsm: DsmSimulator;
let file: string;

function environmentText(): string {
  const vc = (server: LabVcenter, pem: string) =>
    `{ host: 127.0.0.1, port: ${server.port}, username: admin, passwordEnv: DRCTL_LIVE_VC_PASSWORD, caFile: ${join(dir, pem)} }`;
  return `
name: live-lab
sites:
  - name: vcsite1
    vcenter: vc1
    vcenterConnection: ${vc(prot, 'prot.pem')}
    placeholderDatastore: LocalDS_0
    clusters: [{ name: DC0_C0, hosts: ${HOSTS} }]
  - name: vcsite2
    vcenter: vc2
    vcenterConnection: ${vc(rec, 'rec.pem')}
    placeholderDatastore: LocalDS_0
    clusters: [{ name: DC0_C0, hosts: ${HOSTS} }]
arrayManagers:
  - name: dsm1
    site: vcsite2
    adapter: sc-series
    connection: { host: 127.0.0.1, port: ${dsm?.port ?? 1}, username: srm, passwordEnv: DRCTL_LIVE_DSM_PASSWORD, caFile: ${join(dir, 'dsm-ca.pem')} }
arrays:
  - { id: sc1, site: vcsite1, serial: 101, arrayManager: dsm1, qosProfile: Replication-1Gbps }
  - { id: sc2, site: vcsite2, serial: 102, arrayManager: dsm1, qosProfile: Replication-1Gbps }
arrayPairs: [{ name: pair, arrays: [sc1, sc2] }]
volumes: [{ id: '${NAA}', sourceArray: sc1, targetArray: sc2, replication: async }]
datastores: [{ name: srmds1, site: vcsite1, devices: ['${NAA}'] }]
vms:
  - { name: DC0_C0_RP0_VM0, site: vcsite1, cluster: DC0_C0, host: DC0_C0_H0, datastores: [srmds1] }
  - { name: DC0_C0_RP0_VM1, site: vcsite1, cluster: DC0_C0, host: DC0_C0_H1, datastores: [srmds1] }
protectionGroups: [{ name: pg, type: array, arrayPair: pair, datastores: [srmds1] }]
plans:
  - name: plan
    protectedSite: vcsite1
    recoverySite: vcsite2
    protectionGroups: [pg]
`;
}

/** The protected lab: both VMs on (Tools start only in VM0), srmds1 unmounted from DC0_C0_H2. */
async function arrangeProtectedVcenter(): Promise<void> {
  const client = new VimClient({
    host: prot.host,
    port: prot.port,
    username: 'admin',
    password: 'pw',
    caPem: prot.certPem,
    clock,
    logger,
  });
  const watch = new PropertyWatch({ client, clock, intervalMs: 100, batchSize: 500 });
  try {
    for (const vm of await readAll(client, 'VirtualMachine', ['name'], signal()))
      await runTask(client, watch, 'PowerOnVM_Task', vm.ref, '', signal());
    const hosts = await readAll(client, 'HostSystem', ['name', 'configManager.datastoreSystem'], signal());
    const h2 = hosts.find((h) => text(h.props.get('name')) === 'DC0_C0_H2')!;
    const [srmds1] = (await readAll(client, 'Datastore', ['name'], signal())).filter(
      (d) => text(d.props.get('name')) === 'srmds1',
    );
    await client.call(
      'RemoveDatastore',
      { type: 'HostDatastoreSystem', value: text(h2.props.get('configManager.datastoreSystem')) },
      morefEl('datastore', srmds1!.ref),
      { signal: signal(), read: false },
    );
    // VM0's Tools answer after the lab's Tools delay.
    for (let i = 0; i < 100; i++) {
      const vms = await readAll(client, 'VirtualMachine', ['name', 'guest.toolsStatus'], signal());
      const vm0 = vms.find((v) => text(v.props.get('name')) === 'DC0_C0_RP0_VM0');
      if (text(vm0?.props.get('guest.toolsStatus')) === 'toolsOk') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('VM0 never reported its Tools');
  } finally {
    watch.close();
    await client.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drctl-check-live-'));
  mkdirSync(join(dir, 'prot-san', 'srmds1'), { recursive: true });
  writeFileSync(join(dir, 'prot-san', 'srmds1', 'naa'), NAA);
  const auth = ['-username', 'admin', '-password', 'pw'];
  [prot, rec] = await Promise.all([
    startLabVcenter(
      [
        ...auth,
        '-vm',
        '2',
        '-autostart=false',
        '-san-dir',
        join(dir, 'prot-san'),
        '-mount-luns',
        '-tools-delay',
        '200ms',
        '-tools-never',
        'DC0_C0_RP0_VM1',
      ],
      join(dir, 'prot.pem'),
    ),
    startLabVcenter([...auth, '-vm', '0'], join(dir, 'rec.pem')),
  ]);
  await arrangeProtectedVcenter();

  // The Data Collector: the replication is synchronous although the file says async, and the
  // QoS node runs at another speed on sc2.
  const seeded = loadEnvironment(
    environmentText().replace('replication: async', 'replication: sync-high-availability'),
  );
  const seed = seedFromEnvironment(seeded);
  for (const node of seed.qosNodes ?? []) node.linkSpeed = node.storageCenter === 102 ? '100 Mbps' : '1 Gbps';
  dsm = await startDsmSimulator({ clock, credentials: [{ username: 'srm', password: 'dsm-pw' }], seed });
  writeFileSync(join(dir, 'dsm-ca.pem'), dsm.caPem);
  file = join(dir, 'environment.yaml');
  writeFileSync(file, environmentText());
}, 120_000);

afterAll(async () => {
  await Promise.all([prot?.stop(), rec?.stop(), dsm?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const passwords = { DRCTL_LIVE_VC_PASSWORD: 'pw', DRCTL_LIVE_DSM_PASSWORD: 'dsm-pw' };

describe('drctl check --live against real endpoints (vcsim + the DSM simulator over HTTPS)', () => {
  it('reads Tools, host ↔ datastore visibility, QoS nodes and replication types, and reports each finding', async () => {
    const report: CheckReport = await runCheck({ environmentPath: file, live: true, processEnv: passwords });
    expect(report.live.endpoints).toBe('real');
    expect(report.live.sources.map((s) => [s.source, s.adapter, s.status])).toEqual([
      ['vcsite1', 'vsphere', 'ok'],
      ['vcsite2', 'vsphere', 'ok'],
      ['dsm1', 'sc-series', 'ok'],
    ]);
    const live = report.findings.filter((f) => f.scope === 'live');
    expect(live).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'LIVE_VM_NO_TOOLS',
          severity: 'warning',
          path: 'vms[1]',
          message: expect.stringContaining('VM DC0_C0_RP0_VM1 has no VMware Tools (vCenter reports toolsNotInstalled)'),
          fix: expect.stringContaining('Install VMware Tools'),
        }),
        expect.objectContaining({
          code: 'LIVE_HOST_CANNOT_SEE_DATASTORE',
          severity: 'warning',
          path: 'sites[0].clusters[0].hosts[2].name',
          message: expect.stringContaining(
            `Host DC0_C0_H2 at vcsite1 cannot see datastore srmds1 (device ${NAA}), which DC0_C0_H0, DC0_C0_H1 of cluster DC0_C0 see`,
          ),
        }),
        expect.objectContaining({ code: 'LIVE_REPLICATION_DIFFERS', path: 'volumes[0]' }),
        expect.objectContaining({
          code: 'LIVE_QOS_NODE_DIFFERS',
          path: 'arrayPairs[0]',
          message: expect.stringContaining('link speed 1 Gbps on sc1, 100 Mbps on sc2'),
        }),
      ]),
    );
    // VM0 has its Tools, and hosts H0/H1 see srmds1: no finding names them.
    expect(live.filter((f) => f.path === 'vms[0]' || /hosts\[[01]\]/.test(f.path))).toEqual([]);
    expect(report.live.coverage.live.join(' ')).toMatch(/VMware Tools/);
  }, 60_000);

  it('says which endpoint could not be asked, and why, without losing the others', async () => {
    const report = await runCheck({
      environmentPath: file,
      live: true,
      processEnv: { DRCTL_LIVE_VC_PASSWORD: 'pw' },
    });
    const dsmSource = report.live.sources.find((s) => s.source === 'dsm1');
    expect(dsmSource).toMatchObject({ status: 'error' });
    expect(dsmSource?.message).toMatch(/arrayManagers\[0\]\.connection\.passwordEnv/);
    expect(report.findings.map((f) => f.code)).toContain('LIVE_VM_NO_TOOLS');
  }, 60_000);

  it('asks the simulated world instead when told to', async () => {
    const report = await runCheck({ environmentPath: file, live: true, simulate: true, processEnv: passwords });
    expect(report.live.endpoints).toBe('simulated');
    expect(report.findings.map((f) => f.code)).not.toContain('LIVE_VM_NO_TOOLS');
  }, 60_000);
});
