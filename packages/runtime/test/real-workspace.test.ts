import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from '@drctl/runtime';
import { startLabVcenter, type LabVcenter } from '@drctl/vsphere';

// Without --simulate the runtime composes real endpoints: each site's vCenter from the
// environment file (here a lab vCenter, vcsim), refusing before any change and listing every
// problem when something is missing or misnamed.

let dir: string;
let vcenter: LabVcenter;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drctl-real-'));
  vcenter = await startLabVcenter(['-username', 'admin', '-password', 'pw', '-vm', '1'], join(dir, 'vc.pem'));
});

afterAll(async () => {
  await vcenter?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function writeEnvironment(name: string, options: { host?: string; vm?: string; simulatedStorage?: boolean }): string {
  const connection = `{ host: 127.0.0.1, port: ${vcenter.port}, username: admin, passwordEnv: DRCTL_TEST_VC_PASSWORD, caFile: ${join(dir, 'vc.pem')} }`;
  const text = `
name: ${name}
sites:
  - name: vcsite1
    vcenter: vc1
    vcenterConnection: ${connection}
    clusters: [{ name: DC0_C0, hosts: [{ name: DC0_C0_H0 }] }]
  - name: vcsite2
    vcenter: vc2
    vcenterConnection: ${connection}
    clusters: [{ name: DC0_C0, hosts: [{ name: ${options.host ?? 'DC0_C0_H1'} }] }]
arrayManagers:
  - name: dsm1
    site: vcsite1
    adapter: ${options.simulatedStorage ? 'simulated' : 'sc-series'}
    connection: { host: 127.0.0.1, port: 1, username: drctl, passwordEnv: DRCTL_TEST_VC_PASSWORD }
arrays:
  - { id: sc1, site: vcsite1, serial: 101, arrayManager: dsm1 }
  - { id: sc2, site: vcsite2, serial: 102, arrayManager: dsm1 }
arrayPairs: [{ name: pair, arrays: [sc1, sc2] }]
volumes: [{ id: vol1, sourceArray: sc1, targetArray: sc2 }]
datastores: [{ name: LocalDS_0, site: vcsite1, devices: [vol1] }]
vms: [{ name: ${options.vm ?? 'DC0_C0_RP0_VM0'}, site: vcsite1, cluster: DC0_C0, host: DC0_C0_H0, datastores: [LocalDS_0] }]
`;
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('openWorkspace without --simulate', () => {
  it('refuses when a password cannot be read or storage only exists in a simulation, listing every problem', async () => {
    delete process.env.DRCTL_TEST_VC_PASSWORD;
    await expect(
      openWorkspace({
        environmentPath: writeEnvironment('no-password', { simulatedStorage: true }),
        simulate: false,
        inMemory: true,
      }),
    ).rejects.toMatchObject({
      code: 'DR_INPUT_INVALID',
      issues: [
        {
          path: 'sites[0].vcenterConnection.passwordEnv',
          message: 'environment variable DRCTL_TEST_VC_PASSWORD is empty or unset',
        },
        {
          path: 'sites[1].vcenterConnection.passwordEnv',
          message: 'environment variable DRCTL_TEST_VC_PASSWORD is empty or unset',
        },
        {
          path: 'arrayManagers[0].adapter',
          message: 'simulated storage only exists in a simulation (use --simulate, or an sc-series array manager)',
        },
      ],
    });
  });

  it('refuses before any change when the vCenter does not hold the names the environment uses', async () => {
    process.env.DRCTL_TEST_VC_PASSWORD = 'pw';
    await expect(
      openWorkspace({
        environmentPath: writeEnvironment('misnamed', { host: 'esx21', vm: 'ora01' }),
        simulate: false,
        inMemory: true,
      }),
    ).rejects.toMatchObject({
      code: 'DR_OPERATION_REFUSED',
      issues: [
        { path: 'vms[0].name', message: 'VM ora01 is not in the vCenter of site vcsite1' },
        { path: 'sites[1].clusters[0].hosts[0].name', message: 'host esx21 is not in the vCenter of site vcsite2' },
      ],
    });
  });

  it('opens an engine over the real vCenters on the system clock when everything resolves', async () => {
    process.env.DRCTL_TEST_VC_PASSWORD = 'pw';
    const ws = await openWorkspace({ environmentPath: writeEnvironment('good', {}), simulate: false, inMemory: true });
    try {
      expect(ws.world).toBeUndefined();
      expect(Math.abs(ws.clock.now() - Date.now())).toBeLessThan(5000);
      const calls = await vcenter.calls();
      expect(calls.Login?.SessionManager).toBeGreaterThanOrEqual(2);
    } finally {
      await ws.close();
      delete process.env.DRCTL_TEST_VC_PASSWORD;
    }
  });
});
