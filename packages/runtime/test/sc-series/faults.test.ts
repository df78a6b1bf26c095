import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Lab,
  PLAN_1,
  PLAN_2,
  POWER_ON,
  capturedLogger,
  deviceLines,
  run,
  step,
  stepStatuses,
  withoutCommandCallouts,
} from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

const environment = () => lab.techsolVariant(withoutCommandCallouts);
const dsmFault = (fault: object) => `dsm:${JSON.stringify(fault)}`;

describe('a hung DSM call is cut at storage.commandTimeout + 90 s per Live Volume (virtual time)', () => {
  it.each([
    {
      plan: PLAN_1,
      set: [],
      syncData: true,
      applied: 390,
      explanation: 'storage.commandTimeout 300 s + 90 s × 1 Live Volume(s)',
    },
    // Without the sync: srmds4 alone takes 120 s to replicate, which this timeout would cut first.
    {
      plan: PLAN_2,
      set: ['storage.commandTimeout=120'],
      syncData: false,
      applied: 120,
      explanation: 'storage.commandTimeout 120 s + 90 s × 0 Live Volume(s)',
    },
  ])(
    '$plan: CreateView never answers, testFailoverStart times out at $applied s',
    async ({ plan, set, syncData, applied, explanation }) => {
      const hang = dsmFault({ kind: 'hang', method: 'POST', path: 'StorageCenter/ScReplay/*/CreateView' });
      const ws = await lab.workspace({ environmentPath: environment(), stateDir: lab.tempDir(), inject: [hang], set });
      const report = await run(ws, { plan, workflow: 'test', syncData });
      expect(report.result).toBe('errors');
      expect(report.settings.appliedCommandTimeoutSeconds).toBe(applied);
      const command = report.storageCommands.find((c) => c.command === 'testFailoverStart')!;
      expect(command).toMatchObject({ status: 'timeout', timeoutSeconds: applied });
      expect(command.message).toContain(`did not finish within ${applied} s (${explanation})`);
      expect(Date.parse(command.finishedAt!) - Date.parse(command.startedAt)).toBe(applied * 1000);
      expect(step(report, 'create-test-snapshots').status).toBe('error');
      expect(
        Object.values(deviceLines(report, 'create-test-snapshots')).every((l) => l.code === 'DR_STORAGE_TIMEOUT'),
      ).toBe(true);
      // The test stopped there: nothing was mounted or powered on.
      expect(report.steps.some((s) => s.id === 'mount-datastores' && s.status === 'success')).toBe(false);
    },
  );
});

/** Faults on the protected array's replays (SC 13, serial 699, protects plan 2): the first storage call of both workflows. */
const FAULTS = [
  {
    name: '500',
    inject: dsmFault({ kind: 'server-error', method: 'POST', path: 'StorageCenter/ScVolume/699.*/CreateReplay' }),
    code: 'SC_DSM_ERROR',
  },
  {
    name: '400 Unhandled Exception',
    inject: dsmFault({
      kind: 'unhandled-exception',
      method: 'POST',
      path: 'StorageCenter/ScVolume/699.*/CreateReplay',
    }),
    code: 'SC_DSM_REFUSED',
  },
  {
    name: 'connection reset',
    inject: dsmFault({ kind: 'connection-reset', method: 'POST', path: 'StorageCenter/ScVolume/699.*/CreateReplay' }),
    code: 'SC_DSM_UNREACHABLE',
  },
  { name: 'Data Collector down', inject: 'dsm-down', code: 'SC_DSM_UNREACHABLE' },
];

describe("DSM faults follow each workflow's error policy", () => {
  it.each(FAULTS)(
    '$name: planned migration stops before the storage steps and rolls back',
    async ({ inject, code }) => {
      const ws = await lab.workspace({ environmentPath: environment(), stateDir: lab.tempDir(), inject: [inject] });
      const report = await run(ws, { plan: PLAN_2, workflow: 'planned-migration' });
      expect(report.result).toBe('errors');
      expect(stepStatuses(report)).toEqual([
        ['pre-sync-storage', 'error'],
        ['rollback-protected-site', 'success'],
      ]);
      expect(Object.values(deviceLines(report, 'pre-sync-storage')).map((l) => l.code)).toEqual([code, code]);
      // The protected VMs never went down, nothing was prepared or promoted.
      expect(report.vms.every((v) => v.status !== 'recovered')).toBe(true);
      expect(ws.dsm!.counters.count()).toBe(0);
      expect((await ws.engine.planStatus(PLAN_2)).state).toBe('ready');
    },
  );

  it.each(FAULTS.filter((f) => f.name !== 'Data Collector down'))(
    '$name on the protected array: disaster recovery records warnings and recovers',
    async ({ inject, code }) => {
      const ws = await lab.workspace({ environmentPath: environment(), stateDir: lab.tempDir(), inject: [inject] });
      const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
      expect(report.result).toBe('warnings');
      expect(Object.fromEntries(stepStatuses(report))).toMatchObject({
        'pre-sync-storage': 'warning',
        'shutdown-protected-vms': 'success',
        'prepare-protected-storage': 'warning',
        'sync-storage': 'warning',
        'promote-recovery-storage': 'success',
        'mount-datastores': 'success',
        ...Object.fromEntries(POWER_ON.map((id) => [id, 'success'])),
      });
      expect(Object.values(deviceLines(report, 'prepare-protected-storage')).map((l) => l.code)).toEqual([code, code]);
    },
  );

  it('Data Collector down: disaster recovery turns the protected-site errors into warnings and stops at the recovery storage, resumable', async () => {
    const stateDir = lab.tempDir();
    const environmentPath = environment();
    let ws = await lab.workspace({ environmentPath, stateDir, inject: ['dsm-down'] });
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    await lab.close(ws);
    expect(report.result).toBe('incomplete');
    expect(Object.fromEntries(stepStatuses(report))).toMatchObject({
      'pre-sync-storage': 'warning',
      'prepare-protected-storage': 'warning',
      'sync-storage': 'warning',
      'promote-recovery-storage': 'error',
    });
    expect(report.notes.join(' ')).toMatch(/device discovery on array SC 12 failed/);
    expect(Object.values(deviceLines(report, 'promote-recovery-storage')).map((l) => l.code)).toEqual([
      'SC_DSM_UNREACHABLE',
      'SC_DSM_UNREACHABLE',
    ]);

    // The Data Collector is back: running the recovery again finishes it.
    ws = await lab.workspace({ environmentPath, stateDir });
    expect((await ws.engine.planStatus(PLAN_2)).state).toBe('recovery-incomplete');
    const again = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    expect(again.result).toBe('success');
    expect(step(again, 'promote-recovery-storage').status).toBe('success');
  });

  it('a Data Collector away for the first five minutes of a recovery: the pre-sync meets the outage (a warning), the rest runs once it is back', async () => {
    const ws = await lab.workspace({
      environmentPath: environment(),
      stateDir: lab.tempDir(),
      inject: ['dsm-down:300'],
    });
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    expect(report.result).toBe('warnings');
    expect(Object.fromEntries(stepStatuses(report))).toMatchObject({
      'pre-sync-storage': 'warning',
      'shutdown-protected-vms': 'success',
      'prepare-protected-storage': 'success',
      'sync-storage': 'success',
      'promote-recovery-storage': 'success',
    });
    expect(Object.values(deviceLines(report, 'pre-sync-storage')).map((l) => l.code)).toEqual([
      'SC_DSM_UNREACHABLE',
      'SC_DSM_UNREACHABLE',
    ]);
    // The storage after the outage started once the Data Collector listened again, 300 s in.
    const prepare = report.storageCommands.find((c) => c.command === 'prepareFailover')!;
    expect(Date.parse(prepare.startedAt) - Date.parse(report.startedAt)).toBeGreaterThanOrEqual(300_000);
    expect(ws.dsm!.faults.dataCollectorListening).toBe(true);
  });
});

describe('transient DSM trouble mid-run', () => {
  it('a 401 session expiry logs in again; lost answers and Unhandled Exceptions on reads are absorbed; nothing is done twice; no secret in the logs', async () => {
    const secret = 'pw-for-the-simulated-dsm-7f3a';
    const previous = process.env['DRCTL_DSM_PASSWORD'];
    process.env['DRCTL_DSM_PASSWORD'] = secret;
    try {
      const { logger, lines } = capturedLogger();
      const ws = await lab.workspace({
        environmentPath: environment(),
        stateDir: lab.tempDir(),
        logger,
        inject: [
          dsmFault({ kind: 'session-expiry', method: 'POST', path: 'StorageCenter/ScVolume/*/MapToServer', times: 1 }),
          dsmFault({
            kind: 'connection-reset',
            method: 'POST',
            path: 'StorageCenter/ScVolume/*/Unmap',
            times: 1,
            when: 'after',
          }),
          dsmFault({
            kind: 'server-error',
            method: 'POST',
            path: 'StorageCenter/ScVolume/*/CreateReplay',
            times: 1,
            when: 'after',
          }),
          dsmFault({
            kind: 'unhandled-exception',
            method: 'GET',
            path: 'StorageCenter/ScVolume/*/ReplayList',
            times: 2,
          }),
        ],
      });
      // The account is the array manager's: srmadmin, with the password from passwordEnv.
      expect(ws.dsm!.credentials).toEqual({ username: 'srmadmin', password: secret });
      const report = await run(ws, { plan: PLAN_2, workflow: 'planned-migration' });
      expect(report.result).toBe('success');
      expect(report.storageCommands.every((c) => c.status === 'success' && c.attempt === 1)).toBe(true);
      // Every fault was met (each used up), and no state-changing call took effect twice.
      expect(ws.dsm!.faults.list()).toEqual([]);
      expect(ws.dsm!.counters.repeated()).toEqual([]);
      const log = lines.join('');
      expect(log).toMatch(/DSM session expired; logging in again/);
      expect(log).toMatch(/action outcome unknown; checking the array before repeating it/);
      expect(log).toMatch(/retrying DSM read/);
      expect(log).not.toContain(secret);
      expect(log).not.toMatch(/JSESSIONID=/);
    } finally {
      if (previous === undefined) delete process.env['DRCTL_DSM_PASSWORD'];
      else process.env['DRCTL_DSM_PASSWORD'] = previous;
    }
  });
});
