import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VirtualClock } from '@drctl/domain';
import { INVALID_API_VERSION_PREFIX, startDsmSimulator, type DsmSimulator } from '../src/index.js';
import { TestClient } from './support/client.js';
import { twoSiteSeed } from './support/seeds.js';
import { fixtures } from './support/fixtures.js';

describe('session and API version (dsm-rest.md §1.1–1.2)', () => {
  let sim: DsmSimulator;
  let client: TestClient;
  beforeAll(async () => {
    sim = await startDsmSimulator({ seed: twoSiteSeed() });
    client = new TestClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('logs in with Basic auth: 200, a session cookie and the ApiConnection object', async () => {
    const answer = await client.login({ body: fixtures.requests['POST ApiConnection/Login'] });
    expect(answer.status).toBe(200);
    expect(String(answer.headers['set-cookie'])).toMatch(
      /^JSESSIONID=[0-9A-F]{32}; Path=\/api\/rest; Secure; HttpOnly$/,
    );
    expect(Object.keys(answer.body).sort()).toEqual(Object.keys(fixtures.apiConnectionApi42).sort());
    expect(answer.body).toMatchObject({
      objectType: 'ApiConnection',
      instanceId: '0',
      apiVersion: '4.2',
      provider: 'EnterpriseManager',
      application: 'Cinder REST Driver',
      userName: 'Admin',
      connected: true,
    });
  });

  it('accepts Login with no body (Puppet, Go and checkmk send none)', async () => {
    const other = new TestClient(sim);
    const answer = await other.call('POST', 'ApiConnection/Login', {
      cookie: null,
      headers: { authorization: other.basicAuth() },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.application).toBe('');
    await other.close();
  });

  it('refuses a wrong password with 401 and a JSON result', async () => {
    const other = new TestClient(sim);
    const answer = await other.login({ password: 'wrong' });
    expect(answer.status).toBe(401);
    expect(typeof answer.body.result).toBe('string');
    expect(answer.headers['set-cookie']).toBeUndefined();
    await other.close();
  });

  it('answers 401 without a valid session cookie, even with Basic auth', async () => {
    expect((await client.get('StorageCenter/StorageCenter', { cookie: null })).status).toBe(401);
    expect((await client.get('StorageCenter/StorageCenter', { cookie: 'JSESSIONID=FFFF' })).status).toBe(401);
    const withBasic = await client.get('StorageCenter/StorageCenter', {
      cookie: null,
      headers: { authorization: client.basicAuth() },
    });
    expect(withBasic.status).toBe(401);
    expect(withBasic.body.result).toMatch(/ApiConnection\/Login/);
  });

  it('accepts the whole Set-Cookie value copied into Cookie (the Go client does this)', async () => {
    const other = new TestClient(sim);
    const login = await other.login();
    const answer = await other.get('ApiConnection/ApiConnection', { cookie: String(login.headers['set-cookie']) });
    expect(answer.status).toBe(200);
    await other.close();
  });

  it('serves ApiConnection and its StorageCenterList to a logged-in client', async () => {
    const connection = await client.get('ApiConnection/ApiConnection');
    expect(connection.body.instanceId).toBe('0');
    const list = await client.get('ApiConnection/ApiConnection/0/StorageCenterList');
    expect(list.status).toBe(200);
    expect(list.body.map((sc: { scSerialNumber: number }) => sc.scSerialNumber)).toEqual([64702, 65495]);
  });

  it('logs out with 204; the cookie is then refused', async () => {
    const other = new TestClient(sim);
    await other.login();
    const logout = await other.post('ApiConnection/Logout', {});
    expect(logout.status).toBe(204);
    expect(logout.text).toBe('');
    expect((await other.get('ApiConnection/ApiConnection')).status).toBe(401);
    await other.close();
  });

  it('answers unknown paths 404 and known paths with the wrong method 400, both with a JSON result', async () => {
    const unknown = await client.get('StorageCenter/ScNothing/1');
    expect(unknown.status).toBe(404);
    expect(unknown.body.result).toMatch(/Not found/);
    const wrongMethod = await client.call('PATCH', 'StorageCenter/ScVolume/64702.101', { body: {} });
    expect(wrongMethod.status).toBe(400);
    expect(wrongMethod.body.result).toMatch(/Invalid method name/);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const answer = await client.call('POST', 'StorageCenter/ScVolume/GetList', {
      headers: { 'content-type': 'application/json' },
      body: undefined,
    });
    expect(answer.status).toBe(200);
    const broken = await client.agent.request({
      origin: sim.url,
      path: '/api/rest/StorageCenter/ScVolume/GetList',
      method: 'POST',
      headers: { cookie: client.cookie!, 'x-dell-api-version': '4.0', 'content-type': 'application/json' },
      body: '{"filter":',
    });
    expect(broken.statusCode).toBe(400);
    expect(JSON.parse(await broken.body.text()).result).toMatch(/Invalid body format/);
  });
});

describe('API version negotiation', () => {
  it('refuses a version outside the range with the exact prefix Cinder parses, and takes the lower bound on retry', async () => {
    const sim = await startDsmSimulator({ seed: twoSiteSeed(), apiVersion: '4.2', minApiVersion: '3.0' });
    const client = new TestClient(sim, '2.0');
    const refused = await client.login();
    expect(refused.status).toBe(400);
    expect(refused.body.result.startsWith(INVALID_API_VERSION_PREFIX)).toBe(true);
    expect(refused.body.result).toBe('Invalid API version specified, the version must be in the range [3.0, 4.2]');
    // What Cinder's _check_version_fail does with the answer text.
    const retryVersion = refused.text.split('[')[1]!.split(',')[0]!;
    expect(retryVersion).toBe('3.0');
    const accepted = await client.login({ version: retryVersion });
    expect(accepted.status).toBe(200);
    expect(accepted.body.apiVersion).toBe('4.2');
    await client.close();
    await sim.close();
  });

  it('refuses a version above the server, a missing header and a malformed one on every call', async () => {
    const sim = await startDsmSimulator({ seed: twoSiteSeed() });
    const client = new TestClient(sim);
    await client.login();
    for (const version of ['5.0', '', 'latest']) {
      const answer = await client.get('StorageCenter/StorageCenter', { version });
      expect(answer.status).toBe(400);
      expect(answer.body.result).toBe('Invalid API version specified, the version must be in the range [0.1, 4.2]');
    }
    expect((await client.get('StorageCenter/StorageCenter', { version: '4.2' })).status).toBe(200);
    await client.close();
    await sim.close();
  });
});

describe('session options', () => {
  it('accepts Basic auth in place of the cookie when configured to be lenient', async () => {
    const sim = await startDsmSimulator({ seed: twoSiteSeed(), acceptBasicAuthAsSession: true });
    const client = new TestClient(sim);
    expect(
      (await client.get('StorageCenter/StorageCenter', { headers: { authorization: client.basicAuth() } })).status,
    ).toBe(200);
    expect(
      (
        await client.get('StorageCenter/StorageCenter', {
          headers: { authorization: client.basicAuth('Admin', 'nope') },
        })
      ).status,
    ).toBe(401);
    await client.close();
    await sim.close();
  });

  it('ends a session idle longer than the timeout, by the injected clock', async () => {
    const clock = new VirtualClock({ start: Date.parse('2024-05-01T10:00:00Z') });
    const sim = await startDsmSimulator({ seed: twoSiteSeed(), clock, sessionIdleTimeoutMs: 60_000 });
    const client = new TestClient(sim);
    await client.login();
    await clock.advance(30_000);
    expect((await client.get('ApiConnection/ApiConnection')).status).toBe(200);
    await clock.advance(61_000);
    expect((await client.get('ApiConnection/ApiConnection')).status).toBe(401);
    expect((await client.login()).status).toBe(200);
    await client.close();
    await sim.close();
  });

  it('accepts several accounts and names the user in ApiConnection', async () => {
    const sim = await startDsmSimulator({
      seed: twoSiteSeed(),
      credentials: [
        { username: 'srmdadmin', password: 's3cret' },
        { username: 'Admin', password: 'x' },
      ],
    });
    const client = new TestClient(sim);
    const answer = await client.login({ username: 'srmdadmin', password: 's3cret' });
    expect(answer.body.userName).toBe('srmdadmin');
    expect(sim.credentials.username).toBe('srmdadmin');
    await client.close();
    await sim.close();
  });
});
