import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { VirtualClock } from '@drctl/domain';
import { startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { PROTECTED_SC, twoSiteSeed } from './support/seeds.js';

/** The error code undici reports, from the error or its cause. */
function errorCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown }; name?: string };
  const code = e.cause?.code ?? e.code;
  // An abort is a DOMException whose numeric code says little; its name says which.
  return typeof code === 'string' ? code : (e.name ?? 'unknown');
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return errorCode(error);
  }
  throw new Error('expected the call to fail');
}

describe('fault injection', () => {
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

  it('adds latency to matching requests only', async () => {
    const fault = sim.faults.latency(150, { method: 'GET', path: 'StorageCenter/StorageCenter' });
    const started = performance.now();
    await client.get('StorageCenter/StorageCenter');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await client.get('ApiConnection/ApiConnection');
    await client.post('StorageCenter/StorageCenter/GetList', {});
    // Counted by hits rather than timed: a loaded machine makes upper time bounds flaky.
    expect(sim.faults.get(fault)!.hits).toBe(1);
  });

  it('hangs a matching call until the client gives up, while other calls are answered', async () => {
    const fault = sim.faults.hang({ method: 'POST', path: '*/CreateReplay', times: 1 });
    const hung = client.post(
      `StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`,
      { description: 'hung' },
      { signal: AbortSignal.timeout(300) },
    );
    expect((await client.get('StorageCenter/StorageCenter')).status).toBe(200);
    expect(await failure(hung)).toMatch(/AbortError|TimeoutError|UND_ERR_ABORTED/);
    expect(sim.faults.get(fault)).toBeUndefined();
    // "before": the call never ran.
    expect(sim.counters.count({ action: 'CreateReplay' })).toBe(0);
    expect(
      (await client.post(`StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`, { description: 'after' })).status,
    ).toBe(200);
  });

  it('can let the call take effect and then hang (the client cannot know it happened)', async () => {
    sim.faults.hang({ path: '*/CreateReplay', times: 1, when: 'after' });
    const hung = client.post(
      `StorageCenter/ScVolume/${volumeId('ds-app')}/CreateReplay`,
      { description: 'took effect' },
      { signal: AbortSignal.timeout(300) },
    );
    await failure(hung);
    expect(sim.counters.count({ action: 'CreateReplay' })).toBe(1);
    const replays = (await client.get(`StorageCenter/ScVolume/${volumeId('ds-app')}/ReplayList`)).body;
    expect(replays.some((r: { description: string }) => r.description === 'took effect')).toBe(true);
  });

  it('answers 500 with a JSON result', async () => {
    sim.faults.serverError({ path: 'StorageCenter/ScReplication/*', times: 1 });
    const failed = await client.get(`StorageCenter/ScReplication/${sim.model.replications()[0]!['instanceId']}`);
    expect(failed.status).toBe(500);
    expect(typeof failed.body.result).toBe('string');
    expect((await client.get(`StorageCenter/ScReplication/${sim.model.replications()[0]!['instanceId']}`)).status).toBe(
      200,
    );
  });

  it('answers 400 "Unhandled Exception" for the next N matching GETs only', async () => {
    const fault = sim.faults.unhandledException({ method: 'GET', path: /ReplayList$/, times: 2 });
    for (let i = 0; i < 2; i++) {
      const answer = await client.get(`StorageCenter/ScVolume/${volumeId('ds-app')}/ReplayList`);
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('Unhandled Exception');
    }
    expect(sim.faults.get(fault)).toBeUndefined();
    expect((await client.get(`StorageCenter/ScVolume/${volumeId('ds-app')}/ReplayList`)).status).toBe(200);
    // A POST to the same path is not matched by a GET fault.
    sim.faults.unhandledException({ method: 'GET', path: '*' });
    expect((await client.post('StorageCenter/ScVolume/GetList', {})).status).toBe(200);
  });

  it('resets the connection (ECONNRESET), optionally after the call took effect', async () => {
    sim.faults.connectionReset({ path: 'StorageCenter/ScVolume', method: 'POST', times: 1, when: 'after' });
    const code = await failure(
      client.post('StorageCenter/ScVolume', { Name: 'reset-vol', Size: '1 GB', StorageCenter: PROTECTED_SC }),
    );
    expect(code).toBe('ECONNRESET');
    expect(sim.model.volumesNamed('reset-vol')).toHaveLength(1);
    expect(sim.counters.count({ resource: 'ScVolume', action: 'Create' })).toBe(1);
    sim.faults.connectionReset({ times: 1 });
    expect(await failure(client.get('StorageCenter/StorageCenter'))).toBe('ECONNRESET');
    expect((await client.get('StorageCenter/StorageCenter')).status).toBe(200);
  });

  it('expires the session: the next request gets 401, and a new login works', async () => {
    sim.faults.sessionExpiry();
    const expired = await client.get('StorageCenter/StorageCenter');
    expect(expired.status).toBe(401);
    expect(expired.body.result).toMatch(/Session expired/);
    expect((await client.get('StorageCenter/StorageCenter')).status).toBe(401);
    expect((await client.login()).status).toBe(200);
    expect((await client.get('StorageCenter/StorageCenter')).status).toBe(200);
  });

  it('takes the Data Collector down (connection refused, sessions lost) and back up on the same port', async () => {
    await sim.faults.dataCollectorDown();
    expect(sim.faults.dataCollectorListening).toBe(false);
    expect(await failure(client.get('StorageCenter/StorageCenter'))).toBe('ECONNREFUSED');
    await sim.faults.dataCollectorUp();
    expect(sim.faults.dataCollectorListening).toBe(true);
    expect((await client.get('StorageCenter/StorageCenter')).status).toBe(401);
    expect((await client.login()).status).toBe(200);
    expect((await client.get('StorageCenter/StorageCenter')).status).toBe(200);
  });

  it('drops hung calls when the Data Collector goes down', async () => {
    sim.faults.hang({ path: 'StorageCenter/StorageCenter' });
    const hung = client.get('StorageCenter/StorageCenter');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sim.faults.dataCollectorDown();
    expect(await failure(hung)).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    await sim.faults.dataCollectorUp();
  });

  it('combines latency with a terminal fault, applies the oldest terminal fault first, and lists and clears faults', async () => {
    sim.faults.latency(50);
    const first = sim.faults.serverError({ times: 1 });
    sim.faults.unhandledException({ times: 1 });
    expect(sim.faults.list().map((f) => f.spec.kind)).toEqual(['latency', 'server-error', 'unhandled-exception']);
    const started = performance.now();
    expect((await client.get('ApiConnection/ApiConnection')).status).toBe(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(sim.faults.get(first)).toBeUndefined();
    expect((await client.get('ApiConnection/ApiConnection')).status).toBe(400);
    expect(sim.faults.list()[0]!.hits).toBe(2);
    sim.faults.clear();
    expect(sim.faults.list()).toEqual([]);
    expect((await client.get('ApiConnection/ApiConnection')).status).toBe(200);
  });

  it('refuses a fault with a bad count', () => {
    expect(() => sim.faults.hang({ times: 0 })).toThrow(/times/);
  });

  it('brings the Data Collector back by itself after an outage measured on the injected clock', async () => {
    const clock = new VirtualClock({ start: Date.parse('2024-05-01T10:00:00Z') });
    const outage = await startDsmSimulator({ seed: twoSiteSeed(), clock });
    const other = new TestClient(outage);
    await outage.faults.dataCollectorDown({ forMs: 60_000 });
    expect(await failure(other.login())).toBe('ECONNREFUSED');
    await clock.advance(59_000);
    expect(outage.faults.dataCollectorListening).toBe(false);
    await clock.advance(1_000);
    for (let i = 0; i < 100 && !outage.faults.dataCollectorListening; i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(outage.faults.dataCollectorListening).toBe(true);
    expect((await other.login()).status).toBe(200);
    await other.close();
    await outage.close();
  });
});
