import { describe, it, expect, afterEach } from '@jest/globals';
import { PROTECTED, RECOVERY, RECOVERY_HOSTS, command, startLab, type Lab } from './simulator-env.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('faults from the DSM simulator', () => {
  it('a session that expires mid-run is logged into again and the command finishes', async () => {
    lab = await startLab();
    const devices = ['ds-app', 'ds-sync'];
    await lab.run(lab.adapter.prepareFailover(command(PROTECTED, devices)));
    lab.sim.faults.sessionExpiry({ method: 'POST', path: 'StorageCenter/ScVolume/*/MapToServer', times: 1 });
    const logins = lab.adapter.stats.logins;
    const result = await lab.run(lab.adapter.failover(command(RECOVERY, devices, { hosts: RECOVERY_HOSTS })));
    expect(result.devices.map((d) => d.status)).toEqual(['success', 'success']);
    expect(lab.adapter.stats.logins).toBe(logins + 1);
    // Every host got exactly one mapping: the 401 did not map anything twice.
    expect(lab.sim.counters.repeated()).toEqual([]);
    expect(lab.logLines.join('')).toMatch(/session expired; logging in again/);
    expect(lab.logLines.join('')).not.toContain(lab.sim.credentials.password);
  });

  it("a hung call is cut by the AbortSignal (the engine's command timeout)", async () => {
    // No per-request bound: only the command timeout can end the hung call.
    lab = await startLab({ adapter: { requestTimeoutMs: 0 } });
    lab.sim.faults.hang({ method: 'GET', path: 'StorageCenter/ScVolume/*/ReplayList' });
    const controller = new AbortController();
    lab.clock.setTimer(300_000, () => controller.abort(new Error('syncOnce did not finish within 300 s')));
    const started = lab.clock.now();
    await expect(
      lab.run(lab.adapter.syncOnce(command(PROTECTED, ['ds-app'], {}, { signal: controller.signal }))),
    ).rejects.toThrow('within 300 s');
    // Cut at the command timeout, not later (request timeouts and read retries fit inside it).
    expect(lab.clock.now() - started).toBeLessThanOrEqual(300_000);
    expect(lab.sim.counters.count({ action: 'CreateReplay' })).toBe(0);
  });

  it('with the default request timeout, a hung read fails the device after bounded retries, inside the command timeout', async () => {
    lab = await startLab();
    lab.sim.faults.hang({ method: 'GET', path: 'StorageCenter/ScVolume/*/ReplayList' });
    const started = lab.clock.now();
    const result = await lab.run(lab.adapter.syncOnce(command(PROTECTED, ['ds-app'])));
    expect(result.devices[0]!.error).toMatchObject({
      code: 'SC_DSM_UNREACHABLE',
      description: expect.stringMatching(/did not answer/),
    });
    expect(lab.clock.now() - started).toBeLessThan(300_000);
  });

  it('an answer lost after the action took effect is checked, not repeated', async () => {
    lab = await startLab();
    lab.sim.faults.connectionReset({
      method: 'POST',
      path: 'StorageCenter/ScVolume/*/CreateReplay',
      times: 1,
      when: 'after',
    });
    const result = await lab.run(
      lab.adapter.syncOnce(command(PROTECTED, ['ds-app'], {}, { idempotencyKey: 'lost-answer' })),
    );
    expect(result.devices[0]!.status).toBe('success');
    expect(lab.sim.counters.count({ action: 'CreateReplay' })).toBe(1);
  });

  it('reads survive 400 "Unhandled Exception" and a reset; a malformed AsyncTask URL is checked, not repeated', async () => {
    lab = await startLab();
    lab.sim.faults.unhandledException({
      method: 'GET',
      path: 'StorageCenter/StorageCenter/*/LiveVolumeList',
      times: 1,
    });
    lab.sim.faults.connectionReset({ method: 'GET', path: 'StorageCenter/ScVolume/*/ReplayList', times: 1 });
    lab.sim.faults.malformedAsyncUrl('xml', {
      method: 'POST',
      path: 'StorageCenter/ScVolume/*/CreateReplay',
      times: 1,
    });
    const result = await lab.run(lab.adapter.prepareFailover(command(PROTECTED, ['ds-app'])));
    expect(result.devices[0]!.status).toBe('success');
    expect(lab.sim.counters.count({ action: 'CreateReplay' })).toBe(1);
    expect(lab.adapter.stats.retries).toBeGreaterThanOrEqual(2);
  });

  it('a Data Collector that is down fails every device with a fix hint; discovery throws a storage error', async () => {
    lab = await startLab();
    await lab.sim.faults.dataCollectorDown();
    const result = await lab.run(lab.adapter.failover(command(RECOVERY, ['ds-app', 'ds-sync'])));
    expect(result.devices.every((d) => d.error?.code === 'SC_DSM_UNREACHABLE' && d.error.fixHint)).toBe(true);
    await expect(lab.run(lab.adapter.discoverArrays({ signal: new AbortController().signal }))).rejects.toMatchObject({
      code: 'DR_STORAGE_ERROR',
    });
    await lab.sim.faults.dataCollectorUp();
  });

  it('negotiates down to an old API version and speaks the legacy filter shape', async () => {
    lab = await startLab({ apiVersion: '2.1' });
    const devices = await lab.run(
      lab.adapter.discoverDevices({ arrayId: PROTECTED, signal: new AbortController().signal }),
    );
    expect(lab.adapter.apiVersion).toBe('2.1');
    expect(devices.map((d) => d.id).sort()).toEqual([
      'ds-active',
      'ds-app',
      'ds-stretched',
      'ds-stretched-afo',
      'ds-sync',
    ]);
  });
});
