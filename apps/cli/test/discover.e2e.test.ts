import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { load as parseYaml } from 'js-yaml';
import { SystemClock } from '@drctl/domain';
import { startDsmSimulator, type DsmSimulator } from '@drctl/dsm-simulator';
import {
  PropertyWatch,
  VimClient,
  el,
  moref,
  morefEl,
  readAll,
  runTask,
  startLabVcenter,
  textEl,
  type LabVcenter,
} from '@drctl/vsphere';
import { runCli } from '../src/index.js';
import { tempDir } from './support/cli-process.js';
import { memoryIo } from './support/memory-io.js';

// `drctl discover` against real servers: two lab vCenters (vcsim over HTTPS, own credentials; the
// protected one mounts the replicated LUNs, the recovery one the Live Volume's secondary) and the
// DSM simulator over HTTPS. The file it writes must validate.

const PROT = 101;
const REC = 102;
const clock = new SystemClock();
const logger = pino({ level: 'silent' });
const signal = () => AbortSignal.timeout(30_000);

let dir: string;
let dsm: DsmSimulator;
let prot: LabVcenter;
let rec: LabVcenter;

function lun(san: string, label: string, deviceId: string): void {
  mkdirSync(join(san, label), { recursive: true });
  writeFileSync(join(san, label, 'naa'), deviceId);
}

async function createVm(server: LabVcenter, user: string, password: string, name: string, datastore: string) {
  const client = new VimClient({
    host: server.host,
    port: server.port,
    username: user,
    password,
    caPem: server.certPem,
    clock,
    logger,
  });
  const watch = new PropertyWatch({ client, clock, intervalMs: 50, batchSize: 500 });
  const [dc] = await readAll(client, 'Datacenter', ['vmFolder'], signal());
  const [cluster] = await readAll(client, 'ClusterComputeResource', ['resourcePool'], signal());
  const spec =
    textEl('name', name) +
    textEl('guestId', 'otherGuest') +
    el('files', textEl('vmPathName', `[${datastore}] ${name}/${name}.vmx`));
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
  dir = tempDir('discover');
  dsm = await startDsmSimulator({
    credentials: { username: 'drctl', password: 'dsm-pw' },
    seed: {
      storageCenters: [
        { serial: PROT, name: 'SC prot', site: 'vcsite1' },
        { serial: REC, name: 'SC rec', site: 'vcsite2' },
      ],
      qosNodes: [
        { storageCenter: PROT, name: 'qos' },
        { storageCenter: REC, name: 'qos' },
      ],
      volumes: [
        { storageCenter: PROT, name: 'srmds1' },
        { storageCenter: PROT, name: 'lvds' },
        { storageCenter: PROT, name: 'scratch' },
      ],
      replications: [{ storageCenter: PROT, sourceVolume: 'srmds1', destinationStorageCenter: REC, qosNode: 'qos' }],
      liveVolumes: [
        {
          storageCenter: PROT,
          primaryVolume: 'lvds',
          secondaryStorageCenter: REC,
          type: 'Synchronous',
          syncMode: 'HighAvailability',
          primaryQosNode: 'qos',
          secondaryQosNode: 'qos',
          failoverAutomaticallyEnabled: true,
        },
      ],
    },
  });
  writeFileSync(join(dir, 'dsm-ca.pem'), dsm.caPem);
  const deviceId = (serial: number, name: string) =>
    String(dsm.model.volumes(serial).find((v) => String(v['name']).includes(name))!['deviceId']);

  // The protected hosts see the replicated volume and the Live Volume; the recovery hosts the Live Volume's secondary.
  lun(join(dir, 'prot-san'), 'srmds1', deviceId(PROT, 'srmds1'));
  lun(join(dir, 'prot-san'), 'lvds', deviceId(PROT, 'lvds'));
  lun(join(dir, 'rec-san'), 'lvds', deviceId(REC, 'lvds'));
  [prot, rec] = await Promise.all([
    startLabVcenter(
      [
        '-username',
        'prot-admin',
        '-password',
        'p1!',
        '-instance-uuid',
        'prot',
        '-san-dir',
        join(dir, 'prot-san'),
        '-mount-luns',
      ],
      join(dir, 'prot.pem'),
    ),
    startLabVcenter(
      [
        '-username',
        'rec-admin',
        '-password',
        'r1!',
        '-instance-uuid',
        'rec',
        '-san-dir',
        join(dir, 'rec-san'),
        '-mount-luns',
      ],
      join(dir, 'rec.pem'),
    ),
  ]);
  await createVm(prot, 'prot-admin', 'p1!', 'web01', 'srmds1');
  await createVm(prot, 'prot-admin', 'p1!', 'db01', 'srmds1');
  await createVm(prot, 'prot-admin', 'p1!', 'app01', 'lvds');
});

afterAll(async () => {
  await Promise.all([prot?.stop(), rec?.stop(), dsm?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('drctl discover', () => {
  it('writes a starting environment file from two vCenters and a Data Collector, and it validates', async () => {
    const env = { VC1_PW: 'p1!', VC2_PW: 'r1!', DSM_PW: 'dsm-pw' };
    const dsmUrl = `https://drctl@127.0.0.1:${dsm.port}?passwordEnv=DSM_PW&caFile=${join(dir, 'dsm-ca.pem')}`;
    const io = memoryIo({ cwd: dir, env });
    const before = await prot.calls();
    const code = await runCli(
      [
        'discover',
        '--vcenter',
        `https://prot-admin@127.0.0.1:${prot.port}?site=vcsite1&passwordEnv=VC1_PW&thumbprint=${prot.thumbprint}`,
        '--dsm',
        dsmUrl,
        '--vcenter',
        `https://rec-admin@127.0.0.1:${rec.port}?site=vcsite2&passwordEnv=VC2_PW&caFile=${join(dir, 'rec.pem')}`,
        '--dsm',
        dsmUrl,
        '--out',
        'lab.yaml',
        '--name',
        'lab',
        '--json',
      ],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(io.out()) as { counts: Record<string, number>; todo: string[] };
    expect(summary.counts).toEqual({ sites: 2, hosts: 6, vms: 3, datastores: 2, volumes: 2, liveVolumes: 1 });
    expect(summary.todo.join('\n')).toMatch(/priority 3, no dependencies, no callouts/);
    expect(summary.todo.join('\n')).toMatch(/placeholder datastore LocalDS_0/);

    const text = readFileSync(join(dir, 'lab.yaml'), 'utf8');
    // Passwords are referenced, never written.
    expect(text).not.toMatch(/p1!|r1!|dsm-pw/);
    expect(text).toMatch(/^# Written by drctl discover/);
    const doc = parseYaml(text) as Record<string, unknown>;
    expect(doc['arrays']).toEqual([
      { id: 'sc-101', site: 'vcsite1', serial: 101, arrayManager: 'dsm-vcsite1' },
      { id: 'sc-102', site: 'vcsite2', serial: 102, arrayManager: 'dsm-vcsite2' },
    ]);
    expect(doc['volumes']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'srmds1', sourceArray: 'sc-101', targetArray: 'sc-102', replication: 'async' }),
        expect.objectContaining({
          id: 'lvds',
          replication: 'sync-high-availability',
          liveVolume: { autoFailover: true, autoRoleSwap: false },
        }),
      ]),
    );
    expect(doc['datastores']).toEqual(
      expect.arrayContaining([
        { name: 'srmds1', site: 'vcsite1', devices: ['srmds1'] },
        { name: 'lvds', site: 'vcsite1', devices: ['lvds'] },
      ]),
    );
    expect(doc['vms']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'web01', site: 'vcsite1', cluster: 'DC0_C0', datastores: ['srmds1'] }),
        expect.objectContaining({ name: 'app01', site: 'vcsite1', datastores: ['lvds'] }),
      ]),
    );
    expect(doc['plans']).toEqual([
      {
        name: 'Protect vcsite1',
        protectedSite: 'vcsite1',
        recoverySite: 'vcsite2',
        protectionGroups: ['pg-vcsite1-sc-101-sc-102'],
      },
    ]);

    const validate = memoryIo({ cwd: dir });
    expect(await runCli(['validate', 'lab.yaml', '--json'], validate)).toBe(0);
    expect(JSON.parse(validate.out())).toMatchObject({
      valid: true,
      counts: { sites: 2, vms: 3, volumes: 2, liveVolumes: 1, datastores: 2, protectionGroups: 1, plans: 1 },
    });

    // drctl check reads it too (its findings are for the person the todo list speaks to).
    const check = memoryIo({ cwd: dir });
    await runCli(['check', '--env', 'lab.yaml', '--no-history', '--json'], check);
    expect(JSON.parse(check.out())).toMatchObject({ loaded: true, environment: 'lab' });

    // Counted by the protected vCenter: one ContainerView read per object type (whatever the
    // number of VMs), and nothing but reads.
    const after = await prot.calls();
    const delta = (method: string) =>
      Object.values(after[method] ?? {}).reduce((a, b) => a + b, 0) -
      Object.values(before[method] ?? {}).reduce((a, b) => a + b, 0);
    expect(delta('RetrievePropertiesEx')).toBe(7);
    expect(delta('CreateContainerView')).toBe(7);
    expect(Object.keys(after).filter((m) => m.endsWith('_Task') && delta(m) > 0)).toEqual([]);
  });

  it('refuses a password in the URL, naming the option', async () => {
    const io = memoryIo({ cwd: dir });
    const code = await runCli(
      ['discover', '--vcenter', `https://admin:secret@127.0.0.1:${prot.port}`, '--out', 'x.yaml'],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toMatch(/--vcenter\[0\]/);
    expect(io.err()).toMatch(/password must not be in the URL/);
    expect(io.err()).not.toMatch(/secret/);
  });

  it('names the site and the vCenter when one refuses the login, without the password', async () => {
    const io = memoryIo({ cwd: dir, env: { VC1_PW: 'not-the-password' } });
    const code = await runCli(
      [
        'discover',
        '--vcenter',
        `https://prot-admin@127.0.0.1:${prot.port}?site=vcsite1&passwordEnv=VC1_PW&caFile=${join(dir, 'prot.pem')}`,
        '--out',
        'refused.yaml',
      ],
      io,
    );
    expect(code).toBe(3);
    expect(io.err()).toMatch(/Reading the inventory of vCenter 127\.0\.0\.1 at vcsite1 failed/);
    expect(io.err()).toMatch(/InvalidLogin/);
    expect(io.err()).not.toMatch(/not-the-password/);
  });
});
