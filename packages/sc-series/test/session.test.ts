import { describe, it, expect } from '@jest/globals';
import { DsmConnectionError, DsmHttpError, DsmProtocolError } from '../src/index.js';
import { COOKIE_VALUE, PASSWORD, mockDsm, signal, testClient } from './mock-dsm.js';

const basic = `Basic ${Buffer.from(`srmadmin:${PASSWORD}`).toString('base64')}`;

describe('DSM session', () => {
  it('logs in with Basic auth, then sends the session cookie and the API version on every call, and logs out', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply('GET', 'StorageCenter/StorageCenter', 200, [{ instanceId: '64702', scSerialNumber: 64702 }]);
    dsm.reply('POST', 'ApiConnection/Logout', 204);
    const { client } = testClient(dsm.agent);
    const list = await client.get<unknown[]>('StorageCenter/StorageCenter', signal());
    await client.close();
    expect(list).toHaveLength(1);
    const [login, get, logout] = dsm.seen;
    expect(login!.headers.authorization).toBe(basic);
    expect(login!.headers.cookie).toBeUndefined();
    expect(login!.headers['x-dell-api-version']).toBe('4.0');
    expect(get!.headers.cookie).toBe(`JSESSIONID=${COOKIE_VALUE}`);
    expect(get!.headers.authorization).toBeUndefined();
    expect(get!.headers['x-dell-api-version']).toBe('4.0');
    expect(logout!.path).toBe('ApiConnection/Logout');
    expect(logout!.body).toEqual({});
    expect(client.apiVersion).toBe('4.2');
  });

  it('negotiates the API version DSM asks for and uses the legacy filter shape below 2.2', async () => {
    const dsm = mockDsm();
    dsm.reply('POST', 'ApiConnection/Login', 400, {
      result: 'Invalid API version specified, the version must be in the range [2.0, 2.1].',
    });
    dsm.login('2.1');
    dsm.reply('POST', 'StorageCenter/ScVolume/GetList', 200, []);
    const { client } = testClient(dsm.agent);
    await client.getList('StorageCenter/ScVolume', { scSerialNumber: 64702, Name: 'vol1' }, signal());
    expect(dsm.seen.map((s) => s.headers['x-dell-api-version'])).toEqual(['4.0', '2.1', '2.1']);
    expect(dsm.seen[2]!.body).toEqual({
      filterType: 'AND',
      filters: [
        { attributeName: 'scSerialNumber', attributeValue: 64702, filterType: 'Equals' },
        { attributeName: 'Name', attributeValue: 'vol1', filterType: 'Equals' },
      ],
    });
    expect(client.legacyFilters).toBe(true);
  });

  it('uses the filter wrapper at API 2.2 and later', async () => {
    const dsm = mockDsm();
    dsm.login('4.2');
    dsm.reply('POST', 'StorageCenter/ScVolume/GetList', 200, []);
    const { client } = testClient(dsm.agent);
    await client.getList('StorageCenter/ScVolume', { Name: 'v' }, signal());
    expect(dsm.seen[1]!.body).toEqual({
      filter: { filterType: 'AND', filters: [{ attributeName: 'Name', attributeValue: 'v', filterType: 'Equals' }] },
    });
  });

  it('logs in again once when the session expires (401) and repeats the call', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply('GET', 'StorageCenter/ScVolume/1.1', 401, { result: 'Session expired' });
    dsm.login();
    dsm.reply('GET', 'StorageCenter/ScVolume/1.1', 200, { instanceId: '1.1' });
    dsm.reply('GET', 'StorageCenter/ScVolume/1.2', 401, { result: 'Session expired' });
    dsm.login();
    dsm.reply('GET', 'StorageCenter/ScVolume/1.2', 401, { result: 'Still no' });
    const { client } = testClient(dsm.agent);
    await expect(client.get('StorageCenter/ScVolume/1.1', signal())).resolves.toEqual({ instanceId: '1.1' });
    expect(client.stats.logins).toBe(2);
    // A second 401 right after a fresh login is a real refusal, not an expiry.
    await expect(client.get('StorageCenter/ScVolume/1.2', signal())).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a bad password with a clear error that does not contain it', async () => {
    const dsm = mockDsm();
    dsm.reply('POST', 'ApiConnection/Login', 401, 'Invalid credentials');
    const { client } = testClient(dsm.agent);
    const error = (await client.get('StorageCenter/StorageCenter', signal()).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'DR_STORAGE_ERROR' });
    expect(error.message).toMatch(/login .* failed \(401\)/);
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe('retries', () => {
  it('retries a GET on 400 "Unhandled Exception" and on a lost connection, bounded', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply('GET', 'StorageCenter/ScVolume/1.1/ReplayList', 400, { result: 'Unhandled Exception: NullReference' });
    dsm.fail('GET', 'StorageCenter/ScVolume/1.1/ReplayList');
    dsm.reply('GET', 'StorageCenter/ScVolume/1.1/ReplayList', 200, []);
    dsm.reply('GET', 'StorageCenter/ScVolume/1.2/ReplayList', 400, { result: 'Unhandled Exception' }, {}, 3);
    const { client } = testClient(dsm.agent);
    await expect(client.get('StorageCenter/ScVolume/1.1/ReplayList', signal())).resolves.toEqual([]);
    await expect(client.get('StorageCenter/ScVolume/1.2/ReplayList', signal())).rejects.toBeInstanceOf(DsmHttpError);
    expect(dsm.seen.filter((s) => s.path === 'StorageCenter/ScVolume/1.2/ReplayList')).toHaveLength(3);
  });

  it('never repeats a POST, PUT or DELETE on its own', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply('POST', 'StorageCenter/ScVolume/1.1/CreateReplay', 400, { result: 'Unhandled Exception' });
    dsm.fail('POST', 'StorageCenter/ScVolume/1.1/Unmap');
    dsm.reply('DELETE', 'StorageCenter/ScVolume/1.1', 500, { result: 'internal' });
    const { client } = testClient(dsm.agent);
    await expect(
      client.post('StorageCenter/ScVolume/1.1/CreateReplay', { signal: signal(), body: {} }),
    ).rejects.toBeInstanceOf(DsmHttpError);
    await expect(
      client.post('StorageCenter/ScVolume/1.1/Unmap', { signal: signal(), body: {} }),
    ).rejects.toBeInstanceOf(DsmConnectionError);
    await expect(client.delete('StorageCenter/ScVolume/1.1', { signal: signal() })).rejects.toBeInstanceOf(
      DsmHttpError,
    );
    expect(dsm.seen.filter((s) => s.method !== 'GET' && s.path !== 'ApiConnection/Login')).toHaveLength(2); // the failed connection is not seen
    expect(client.stats.requests).toBe(4);
  });
});

describe('asynchronous calls', () => {
  const task = (returnValue: unknown, instanceId = '77') => ({
    objectType: 'AsyncTask',
    state: 'Running',
    instanceId,
    returnValue,
  });

  it('sends async: true, accepts 202 and polls the AsyncTask until the result object arrives', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply(
      'POST',
      'StorageCenter/ScVolume/1.1/CreateReplay',
      202,
      task('https://10.0.0.9:3033/api/rest/ApiConnection/AsyncTask/77'),
    );
    dsm.reply(
      'GET',
      'ApiConnection/AsyncTask/77',
      200,
      task('https://10.0.0.9:3033/api/rest/ApiConnection/AsyncTask/'),
    );
    dsm.reply('GET', 'ApiConnection/AsyncTask/77', 200, { objectType: 'ScReplay', instanceId: '1.1.5' });
    const { client } = testClient(dsm.agent);
    const result = await client.post('StorageCenter/ScVolume/1.1/CreateReplay', {
      signal: signal(),
      body: { description: 'x', expireTime: 0 },
      async: true,
    });
    expect(result).toEqual({ objectType: 'ScReplay', instanceId: '1.1.5' });
    expect(dsm.seen[1]!.headers.async).toBe('true');
    expect(dsm.seen.slice(2).map((s) => s.path)).toEqual(['ApiConnection/AsyncTask/77', 'ApiConnection/AsyncTask/77']);
    expect(dsm.seen[2]!.headers.async).toBeUndefined();
  });

  it('polls the default task path when returnValue is blank', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply('POST', 'StorageCenter/ScVolume/1.1/Unmap', 202, task(''));
    dsm.reply('GET', 'ApiConnection/AsyncTask/77', 200, '');
    const { client } = testClient(dsm.agent);
    await expect(
      client.post('StorageCenter/ScVolume/1.1/Unmap', { signal: signal(), body: {}, async: true }),
    ).resolves.toBeUndefined();
  });

  it('treats an XML returnValue as a protocol error and a failed poll as the failed result', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply('POST', 'StorageCenter/ScVolume/1.1/Unmap', 202, task('<compapi><error/></compapi>'));
    dsm.reply('POST', 'StorageCenter/ScVolume/1.2/Unmap', 202, task('ApiConnection/AsyncTask/78', '78'));
    dsm.reply('GET', 'ApiConnection/AsyncTask/78', 400, { result: 'Volume is busy' });
    dsm.reply('POST', 'StorageCenter/ScVolume/1.3/Unmap', 400, { result: 'Command not accepted' });
    const { client } = testClient(dsm.agent);
    await expect(
      client.post('StorageCenter/ScVolume/1.1/Unmap', { signal: signal(), body: {}, async: true }),
    ).rejects.toBeInstanceOf(DsmProtocolError);
    await expect(
      client.post('StorageCenter/ScVolume/1.2/Unmap', { signal: signal(), body: {}, async: true }),
    ).rejects.toMatchObject({ status: 400, resultText: 'Volume is busy', path: 'StorageCenter/ScVolume/1.2/Unmap' });
    await expect(
      client.post('StorageCenter/ScVolume/1.3/Unmap', { signal: signal(), body: {}, async: true }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('reports a task DSM marks as failed', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply('POST', 'StorageCenter/ScLiveVolume/9/SwapRoles', 202, task('ApiConnection/AsyncTask/79', '79'));
    dsm.reply('GET', 'ApiConnection/AsyncTask/79', 200, {
      objectType: 'AsyncTask',
      state: 'Error',
      instanceId: '79',
      localizedError: 'Peer is down',
    });
    const { client } = testClient(dsm.agent);
    await expect(
      client.post('StorageCenter/ScLiveVolume/9/SwapRoles', { signal: signal(), body: {}, async: true }),
    ).rejects.toThrow(/Peer is down/);
  });
});

describe('cancellation and timeouts', () => {
  it('aborts an in-flight request when the signal fires', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.pool.intercept({ method: 'GET', path: '/api/rest/StorageCenter/StorageCenter' }).reply(200, '[]').delay(60_000);
    const { client } = testClient(dsm.agent);
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.get('StorageCenter/StorageCenter', controller.signal);
    setTimeout(() => controller.abort(new Error('command timeout')), 50);
    await expect(pending).rejects.toThrow('command timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('cuts a request that exceeds the request timeout as a connection failure', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.pool
      .intercept({ method: 'POST', path: '/api/rest/StorageCenter/ScVolume/1.1/Unmap' })
      .reply(200, '{}')
      .delay(60_000);
    const { client } = testClient(dsm.agent, { requestTimeoutMs: 50 });
    await expect(client.post('StorageCenter/ScVolume/1.1/Unmap', { signal: signal(), body: {} })).rejects.toMatchObject(
      { name: 'DsmConnectionError', timedOut: true },
    );
  });
});
