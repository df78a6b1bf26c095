import { describe, it, expect } from '@jest/globals';
import { SystemClock, type DeviceCommandRequest } from '@drctl/domain';
import { createScSeriesAdapter } from '../src/index.js';
import { adapterLogger } from '../src/logging.js';
import { shortTag } from '../src/core.js';
import { COOKIE_VALUE, ORIGIN, PASSWORD, capturedLogger, mockDsm, signal } from './mock-dsm.js';

const replication = {
  objectType: 'ScReplication',
  instanceId: '64702.9',
  scSerialNumber: 64702,
  destinationScSerialNumber: 65495,
  type: 'Asynchronous',
  syncMode: 'None',
  state: 'Up',
  replicateActiveReplay: false,
  managedByLiveVolume: false,
  sourceVolume: { instanceId: '64702.101', instanceName: 'ds-vol-01', objectType: 'ScVolume' },
  destinationVolume: { instanceId: '65495.201', instanceName: 'Repl of ds-vol-01', objectType: 'ScVolume' },
  qosNode: { instanceId: '64702.2', instanceName: 'WAN', objectType: 'ScReplicationQosNode' },
};

function adapterFor(agent: ReturnType<typeof mockDsm>['agent'], logger = capturedLogger()) {
  return {
    adapter: createScSeriesAdapter({
      host: new URL(ORIGIN).hostname,
      port: 3033,
      username: 'srmadmin',
      password: PASSWORD,
      arrays: { 'array-a': 64702, 'array-b': 65495 },
      clock: new SystemClock(),
      logger: logger.logger,
      asyncPollIntervalMs: 1,
      retryBaseDelayMs: 1,
      dispatcher: agent,
    }),
    lines: logger.lines,
  };
}

function syncRequest(key: string): DeviceCommandRequest {
  return {
    signal: signal(),
    devices: ['ds-vol-01'],
    arrayId: 'array-a',
    idempotencyKey: key,
    context: { workflow: 'planned-migration', plan: 'p', runId: 'r' },
  };
}

function topology(dsm: ReturnType<typeof mockDsm>) {
  dsm.reply('POST', 'StorageCenter/ScReplication/GetList', 200, [replication]);
  dsm.reply('POST', 'StorageCenter/ScReplication/GetList', 200, []);
  dsm.reply('GET', 'StorageCenter/StorageCenter/64702/LiveVolumeList', 200, []);
}

describe('state-changing calls are checked before they are repeated', () => {
  it('an unreadable AsyncTask (XML returnValue) is followed by a read that finds the replay: no second CreateReplay', async () => {
    const dsm = mockDsm();
    dsm.login();
    topology(dsm);
    const description = `drctl sync ${shortTag('run-1/sync')}`;
    dsm.reply('GET', 'StorageCenter/ScVolume/64702.101/ReplayList', 200, []);
    dsm.reply('POST', 'StorageCenter/ScVolume/64702.101/CreateReplay', 202, {
      objectType: 'AsyncTask',
      instanceId: '5',
      returnValue: '<compapi/>',
    });
    dsm.reply('GET', 'StorageCenter/ScVolume/64702.101/ReplayList', 200, [
      { instanceId: '64702.101.4', description, active: false, globalIndex: '64702-101-4' },
    ]);
    dsm.reply('GET', 'StorageCenter/ScReplication/64702.9/CurrentProgress', 200, {
      synced: true,
      amountRemaining: '0 Bytes',
    });
    const { adapter } = adapterFor(dsm.agent);
    const result = await adapter.syncOnce(syncRequest('run-1/sync'));
    expect(result.devices[0]).toMatchObject({ device: 'ds-vol-01', status: 'success' });
    expect(dsm.seen.filter((s) => s.path.endsWith('CreateReplay'))).toHaveLength(1);
    expect(dsm.seen.find((s) => s.path.endsWith('CreateReplay'))!.body).toEqual({ description, expireTime: 1440 });
  });

  it('a lost connection on CreateReplay is checked, found not to have happened, and sent once more', async () => {
    const dsm = mockDsm();
    dsm.login();
    topology(dsm);
    dsm.reply('GET', 'StorageCenter/ScVolume/64702.101/ReplayList', 200, [], {}, 2);
    dsm.fail('POST', 'StorageCenter/ScVolume/64702.101/CreateReplay');
    dsm.reply('POST', 'StorageCenter/ScVolume/64702.101/CreateReplay', 200, {
      objectType: 'ScReplay',
      instanceId: '64702.101.5',
      description: 'x',
    });
    dsm.reply('GET', 'StorageCenter/ScReplication/64702.9/CurrentProgress', 200, {
      synced: false,
      amountRemaining: '1000 Bytes',
    });
    dsm.reply('GET', 'StorageCenter/ScReplication/64702.9/CurrentProgress', 200, {
      synced: true,
      amountRemaining: '0 Bytes',
    });
    const { adapter } = adapterFor(dsm.agent);
    const progress: number[] = [];
    const result = await adapter.syncOnce({
      ...syncRequest('run-2/sync'),
      onProgress: (p) => progress.push(p.percent),
    });
    expect(result.devices[0]!.status).toBe('success');
    const reads = dsm.seen.map((s) => `${s.method} ${s.path}`);
    // read, (lost POST), read again, POST: the repeat came only after the check.
    expect(reads.filter((r) => r.includes('64702.101'))).toEqual([
      'GET StorageCenter/ScVolume/64702.101/ReplayList',
      'GET StorageCenter/ScVolume/64702.101/ReplayList',
      'POST StorageCenter/ScVolume/64702.101/CreateReplay',
    ]);
    // syncOnce only starts the sync (SRA's split); querySyncStatus then follows it.
    expect(progress).toEqual([0]);
    topology(dsm);
    const status = await adapter.querySyncStatus(syncRequest('run-2/query'));
    expect(status.devices[0]).toMatchObject({ device: 'ds-vol-01', status: 'success' });
    expect(status.progress).toEqual([{ device: 'ds-vol-01', status: 'complete', percent: 100, remaining: 0 }]);
  });

  it('a repeated sync with the same idempotency key takes no new replay and says so', async () => {
    const dsm = mockDsm();
    dsm.login();
    topology(dsm);
    const description = `drctl sync ${shortTag('run-3/sync')}`;
    dsm.reply('GET', 'StorageCenter/ScVolume/64702.101/ReplayList', 200, [{ instanceId: '64702.101.4', description }]);
    dsm.reply('GET', 'StorageCenter/ScReplication/64702.9/CurrentProgress', 200, {
      synced: true,
      amountRemaining: '0 Bytes',
    });
    const { adapter } = adapterFor(dsm.agent);
    const result = await adapter.syncOnce(syncRequest('run-3/sync'));
    expect(result.devices[0]!.warnings.join(' ')).toMatch(/already ran/);
    expect(dsm.seen.some((s) => s.method === 'POST' && s.path.endsWith('CreateReplay'))).toBe(false);
  });

  it('a Data Collector that is down fails every device with the same reason', async () => {
    const dsm = mockDsm();
    for (let i = 0; i < 3; i++)
      dsm.fail(
        'POST',
        'ApiConnection/Login',
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      );
    const { adapter } = adapterFor(dsm.agent);
    const result = await adapter.failover({ ...syncRequest('k'), devices: ['a', 'b'], arrayId: 'array-b' });
    expect(result.devices.map((d) => d.status)).toEqual(['error', 'error']);
    expect(result.devices[0]!.error?.code).toBe('SC_DSM_UNREACHABLE');
  });
});

describe('secrets never reach the logs', () => {
  it('no log line carries the password, the Basic credentials or the session cookie, even across a re-login', async () => {
    const dsm = mockDsm();
    dsm.login();
    dsm.reply('POST', 'StorageCenter/ScReplication/GetList', 401, { result: 'session expired' });
    dsm.login();
    topology(dsm);
    dsm.reply('GET', 'StorageCenter/ScVolume/64702.101/ReplayList', 200, [
      { instanceId: '64702.101.4', description: `drctl sync ${shortTag('k')}` },
    ]);
    dsm.reply('GET', 'StorageCenter/ScReplication/64702.9/CurrentProgress', 200, { synced: true });
    dsm.reply('POST', 'ApiConnection/Logout', 204);
    const { adapter, lines } = adapterFor(dsm.agent);
    await adapter.syncOnce(syncRequest('k'));
    await adapter.close();
    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    expect(text).toContain('DSM session opened');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(COOKIE_VALUE);
    expect(text).not.toContain(Buffer.from(`srmadmin:${PASSWORD}`).toString('base64'));
  });

  it('redacts credential fields even when a caller logs them through the adapter logger', () => {
    const { logger, lines } = capturedLogger();
    const log = adapterLogger(logger, { component: 'test' });
    log.warn(
      {
        password: PASSWORD,
        headers: { authorization: 'Basic abc', cookie: `JSESSIONID=${COOKIE_VALUE}` },
        request: { password: PASSWORD },
      },
      'oops',
    );
    const text = lines.join('');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(COOKIE_VALUE);
    expect(text).not.toContain('Basic abc');
  });

  it('warns when TLS verification is turned off', () => {
    const logger = capturedLogger();
    createScSeriesAdapter({
      host: 'dsm.test',
      username: 'u',
      password: PASSWORD,
      arrays: {},
      clock: new SystemClock(),
      logger: logger.logger,
      verifyTls: false,
    });
    expect(logger.lines.join('')).toMatch(/TLS certificate verification is turned off/);
  });

  it('names the offending field of bad options', () => {
    expect(() =>
      createScSeriesAdapter({ host: '', username: 'u', password: '', arrays: { a: 1.5 }, clock: new SystemClock() }),
    ).toThrow(
      expect.objectContaining({
        code: 'DR_INPUT_INVALID',
        issues: expect.arrayContaining([
          expect.objectContaining({ path: 'host' }),
          expect.objectContaining({ path: 'password' }),
          expect.objectContaining({ path: 'arrays.a' }),
        ]),
      }),
    );
  });
});
