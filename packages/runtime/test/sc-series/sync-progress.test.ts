import { afterEach, describe, expect, it } from '@jest/globals';
import type { EngineEvent } from '@drctl/workflows';
import { Lab, PLAN_2, deviceLines, run, stepStatuses, withoutCommandCallouts } from './support.js';

const lab = new Lab();
afterEach(() => lab.release());

describe('sync over HTTPS: syncOnce starts it, querySyncStatus follows it', () => {
  it('a 120 s transfer (srmds4) under storage.commandTimeout=100 completes the planned migration', async () => {
    const ws = await lab.workspace({
      environmentPath: lab.techsolVariant((env) => {
        withoutCommandCallouts(env);
        env.settings['storage.commandTimeout'] = 100;
      }),
      stateDir: lab.tempDir(),
    });
    const progress: Array<Extract<EngineEvent, { type: 'sync-progress' }>> = [];
    ws.engine.subscribe((e) => {
      if (e.type === 'sync-progress') progress.push(e);
    });
    const report = await run(ws, { plan: PLAN_2, workflow: 'planned-migration' });

    expect(report.settings.appliedCommandTimeoutSeconds).toBe(100);
    expect(report.result).toBe('success');
    expect(Object.fromEntries(stepStatuses(report))).toMatchObject({
      'pre-sync-storage': 'success',
      'sync-storage': 'success',
      'promote-recovery-storage': 'success',
    });
    expect(report.storageCommands.filter((c) => c.status === 'timeout')).toEqual([]);
    const pre = report.steps.find((s) => s.id === 'pre-sync-storage' && s.target === undefined)!;
    expect(Number(/synchronized in (\d+) s/.exec(pre.messages.join(' '))?.[1])).toBeGreaterThan(100);
    expect(deviceLines(report, 'pre-sync-storage')['srmds4']!.details).toMatchObject({
      syncSnapshot: expect.stringMatching(/drctl sync/),
    });
    const srmds4 = progress
      .filter((p) => p.step === 'pre-sync-storage')
      .map((p) => p.devices.find((d) => d.device === 'srmds4')!);
    expect(srmds4.some((d) => d.status === 'in-progress' && d.percent > 0 && d.percent < 100)).toBe(true);
    expect(srmds4[srmds4.length - 1]).toEqual({ device: 'srmds4', status: 'complete', percent: 100 });
  });
});
