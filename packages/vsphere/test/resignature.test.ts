import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SystemClock, environmentSchema, resolveSettings } from '@drctl/domain';
import {
  VsphereCompute,
  asArray,
  child,
  readAll,
  startLabVcenter,
  text,
  type LabVcenter,
  type VimClient,
} from '@drctl/vsphere';
import { labClient } from './support/lab-client.js';

// SRM's storageProvider.autoResignatureMode, honoured against a real vcsim whose SAN presents two
// recovered LUNs: the plan's datastore and one drctl does not manage.

const clock = new SystemClock();
const logger = pino({ level: 'silent' });
const signal = () => AbortSignal.timeout(20_000);
const hosts = ['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2'].map((name) => ({ name }));
const environment = environmentSchema.parse({
  name: 'resig',
  sites: [
    { name: 'a', vcenter: 'vc1', clusters: [{ name: 'DC0_C0', hosts }] },
    { name: 'b', vcenter: 'vc2', clusters: [{ name: 'DC0_C0', hosts }] },
  ],
  datastores: [{ name: 'srmds1', site: 'a', devices: ['6000d31000abcdef0000000000000201'] }],
  vms: [],
});

let dir: string;
let server: LabVcenter;
let raw: VimClient;

function adapter(autoResignatureMode: number): VsphereCompute {
  return new VsphereCompute({
    environment,
    clock,
    logger,
    pollIntervalMs: 50,
    autoResignatureMode,
    vcenters: { b: { host: server.host, port: server.port, username: 'u', password: 'p', caPem: server.certPem } },
  });
}

async function datastoreNames(): Promise<string[]> {
  return (await readAll(raw, 'Datastore', ['name'], signal())).map((d) => text(d.props.get('name'))).sort();
}

async function unresolvedLabels(): Promise<string[]> {
  const [host] = await readAll(raw, 'HostSystem', ['configManager.datastoreSystem'], signal());
  const res = await raw.call(
    'QueryUnresolvedVmfsVolumes',
    { type: 'HostDatastoreSystem', value: text(host!.props.get('configManager.datastoreSystem')) },
    '',
    { signal: signal(), read: true },
  );
  return asArray(child(res, 'returnval'))
    .map((v) => text(child(v, 'vmfsLabel')))
    .sort();
}

const resignatures = async () =>
  Object.values((await server.calls()).ResignatureUnresolvedVmfsVolume_Task ?? {}).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drctl-resig-'));
  for (const [label, naa] of [
    ['srmds1', '6000d31000abcdef0000000000000201'],
    ['unmanaged', '6000d31000abcdef0000000000000299'],
  ] as const) {
    mkdirSync(join(dir, 'san', label), { recursive: true });
    writeFileSync(join(dir, 'san', label, 'naa'), naa);
  }
  server = await startLabVcenter(
    ['-username', 'u', '-password', 'p', '-san-dir', join(dir, 'san')],
    join(dir, 'vc.pem'),
  );
  raw = labClient(server, clock, logger);
});

afterAll(async () => {
  await raw?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('storageProvider.autoResignatureMode', () => {
  it('is 0 by default, and accepts only 0 and 1', () => {
    expect(resolveSettings([]).values['storageProvider.autoResignatureMode']).toBe(0);
    let refused: unknown;
    try {
      resolveSettings([
        { origin: 'override', pathPrefix: '--set', values: { 'storageProvider.autoResignatureMode': 2 } },
      ]);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      code: 'DR_SETTING_INVALID',
      issues: [{ path: '--set.storageProvider.autoResignatureMode', message: expect.stringMatching(/≤ 1, got 2/) }],
    });
  });

  it('0: resignatures only the plan’s volume; an already-resolved volume is used as it is', async () => {
    const compute = adapter(0);
    const mount = () =>
      compute.mountDatastore({
        site: 'b',
        datastore: 'srmds1',
        devices: environment.datastores[0]!.devices,
        test: true,
        signal: signal(),
      });
    await mount();
    expect(await resignatures()).toBe(1);
    expect((await datastoreNames()).filter((n) => n.startsWith('snap-'))).toEqual([
      expect.stringMatching(/^snap-[0-9a-f]{8}-srmds1$/),
    ]);
    expect(await unresolvedLabels()).toEqual(['unmanaged']);
    // Mounting again finds the resolved copy and sends nothing.
    await mount();
    expect(await resignatures()).toBe(1);
    await compute.unmountDatastore({ site: 'b', datastore: 'srmds1', test: true, signal: signal() });
    expect(await unresolvedLabels()).toEqual(['srmds1', 'unmanaged']);
    await compute.close();
  });

  it('1: resignatures every unresolved VMFS snapshot volume the host sees, including ones drctl does not manage', async () => {
    const before = await resignatures();
    const compute = adapter(1);
    await compute.mountDatastore({
      site: 'b',
      datastore: 'srmds1',
      devices: environment.datastores[0]!.devices,
      test: true,
      signal: signal(),
    });
    expect(await resignatures()).toBe(before + 2);
    const snaps = (await datastoreNames()).filter((n) => n.startsWith('snap-'));
    expect(snaps).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^snap-[0-9a-f]{8}-srmds1$/),
        expect.stringMatching(/^snap-[0-9a-f]{8}-unmanaged$/),
      ]),
    );
    expect(await unresolvedLabels()).toEqual([]);
    await compute.close();
  });
});
