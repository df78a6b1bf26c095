import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VirtualClock } from '@drctl/domain';
import { startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { fixtures, shapeDifferences } from './support/fixtures.js';
import { PROTECTED_SC, twoSiteSeed } from './support/seeds.js';

describe('async calls (dsm-rest.md §1.6)', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  beforeAll(async () => {
    sim = await startDsmSimulator({ seed: twoSiteSeed() });
    client = new TestClient(sim);
    await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('answers 202 with an AsyncTask shaped like the reference, returnValue the full polling URL', async () => {
    const accepted = await client.call('POST', 'StorageCenter/ScVolume', {
      async: true,
      body: { Name: 'async-vol', Size: '1 GB', StorageCenter: PROTECTED_SC },
    });
    expect(accepted.status).toBe(202);
    expect(shapeDifferences(accepted.body, fixtures.asyncTask)).toEqual([]);
    expect(accepted.body).toMatchObject({
      objectType: 'AsyncTask',
      state: 'Running',
      objectTypeName: 'ScVolume',
      methodName: 'Create',
      errorState: 'None',
    });
    expect(accepted.body.returnValue).toBe(`${sim.url}/api/rest/ApiConnection/AsyncTask/${accepted.body.instanceId}`);
    expect(accepted.body.instanceId).toMatch(/^\d+$/);
    const done = await client.awaitTask(accepted);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ objectType: 'ScVolume', name: 'async-vol' });
    // The task keeps its answer for late polls.
    const again = await client.get(`ApiConnection/AsyncTask/${accepted.body.instanceId}`);
    expect(again.body.instanceId).toBe(done.body.instanceId);
  });

  it('reports Running for the configured number of polls before the result', async () => {
    sim.asyncTasks.runningPolls = 2;
    try {
      const volume = sim.model.volumesNamed('ds-app')[0]!;
      const done = await client.asyncCall('POST', `StorageCenter/ScVolume/${volume['instanceId']}/CreateReplay`, {
        description: 'polled',
        expireTime: 0,
      });
      expect(done.polls).toBe(3);
      expect(done.body).toMatchObject({ objectType: 'ScReplay', description: 'polled' });
    } finally {
      sim.asyncTasks.runningPolls = 0;
    }
  });

  it("returns a failed call's error status and body from the poll, after a 202", async () => {
    const done = await client.asyncCall('POST', 'StorageCenter/ScVolume/64702.101/MapToServer', {
      server: '64702.999',
    });
    expect(done.status).toBe(404);
    expect(done.body.result).toMatch(/Server 64702\.999 was not found/);
  });

  it('answers 204 calls with an empty final poll', async () => {
    const created = await client.post('StorageCenter/ScVolume', {
      Name: 'to-unmap',
      Size: '1 GB',
      StorageCenter: PROTECTED_SC,
    });
    const done = await client.asyncCall('POST', `StorageCenter/ScVolume/${created.body.instanceId}/Unmap`, {});
    expect(done.status).toBe(204);
    expect(done.text).toBe('');
  });

  it('refuses GetList sent async and keeps GETs synchronous', async () => {
    const list = await client.call('POST', 'StorageCenter/ScVolume/GetList', { async: true, body: {} });
    expect(list.status).toBe(400);
    expect(list.body.result).toMatch(/GetList cannot be called asynchronously/);
    const get = await client.get('StorageCenter/StorageCenter', { async: true });
    expect(get.status).toBe(200);
    expect(Array.isArray(get.body)).toBe(true);
  });

  it('accepts the async header as True, true or "TRUE" and ignores false', async () => {
    for (const value of ['True', 'true', 'TRUE']) {
      const answer = await client.call('POST', 'StorageCenter/ScVolume', {
        headers: { async: value },
        body: { Name: `v-${value}`, Size: '1 GB', StorageCenter: PROTECTED_SC },
      });
      expect(answer.status).toBe(202);
    }
    const sync = await client.call('POST', 'StorageCenter/ScVolume', {
      headers: { async: 'false' },
      body: { Name: 'v-sync', Size: '1 GB', StorageCenter: PROTECTED_SC },
    });
    expect(sync.status).toBe(201);
  });

  it('answers 404 for an unknown task', async () => {
    expect((await client.get('ApiConnection/AsyncTask/42')).status).toBe(404);
  });

  it.each([
    ['no-id', (url: string, id: string) => url === `${sim.url}/api/rest/ApiConnection/AsyncTask/` && id !== ''],
    ['blank', (url: string) => url === ''],
    ['absent', (url: string | undefined) => url === undefined],
    ['xml', (url: string) => url.startsWith('<compapi>') && url.endsWith('</compapi>')],
  ] as const)('mangles returnValue on demand (%s), while the task id still polls', async (variant, check) => {
    sim.faults.malformedAsyncUrl(variant, { path: 'StorageCenter/ScVolume', times: 1 });
    const accepted = await client.call('POST', 'StorageCenter/ScVolume', {
      async: true,
      body: { Name: `mangled-${variant}`, Size: '1 GB', StorageCenter: PROTECTED_SC },
    });
    expect(accepted.status).toBe(202);
    expect(check(accepted.body.returnValue, accepted.body.instanceId)).toBe(true);
    const byId = await client.get(`ApiConnection/AsyncTask/${accepted.body.instanceId}`);
    expect(byId.body.name).toBe(`mangled-${variant}`);
    // Only the next call was affected.
    const next = await client.call('POST', 'StorageCenter/ScVolume', {
      async: true,
      body: { Name: `clean-${variant}`, Size: '1 GB', StorageCenter: PROTECTED_SC },
    });
    expect(next.body.returnValue).toMatch(/AsyncTask\/\d+$/);
  });
});

describe('async task duration under a virtual clock', () => {
  it('stays Running until the clock passes its duration', async () => {
    const clock = new VirtualClock({ start: Date.parse('2024-05-01T10:00:00Z') });
    const sim = await startDsmSimulator({ seed: twoSiteSeed(), clock, asyncTasks: { durationMs: 5_000 } });
    const client = new TestClient(sim);
    await client.login();
    const accepted = await client.call('POST', 'StorageCenter/ScVolume', {
      async: true,
      body: { Name: 'slow', Size: '1 GB', StorageCenter: PROTECTED_SC },
    });
    const running = await client.get(`ApiConnection/AsyncTask/${accepted.body.instanceId}`);
    expect(running.body.objectType).toBe('AsyncTask');
    await clock.advance(5_000);
    const done = await client.get(`ApiConnection/AsyncTask/${accepted.body.instanceId}`);
    expect(done.status).toBe(201);
    expect(done.body.name).toBe('slow');
    await client.close();
    await sim.close();
  });
});
