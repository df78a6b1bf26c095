import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DrError } from '@drctl/domain';
import type { DsmSimulatorState } from '@drctl/dsm-simulator';
import { FileStore } from '@drctl/store';
import { BUILT_IN_STORAGE, openWorkspace } from '../../src/index.js';
import { Lab, TECHSOL_DIR, capturedLogger } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

const techsol = join(TECHSOL_DIR, 'environment.yaml');

async function refusal(options: Parameters<typeof openWorkspace>[0]): Promise<DrError> {
  const error = await openWorkspace(options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DrError);
  return error as DrError;
}

describe('opening a workspace with SC Series storage', () => {
  it('is built in: the CLI needs no storage factory for it', () => {
    expect(BUILT_IN_STORAGE).toEqual(expect.arrayContaining(['simulated', 'sc-series', 'vsphere-replication']));
  });

  it('serves the managers whose adapter is sc-series without --storage, and saves the Data Collector beside the world', async () => {
    const environmentPath = lab.techsolVariant((env) => {
      for (const manager of env.arrayManagers) manager.adapter = 'sc-series';
    });
    const stateDir = lab.tempDir();
    const ws = await openWorkspace({ environmentPath, stateDir });
    try {
      expect(ws.dsm).toBeDefined();
      expect(ws.dsm!.model.storageCenters().map((sc) => sc['name'])).toEqual(['SC 12', 'SC 13']);
    } finally {
      await ws.close();
    }
    const saved = await new FileStore(stateDir).read<DsmSimulatorState>('environments/techsol/dsm');
    expect(saved?.format).toBe('drctl-dsm-simulator/1');
    expect(saved?.model.volumes.length).toBeGreaterThan(0);
  });

  it("logs in with a generated password when the manager's passwordEnv is not set, and never logs it", async () => {
    const previous = process.env['DRCTL_DSM_PASSWORD'];
    delete process.env['DRCTL_DSM_PASSWORD'];
    try {
      const { logger, lines } = capturedLogger();
      const ws = await lab.workspace({ stateDir: lab.tempDir(), logger });
      expect(ws.dsm!.credentials.username).toBe('srmadmin');
      expect(ws.dsm!.credentials.password.length).toBeGreaterThanOrEqual(24);
      expect(lines.join('')).toMatch(/"passwordSource":"generated"/);
      expect(lines.join('')).not.toContain(ws.dsm!.credentials.password);
    } finally {
      if (previous !== undefined) process.env['DRCTL_DSM_PASSWORD'] = previous;
    }
  });

  it("reads passwordFile from the environment file's folder", async () => {
    const environmentPath = lab.techsolVariant((env) => {
      for (const manager of env.arrayManagers)
        manager.connection = { ...manager.connection!, passwordEnv: undefined, passwordFile: 'dsm.password' };
    });
    writeFileSync(join(dirname(environmentPath), 'dsm.password'), 'from-the-file\n');
    const ws = await lab.workspace({ environmentPath, stateDir: lab.tempDir() });
    expect(ws.dsm!.credentials).toEqual({ username: 'srmadmin', password: 'from-the-file' });
  });

  it('refuses faults that cannot reach what serves the storage, naming the --inject entry', async () => {
    const withoutSc = await refusal({
      environmentPath: techsol,
      inMemory: true,
      inject: ['site-down:vcsite1', 'dsm:{"kind":"hang"}'],
    });
    expect(withoutSc.issues[0]).toMatchObject({
      path: '--inject[1]',
      message: expect.stringMatching(/only SC Series storage starts/),
    });

    const worldFault = await refusal({
      environmentPath: techsol,
      inMemory: true,
      storage: 'sc-series',
      inject: ['hang:failover'],
    });
    expect(worldFault.issues[0]).toMatchObject({ path: '--inject[0]', message: expect.stringMatching(/dsm:\{/) });

    const notJson = await refusal({
      environmentPath: techsol,
      inMemory: true,
      storage: 'sc-series',
      inject: ['dsm:{kind: hang'],
    });
    expect(notJson.issues[0]).toMatchObject({ path: '--inject[0]', message: expect.stringMatching(/not JSON/) });

    const badKind = await refusal({
      environmentPath: techsol,
      inMemory: true,
      storage: 'sc-series',
      inject: ['dsm:{"kind":"meltdown"}'],
    });
    expect(badKind.issues[0]!.message).toMatch(/"kind" must be one of latency, hang, server-error/);

    const badOutage = await refusal({
      environmentPath: techsol,
      inMemory: true,
      storage: 'sc-series',
      inject: ['dsm-down:soon'],
    });
    expect(badOutage.issues[0]).toMatchObject({
      path: '--inject[0]',
      message: expect.stringMatching(/number of seconds/),
    });
  });

  it('passes a dsm: fault to the simulated Data Collector as given', async () => {
    const ws = await lab.workspace({
      stateDir: lab.tempDir(),
      inject: ['dsm:{"kind":"latency","ms":5,"method":"get","path":"StorageCenter/*","times":3}'],
    });
    expect(ws.dsm!.faults.list().map((f) => f.spec)).toEqual([
      { kind: 'latency', ms: 5, method: 'GET', path: 'StorageCenter/*', times: 3 },
    ]);
  });
});
