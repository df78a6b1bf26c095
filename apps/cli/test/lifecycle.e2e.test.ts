import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import { load as parse } from 'js-yaml';
import type { RunReport } from '@drctl/domain';
import {
  drctl,
  ensureBuilt,
  finalLine,
  jsonLines,
  readReport,
  tempDir,
  TECHSOL,
  topSteps,
} from './support/cli-process.js';
import { memoryIo } from './support/memory-io.js';
import { runCli } from '../src/index.js';
import { maxOpenAtOnce } from './support/overlap.js';

const PLAN = 'Protect vcsite1';
const POWER_ON = [
  'power-on-priority-1',
  'power-on-priority-2',
  'power-on-priority-3',
  'power-on-priority-4',
  'power-on-priority-5',
];
const RECOVERY = [
  'pre-sync-storage',
  'shutdown-protected-vms',
  'resume-protected-vms',
  'prepare-protected-storage',
  'sync-storage',
  'suspend-recovery-vms',
  'promote-recovery-storage',
  'rescan-hosts',
  'match-stretched-devices',
  'mount-datastores',
  ...POWER_ON,
];
const REPROTECT = ['reverse-replication', 'create-placeholders', 'cleanup-storage', 'sync-storage'];

/** The techsol plan's recovery settings, read straight from the example's files. */
const planFile = parse(readFileSync(new URL('../../../examples/techsol/plans.yaml', import.meta.url), 'utf8')) as {
  plans: Array<{ name: string; vms: Array<{ vm: string; priority: number; dependsOn?: string[] }> }>;
};
const techsolPlan = planFile.plans.find((p) => p.name === PLAN)!;

/** Checks from the report alone that no host or cluster ran more boots at once than its limit. */
function expectBootLimitsKept(report: RunReport, limits: { host: number; cluster: (name: string) => number }): void {
  const spans = report.vms
    .filter((v) => v.powerOnStartedAt && (v.toolsReadyAt ?? v.poweredOnAt))
    .map((v) => ({
      host: v.host,
      cluster: v.cluster,
      start: v.powerOnStartedAt!,
      end: (v.toolsReadyAt ?? v.poweredOnAt)!,
    }));
  expect(spans.length).toBeGreaterThan(0);
  for (const [host, most] of maxOpenAtOnce(spans.map((s) => ({ key: s.host, start: s.start, end: s.end })))) {
    expect({ host, most: Math.min(most, limits.host) }).toEqual({ host, most });
  }
  for (const [cluster, most] of maxOpenAtOnce(spans.map((s) => ({ key: s.cluster, start: s.start, end: s.end })))) {
    expect({ cluster, most: Math.min(most, limits.cluster(cluster)) }).toEqual({ cluster, most });
  }
}

function expectStorageConcurrencyKept(report: RunReport): void {
  const limit = report.settings['storage.maxConcurrentCommandCnt'];
  const sent = report.storageCommands.filter((c) => c.status !== 'reused');
  expect(sent.every((c) => c.finishedAt !== undefined)).toBe(true);
  const most = maxOpenAtOnce(sent.map((c) => ({ key: 'all', start: c.startedAt, end: c.finishedAt! }))).get('all') ?? 0;
  expect(most).toBeGreaterThan(0);
  if (limit > 0) expect(most).toBeLessThanOrEqual(limit);
}

/** Priority k+1 starts only once every VM of priority k has recovered (or failed). */
function expectPriorityBarriersAndDependencies(report: RunReport): void {
  const finished = (name: string) => {
    const vm = report.vms.find((v) => v.name === name)!;
    return vm.recoveredAt ?? vm.toolsReadyAt ?? vm.poweredOnAt;
  };
  for (let p = 1; p < 5; p++) {
    const ends = report.vms
      .filter((v) => v.priority === p)
      .map((v) => finished(v.name))
      .filter((x): x is string => x !== undefined);
    const starts = report.vms.filter((v) => v.priority === p + 1 && v.powerOnStartedAt).map((v) => v.powerOnStartedAt!);
    if (ends.length === 0 || starts.length === 0) continue;
    expect(starts.sort()[0]! >= ends.sort()[ends.length - 1]!).toBe(true);
  }
  for (const setting of techsolPlan.vms) {
    const vm = report.vms.find((v) => v.name === setting.vm);
    if (!vm?.powerOnStartedAt) continue;
    for (const dependency of setting.dependsOn ?? []) expect(vm.powerOnStartedAt >= finished(dependency)!).toBe(true);
  }
}

async function run(stateDir: string, workflow: string, extra: string[] = []) {
  const result = await drctl([
    'run',
    workflow,
    '--env',
    TECHSOL,
    '--plan',
    PLAN,
    '--simulate',
    '--answer',
    'replicated, go on',
    '--state-dir',
    stateDir,
    '--json',
    ...extra,
  ]);
  if (result.code !== 0 && result.code !== 1)
    throw new Error(`drctl run ${workflow} exited ${result.code}: ${result.stderr}${result.stdout.slice(-1500)}`);
  const last = finalLine(result.stdout);
  return {
    result,
    last,
    report: readReport(last.reportPath),
    events: jsonLines<{ type: string; [k: string]: unknown }>(result.stdout),
  };
}

async function planState(stateDir: string): Promise<{ state: string; reversed: boolean }> {
  // Read in-process (runCli is the binary's entry) between the runs' separate processes.
  const io = memoryIo();
  expect(await runCli(['status', '--env', TECHSOL, '--plan', PLAN, '--state-dir', stateDir, '--json'], io)).toBe(0);
  return JSON.parse(io.out()).plans[0];
}

describe('the techsol lifecycle, one drctl process per workflow', () => {
  const stateDir = tempDir('lifecycle');
  beforeAll(() => ensureBuilt());
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('runs test → cleanup → planned migration → reprotect → failback in SRM step order, within the limits', async () => {
    const limits = { host: 4, cluster: (name: string) => (name.endsWith('-mgmt') ? 8 : 32) };

    const test = await run(stateDir, 'test');
    expect(test.last).toMatchObject({ result: 'success', exitCode: 0 });
    expect(test.result.code).toBe(0);
    expect(topSteps(test.report)).toEqual(
      [
        'sync-storage',
        'suspend-recovery-vms',
        'create-test-snapshots',
        'rescan-hosts',
        'match-stretched-devices',
        'mount-datastores',
        'configure-test-networks',
        ...POWER_ON,
      ].map((id) => [id, 'success']),
    );
    expect(test.report.mode).toBe('test');
    // The pre-power-on revert script ran (a real node process, from the example's folder).
    expect(test.report.vms.find((v) => v.name === 'sql01')!.callouts).toEqual([
      expect.objectContaining({ phase: 'pre-power-on', status: 'success' }),
    ]);
    // Its prompt sits before promote-recovery-storage, a step tests do not have.
    expect(test.report.prompts).toEqual([]);
    expectBootLimitsKept(test.report, limits);
    expectStorageConcurrencyKept(test.report);
    expectPriorityBarriersAndDependencies(test.report);
    expect(await planState(stateDir)).toMatchObject({ state: 'test-complete', reversed: false });

    const cleanup = await run(stateDir, 'cleanup');
    expect(cleanup.last.result).toBe('success');
    expect(topSteps(cleanup.report)).toEqual(
      ['power-off-test-vms', 'resume-recovery-vms', 'discard-test-storage', 'rescan-hosts'].map((id) => [
        id,
        'success',
      ]),
    );
    expect(await planState(stateDir)).toMatchObject({ state: 'ready' });

    // Tight boot limits and one storage command at a time, so the limits really bind.
    const migration = await run(stateDir, 'planned-migration', [
      '--set',
      'defaultMaxBootAndShutdownOpsPerHost=1',
      '--set',
      'defaultMaxBootAndShutdownOpsPerCluster=2',
      '--set',
      'storage.maxConcurrentCommandCnt=1',
    ]);
    expect(migration.last.result).toBe('success');
    expect(migration.report.mode).toBe('planned');
    // Nothing was suspended at vcsite1 by an earlier recovery: nothing to resume there.
    expect(topSteps(migration.report)).toEqual(
      RECOVERY.map((id) => [id, id === 'resume-protected-vms' ? 'skipped' : 'success']),
    );
    expect(migration.report.settings).toMatchObject({
      defaultMaxBootAndShutdownOpsPerHost: 1,
      appliedCommandTimeoutSeconds: 390,
      liveVolumes: 1,
    });
    // The management clusters' own srmMaxBootShutdownOps (8) overrides the default of 2.
    expectBootLimitsKept(migration.report, { host: 1, cluster: (name) => (name.endsWith('-mgmt') ? 8 : 2) });
    expectStorageConcurrencyKept(migration.report);
    expectPriorityBarriersAndDependencies(migration.report);
    expect(migration.report.vms.filter((v) => v.status === 'recovered')).toHaveLength(20);
    expect(migration.report.prompts).toEqual([
      expect.objectContaining({
        step: 'promote-recovery-storage',
        answer: 'replicated, go on',
        answeredBy: 'e2e-operator (--answer)',
      }),
    ]);
    // Protected VMs shut down lowest priority first (5 … 1).
    const shutDownPriorities = migration.events
      .filter((e) => e.type === 'vm-shut-down')
      .map((e) => techsolPlan.vms.find((v) => v.vm === e['vm'])!.priority);
    expect(shutDownPriorities).toHaveLength(20);
    expect([...shutDownPriorities].sort((a, b) => b - a)).toEqual(shutDownPriorities);
    expect(await planState(stateDir)).toMatchObject({ state: 'recovery-complete' });

    const reprotect = await run(stateDir, 'reprotect');
    expect(topSteps(reprotect.report).map(([id]) => id)).toEqual(REPROTECT);
    // The Live Volume swapped roles at failover: its reverse replication is already in place and
    // the adapter says so with a warning; everything else succeeds.
    expect(['success', 'warnings']).toContain(reprotect.last.result);
    for (const [, status] of topSteps(reprotect.report)) expect(['success', 'warning']).toContain(status);
    const reprotectWarnings = reprotect.report.steps.flatMap((s) => s.results).filter((r) => r.status !== 'success');
    expect(reprotectWarnings.every((r) => r.device === 'srmlv1' && r.status === 'warning')).toBe(true);
    expectStorageConcurrencyKept(reprotect.report);
    expect(await planState(stateDir)).toMatchObject({ state: 'ready', reversed: true });

    const failback = await run(stateDir, 'failback');
    expect(['success', 'warnings']).toContain(failback.last.result);
    const failbackSteps = failback.report.steps.filter((s) => s.target === undefined);
    expect(failbackSteps.map((s) => s.id)).toEqual([...RECOVERY, ...REPROTECT]);
    expect(failbackSteps.slice(0, RECOVERY.length).every((s) => s.title.endsWith('(planned-migration)'))).toBe(true);
    // The plan's VMs to suspend live at vcsite2, which is not the recovery site on the way back.
    expect(failbackSteps.slice(0, RECOVERY.length).map((s) => [s.id, s.status])).toEqual(
      RECOVERY.map((id) => [id, id === 'suspend-recovery-vms' ? 'skipped' : 'success']),
    );
    expect(failbackSteps.slice(RECOVERY.length).every((s) => s.title.endsWith('(reprotect)'))).toBe(true);
    expect(failback.report.protectedSite).toBe('vcsite2');
    expectBootLimitsKept(failback.report, limits);
    expectStorageConcurrencyKept(failback.report);
    expect(await planState(stateDir)).toMatchObject({ state: 'ready', reversed: false });

    // History lists the five runs, newest first, and summarises one for a person.
    const history = await drctl(['history', '--env', TECHSOL, '--state-dir', stateDir, '--json']);
    expect(JSON.parse(history.stdout).map((r: { workflow: string }) => r.workflow)).toEqual([
      'failback',
      'reprotect',
      'planned-migration',
      'cleanup',
      'test',
    ]);
    const summary = await drctl(['history', '--env', TECHSOL, '--state-dir', stateDir, '--run', migration.last.runId]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain('result: SUCCESS');
    expect(summary.stdout).toMatch(/boots at once: at most 1 on host \S+ \(limit 1\)/);
    // Two syncs, each started once and polled every 10 s until complete (96 s), then prepare and failover.
    expect(migration.report.storageCommands.filter((c) => c.command === 'syncOnce')).toHaveLength(2);
    expect(summary.stdout).toContain('Storage commands: 24 (at most 1 at once, limit 1; timeout 390 s)');
  });
});
