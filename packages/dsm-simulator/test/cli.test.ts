import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { runCli, USAGE, type CliIo, type RunningCli } from '../src/cli/run-cli.js';
import { ENVIRONMENT_INPUT } from './support/environment.js';

function captureIo(env: Record<string, string | undefined> = {}): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line), env };
}

describe('drctl-dsm-simulator command line', () => {
  let dir: string;
  let environmentFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dsm-sim-cli-'));
    environmentFile = join(dir, 'environment.yaml');
    // JSON is YAML: loadEnvironment reads either.
    writeFileSync(environmentFile, JSON.stringify(ENVIRONMENT_INPUT));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('started from an environment file', () => {
    let running: RunningCli;
    let io: ReturnType<typeof captureIo>;
    let agent: Agent;
    beforeAll(async () => {
      writeFileSync(join(dir, 'password'), 'from-file\n');
      io = captureIo();
      running = (await runCli(
        [
          '--environment',
          environmentFile,
          '--ca-file',
          join(dir, 'ca.pem'),
          '--password-file',
          join(dir, 'password'),
          '--admin-port',
          '0',
          '--transfer-seconds',
          '5',
          '--json',
        ],
        io,
      ))!;
      agent = new Agent({ connect: { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') } });
    });
    afterAll(async () => {
      await agent.close();
      await running.close();
    });

    it('prints the URL, the CA file and the admin URL as one JSON line, and writes the CA file', () => {
      expect(io.lines).toHaveLength(1);
      const printed = JSON.parse(io.lines[0]!);
      expect(printed).toMatchObject({ url: running.simulator.baseUrl, caFile: join(dir, 'ca.pem'), username: 'Admin' });
      expect(printed.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/rest\/$/);
      expect(printed.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(running.simulator.caPem);
    });

    it('serves the environment over TLS verified with the written CA, with the password from the file', async () => {
      const auth = `Basic ${Buffer.from('Admin:from-file').toString('base64')}`;
      const login = await request(`${running.simulator.baseUrl}ApiConnection/Login`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: auth, 'x-dell-api-version': '4.0' },
      });
      expect(login.statusCode).toBe(200);
      await login.body.dump();
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const scs = await request(`${running.simulator.baseUrl}StorageCenter/StorageCenter`, {
        dispatcher: agent,
        headers: { cookie, 'x-dell-api-version': '4.0' },
      });
      expect(((await scs.body.json()) as Array<{ name: string }>).map((sc) => sc.name)).toEqual(['sc12', 'sc13']);
      expect(
        running.simulator.model.state.volumes.get(
          String(running.simulator.model.volumesNamed('vol-app')[0]!['instanceId']),
        )!.transferSeconds,
      ).toBe(5);
    });

    it('controls faults, counters and the Data Collector through the admin endpoint', async () => {
      const admin = running.admin!.url;
      const added = await request(`${admin}/faults`, {
        method: 'POST',
        body: JSON.stringify({ kind: 'server-error', path: '/ScVolume/i', times: 1 }),
      });
      expect(added.statusCode).toBe(201);
      const fault = (await added.body.json()) as { id: number; spec: { path: unknown } };
      expect(running.simulator.faults.list().map((f) => f.id)).toEqual([fault.id]);
      expect(running.simulator.faults.list()[0]!.spec.path).toBeInstanceOf(RegExp);
      expect((await request(`${admin}/faults/${fault.id}`, { method: 'DELETE' })).statusCode).toBe(204);
      expect(running.simulator.faults.list()).toEqual([]);

      const counters = await request(`${admin}/counters`);
      expect(await counters.body.json()).toEqual({ calls: [], repeated: [] });

      expect((await request(`${admin}/data-collector/down?forMs=3600000`, { method: 'POST' })).statusCode).toBe(204);
      expect(running.simulator.faults.dataCollectorListening).toBe(false);
      expect((await request(`${admin}/data-collector/up`, { method: 'POST' })).statusCode).toBe(204);
      expect(running.simulator.faults.dataCollectorListening).toBe(true);
      expect((await request(`${admin}/storage-centers/64702/down`, { method: 'POST' })).statusCode).toBe(204);
      expect(running.simulator.model.state.storageCenters.get(64702)!.connected).toBe(false);
      expect((await request(`${admin}/storage-centers/1/up`, { method: 'POST' })).statusCode).toBe(404);
      const bad = await request(`${admin}/faults`, { method: 'POST', body: '{"nokind":1}' });
      expect(bad.statusCode).toBe(400);
      expect(((await bad.body.json()) as { error: string }).error).toMatch(/kind/);
    });
  });

  it('prints readable lines by default, with the password source but never the password', async () => {
    const io = captureIo({ DRCTL_DSM_SIM_PASSWORD: 'hunter2-env' });
    const running = (await runCli(
      [
        '--environment',
        environmentFile,
        '--latency-ms',
        '5',
        '--fault',
        '{"kind":"hang","path":"*/SwapRoles","times":1}',
      ],
      io,
    ))!;
    expect(io.lines[0]).toBe(`DSM simulator listening on ${running.simulator.baseUrl}`);
    expect(io.lines[1]).toBe(`CA certificate: ${running.caFile}`);
    expect(io.lines.join('\n')).toContain('$DRCTL_DSM_SIM_PASSWORD');
    expect(io.lines.join('\n')).not.toContain('hunter2-env');
    expect(running.simulator.faults.list().map((f) => f.spec.kind)).toEqual(['hang', 'latency']);
    rmSync(running.caFile, { force: true });
    await running.close();
  });

  it('prints the usage for --help and refuses a missing environment or a bad number', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBeUndefined();
    expect(io.lines[0]).toBe(USAGE);
    await expect(runCli([], captureIo())).rejects.toThrow(/--environment/);
    await expect(runCli(['--environment', environmentFile, '--port', 'x'], captureIo())).rejects.toThrow(
      /--port must be a whole number/,
    );
    await expect(runCli(['--environment', join(dir, 'missing.yaml')], captureIo())).rejects.toThrow(/ENOENT/);
  });
});
