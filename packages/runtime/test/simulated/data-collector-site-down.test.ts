import { afterEach, describe, expect, it } from '@jest/globals';
import type { Environment } from '@drctl/domain';
import {
  Lab,
  PLAN_2,
  deviceLines,
  run,
  stepStatuses,
  withRemoteDataCollectorAt,
  withoutCommandCallouts,
} from '../sc-series/support.js';

const lab = new Lab();
afterEach(() => lab.release());

/**
 * Issue 10 §5 in the in-process simulator (`--storage simulated`): a site-down rehearsal takes the
 * Data Collector at that site down with it (§4.1), as the SC Series path does with the DSM
 * simulator (`../sc-series/disaster-recovery.test.ts`), so neither simulator hides the outcome.
 */
describe('in-process simulator: the Data Collector is lost with its site (§4.1)', () => {
  const variant = (edit: (env: Environment) => void = () => undefined) =>
    lab.techsolVariant((env) => {
      withoutCommandCallouts(env);
      edit(env);
    });

  it('with the single Data Collector at the lost site, no storage command reaches an array: the recovery stops incomplete', async () => {
    const ws = await lab.workspace({
      environmentPath: variant(),
      stateDir: lab.tempDir(),
      storage: 'simulated',
      inject: ['site-down:vcsite2'],
    });
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    expect(report.result).toBe('incomplete');
    expect(Object.fromEntries(stepStatuses(report))).toMatchObject({ 'promote-recovery-storage': 'error' });
    const promoted = deviceLines(report, 'promote-recovery-storage');
    expect(Object.keys(promoted).sort()).toEqual(['srmds3', 'srmds4']);
    for (const line of Object.values(promoted))
      expect(line.description).toMatch(/Data Collector dsm1\.techsol\.local:3033 .* runs at site vcsite2.*§4\.1/);
    expect(report.vms.some((v) => v.status === 'recovered')).toBe(false);
  });

  it("with a Remote Data Collector at the surviving site (the guide's advice), the same loss recovers", async () => {
    const ws = await lab.workspace({
      environmentPath: variant(withRemoteDataCollectorAt('vcsite1')),
      stateDir: lab.tempDir(),
      storage: 'simulated',
      inject: ['site-down:vcsite2'],
    });
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    // Promoted (with the simulator's warning that the lost source was never prepared).
    for (const line of Object.values(deviceLines(report, 'promote-recovery-storage')))
      expect([line.device, line.status]).toEqual([line.device, 'warning']);
    expect(report.vms.filter((v) => v.status === 'recovered').length).toBeGreaterThan(0);
  });

  it('a Data Collector at a third site survives the loss of either site', async () => {
    const ws = await lab.workspace({
      environmentPath: variant((env) => {
        for (const m of env.arrayManagers) if (m.connection) m.connection.dataCollectorSite = 'third-site';
      }),
      stateDir: lab.tempDir(),
      storage: 'simulated',
      inject: ['site-down:vcsite2'],
    });
    const report = await run(ws, { plan: PLAN_2, workflow: 'disaster-recovery' });
    // Promoted (with the simulator's warning that the lost source was never prepared).
    for (const line of Object.values(deviceLines(report, 'promote-recovery-storage')))
      expect([line.device, line.status]).toEqual([line.device, 'warning']);
  });
});
