import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { SystemClock, environmentSchema } from '@drctl/domain';
import { VsphereCompute, preflightVsphere, vcenterConnectionsFromEnvironment } from '@drctl/vsphere';
import { startLabVcenter as startVcsim, type LabVcenter as RunningVcsim } from '@drctl/vsphere';

let dir: string;
let server: RunningVcsim;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drctl-vsphere-preflight-'));
  server = await startVcsim(['-username', 'rec-admin', '-password', 'r1!', '-vm', '1'], join(dir, 'cert.pem'));
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function environment(recoveryPort: number, thumbprint: string) {
  return environmentSchema.parse({
    name: 'preflight',
    sites: [
      {
        name: 'vcsite1',
        vcenter: 'vc1',
        clusters: [{ name: 'DC0_C0', hosts: [{ name: 'DC0_C0_H0' }] }],
        // Nothing listens on port 1: this vCenter is down.
        vcenterConnection: {
          host: '127.0.0.1',
          port: 1,
          username: 'prot-admin',
          passwordEnv: 'VC1_PASSWORD',
          verifyTls: false,
        },
      },
      {
        name: 'vcsite2',
        vcenter: 'vc2',
        clusters: [{ name: 'DC0_C0', hosts: [{ name: 'DC0_C0_H0' }, { name: 'esx99' }] }],
        networks: { production: ['VM Network'], test: ['DC0_DVPG1', 'test-net-x'] },
        placeholderDatastore: 'nods',
        vcenterConnection: {
          host: '127.0.0.1',
          port: recoveryPort,
          username: 'rec-admin',
          passwordEnv: 'VC2_PASSWORD',
          thumbprint,
        },
      },
    ],
    datastores: [{ name: 'LocalDS_0', site: 'vcsite2', devices: ['vol-local'] }],
    vms: [
      { name: 'DC0_C0_RP0_VM0', site: 'vcsite2', cluster: 'DC0_C0', host: 'DC0_C0_H0', datastores: ['LocalDS_0'] },
      { name: 'ghost01', site: 'vcsite2', cluster: 'DC0_C0', host: 'DC0_C0_H0', datastores: ['LocalDS_0'] },
    ],
  });
}

describe('real-run preflight against vcsim', () => {
  it('resolves every name at every vCenter and lists every problem with its path', async () => {
    const env = environment(server.port, server.thumbprint);
    const { vcenters, issues } = vcenterConnectionsFromEnvironment(env, { VC1_PASSWORD: 'p1!', VC2_PASSWORD: 'r1!' });
    expect(issues).toEqual([]);
    const compute = new VsphereCompute({
      environment: env,
      vcenters,
      clock: new SystemClock(),
      logger: pino({ level: 'silent' }),
      pollIntervalMs: 100,
    });
    const problems = await preflightVsphere(compute, env, AbortSignal.timeout(20_000));
    await compute.close();
    expect(problems.map((p) => p.path)).toEqual([
      'sites[0].vcenterConnection',
      'sites[1].clusters[0].hosts[1].name',
      'sites[1].networks.test[1]',
      'sites[1].placeholderDatastore',
      'vms[1].name',
    ]);
    expect(problems[0]!.message).toMatch(
      /Reading the inventory at vcsite1: vCenter 127\.0\.0\.1:1 did not answer .*ECONNREFUSED/,
    );
    expect(problems[1]!.message).toBe('host esx99 is not in the vCenter of site vcsite2');
    expect(problems[4]!.message).toBe('VM ghost01 is not in the vCenter of site vcsite2');
  });

  it('reads passwords only from the environment or a file, naming every missing one', () => {
    const env = environment(server.port, server.thumbprint);
    const site = env.sites[1]!;
    site.vcenterConnection = { ...site.vcenterConnection!, passwordEnv: undefined, passwordFile: join(dir, 'missing') };
    const { vcenters, issues } = vcenterConnectionsFromEnvironment(env, {});
    expect(vcenters).toEqual({});
    expect(issues).toEqual([
      {
        path: 'sites[0].vcenterConnection.passwordEnv',
        message: 'environment variable VC1_PASSWORD is empty or unset',
      },
      { path: 'sites[1].vcenterConnection.passwordFile', message: `file ${join(dir, 'missing')} cannot be read` },
    ]);
  });
});
