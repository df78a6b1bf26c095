import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SanExport, startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { testEnvironment } from './support/environment.js';

// The lab's SAN: what the Storage Centers present to a site's hosts appears as LUN directories
// for that site's lab vCenter, changed before the call that mapped or unmapped is answered.

const RECOVERY_SC = 65495;
let dir: string;
let sim: DsmSimulator;
let client: TestClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drctl-san-'));
  const environment = testEnvironment();
  const serverSites = new Map<string, string>();
  for (const site of environment.sites)
    for (const cluster of site.clusters) {
      serverSites.set(cluster.name, site.name);
      for (const host of cluster.hosts) serverSites.set(host.name, site.name);
    }
  const san = new SanExport({ dir, serverSites });
  sim = await startDsmSimulator({ environment, onChange: (model) => san.sync(model.state) });
  san.sync(sim.model.state);
  client = new TestClient(sim);
  await client.login();
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const volume = (name: string) => [...sim.model.state.volumes.values()].find((v) => v.name === name)!;

describe('SanExport', () => {
  it("presents each source volume to its site's hosts as a LUN named by its label, with its device id", () => {
    const app = volume('vol-app');
    expect(readlinkSync(join(dir, 'protected', 'vol-app'))).toBe(join(dir, 'data', 'vol-app'));
    expect(readFileSync(join(dir, 'protected', 'vol-app.naa'), 'utf8').trim()).toBe(app.deviceId);
    // The replica is not presented while it replicates.
    expect(existsSync(join(dir, 'recovery', 'vol-app'))).toBe(false);
  });

  it("presents a view of the replica's snapshot at the recovery site as its own copy, and takes it away on unmap", async () => {
    writeFileSync(join(dir, 'data', 'vol-app', 'web01.vmx'), 'displayName = "web01"\n');
    const replica = volume('Repl of vol-app');
    const replay = sim.model.state.replaysOf(replica.id).find((r) => r.freezeTime > 0)!;
    const created = await client.post(`StorageCenter/ScReplay/${replay.id}/CreateView`, { Name: 'test of vol-app' });
    expect(created.status).toBe(200);
    const view = volume('test of vol-app');
    const host = [...sim.model.state.servers.values()].find((s) => s.name === 'esx-r1' && s.ssn === RECOVERY_SC)!;
    const mapped = await client.post(`StorageCenter/ScVolume/${view.id}/MapToServer`, { server: host.id });
    expect(mapped.status).toBe(200);

    const lun = join(dir, 'recovery', 'vol-app');
    expect(readlinkSync(lun)).toBe(join(dir, 'data', `view-${view.id}`));
    expect(readFileSync(join(lun, 'web01.vmx'), 'utf8')).toContain('web01');
    expect(readFileSync(`${lun}.naa`, 'utf8').trim()).toBe(view.deviceId);
    // A test writes into its copy, never into production's data.
    writeFileSync(join(lun, 'test-only.log'), 'x');
    expect(existsSync(join(dir, 'data', 'vol-app', 'test-only.log'))).toBe(false);

    const unmapped = await client.post(`StorageCenter/ScVolume/${view.id}/Unmap`, {});
    expect(unmapped.status).toBeLessThan(300);
    expect(existsSync(lun)).toBe(false);
    expect(existsSync(`${lun}.naa`)).toBe(false);
  });
});
