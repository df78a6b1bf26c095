import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CallCounters, startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { PROTECTED_SC, RECOVERY_SC, twoSiteSeed } from './support/seeds.js';

describe('CallCounters', () => {
  it('counts per method, resource, action and object, filters, lists repeats and resets', () => {
    const counters = new CallCounters();
    counters.record({ method: 'POST', resource: 'ScVolume', action: 'CreateReplay', object: '1.1:a' });
    counters.record({ method: 'POST', resource: 'ScVolume', action: 'CreateReplay', object: '1.1:a' });
    counters.record({ method: 'POST', resource: 'ScVolume', action: 'Unmap', object: '1.1' });
    expect(counters.count()).toBe(3);
    expect(counters.count({ action: 'CreateReplay' })).toBe(2);
    expect(counters.count({ method: 'post', object: '1.1' })).toBe(1);
    expect(counters.repeated()).toEqual([
      { method: 'POST', resource: 'ScVolume', action: 'CreateReplay', object: '1.1:a', count: 2 },
    ]);
    counters.reset();
    expect(counters.list()).toEqual([]);
  });
});

describe('counting state-changing calls over HTTP', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  const volumeId = (name: string) => String(sim.model.volumesNamed(name)[0]!['instanceId']);
  beforeEach(async () => {
    sim = await startDsmSimulator({ seed: twoSiteSeed() });
    client = new TestClient(sim);
    await client.login();
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('counts changes that took effect, not reads, GetLists, logins or refused calls', async () => {
    await client.get('StorageCenter/StorageCenter');
    await client.post('StorageCenter/ScVolume/GetList', {});
    await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, { description: 'sync-1' });
    await client.post(`StorageCenter/ScVolume/${volumeId('Repl of ds-app')}/MapToServer`, {
      server: `${RECOVERY_SC}.1`,
    });
    expect(sim.counters.list()).toEqual([
      {
        method: 'POST',
        resource: 'ScVolume',
        action: 'CreateReplay',
        object: `${volumeId('ds-app')}:sync-1`,
        count: 1,
      },
    ]);
  });

  it('shows a repeated action, including one sent async, as a count of 2', async () => {
    const path = `StorageCenter/ScVolume/${volumeId('Repl of ds-app')}/Unmap`;
    await client.post(path, {});
    await client.asyncCall('POST', path, {});
    expect(sim.counters.repeated()).toEqual([
      { method: 'POST', resource: 'ScVolume', action: 'Unmap', object: volumeId('Repl of ds-app'), count: 2 },
    ]);
  });

  it('keys creates by what they create, so creating the same thing twice is visible', async () => {
    const qos = String(sim.model.qosNodes(PROTECTED_SC)[0]!['instanceId']);
    await client.post('StorageCenter/ScVolume', { Name: 'twice', Size: '1 GB', StorageCenter: PROTECTED_SC });
    await client.post('StorageCenter/ScVolume', { Name: 'twice', Size: '1 GB', StorageCenter: String(PROTECTED_SC) });
    const source = volumeId('twice');
    await client.post(`StorageCenter/ScVolume/${source}/MapToServer`, { server: `${PROTECTED_SC}.2` });
    await client.post('StorageCenter/ScReplication', {
      StorageCenter: PROTECTED_SC,
      SourceVolume: source,
      DestinationStorageCenter: RECOVERY_SC,
      QosNode: qos,
    });
    expect(sim.counters.count({ resource: 'ScVolume', action: 'Create', object: `${PROTECTED_SC}/twice` })).toBe(2);
    expect(sim.counters.list().find((c) => c.resource === 'ScReplication')).toMatchObject({
      action: 'Create',
      object: `${source}->${RECOVERY_SC}`,
      count: 1,
    });
    expect(sim.counters.list().find((c) => c.action === 'MapToServer')!.object).toBe(`${source}->${PROTECTED_SC}.2`);
  });

  it('resets', async () => {
    await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, { description: 'x' });
    sim.counters.reset();
    expect(sim.counters.count()).toBe(0);
  });
});
