import { describe, expect, it } from '@jest/globals';
import { DrError, type Environment } from '@drctl/domain';
import { createHarness, smallEnvironment, stepStatuses } from './harness.js';

const withForcedRecovery = (env: Environment): Environment => ({
  ...env,
  settings: { ...env.settings, 'recovery.forceRecovery': true },
});

const statusOf = (steps: Array<[string, string]>, id: string) => steps.find(([s]) => s === id)?.[1];

describe('planned migration vs disaster recovery error policies', () => {
  it('planned migration with the protected site down stops before the storage steps and rolls back', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'site-down', site: plan.protectedSite }] });
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(report.result).toBe('errors');
    const steps = stepStatuses(report);
    expect(statusOf(steps, 'pre-sync-storage')).toBe('error');
    expect(statusOf(steps, 'rollback-protected-site')).toBe('success');
    expect(steps.map(([id]) => id)).not.toContain('promote-recovery-storage');
    expect(h.world.effectCount('failover')).toBe(0);
    expect((await h.engine.planStatus(plan.name)).state).toBe('ready');
  });

  it('planned migration stops incomplete on a promotion error; running it again finishes with finished steps already-done', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'error', command: 'failover' }] });
    const first = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(first.result).toBe('incomplete');
    expect(statusOf(stepStatuses(first), 'promote-recovery-storage')).toBe('error');
    expect(stepStatuses(first).map(([id]) => id)).not.toContain('rollback-protected-site');
    expect((await h.engine.planStatus(plan.name)).state).toBe('recovery-incomplete');

    h.world.setFaults([]);
    const second = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(second.result).toBe('success');
    const steps = stepStatuses(second);
    for (const id of ['pre-sync-storage', 'shutdown-protected-vms', 'prepare-protected-storage', 'sync-storage']) {
      expect([id, statusOf(steps, id)]).toEqual([id, 'already-done']);
    }
    expect(statusOf(steps, 'promote-recovery-storage')).toBe('success');
    expect(h.world.effectCount('prepareFailover')).toBe(h.world.effectCount('failover'));
    expect((await h.engine.planStatus(plan.name)).state).toBe('recovery-complete');
  });

  it('disaster recovery with the protected site down goes on with warnings, and a later run finishes the protected site', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'site-down', site: plan.protectedSite }] });
    const report = await h.run({ plan: plan.name, workflow: 'disaster-recovery' });
    expect(report.result).toBe('warnings');
    expect(report.mode).toBe('disaster');
    const steps = stepStatuses(report);
    for (const id of ['pre-sync-storage', 'shutdown-protected-vms', 'prepare-protected-storage'])
      expect(statusOf(steps, id)).toBe('warning');
    // The array may warn that it could not reach the old source; the promotion itself succeeded.
    expect(['success', 'warning']).toContain(statusOf(steps, 'promote-recovery-storage'));
    expect(report.vms.every((v) => v.status === 'recovered')).toBe(true);
    expect(report.notes.join(' ')).toMatch(/run disaster-recovery again/);

    const refused = await h.engine.start({ plan: plan.name, workflow: 'reprotect' }).catch((e: unknown) => e);
    expect((refused as DrError).code).toBe('DR_OPERATION_REFUSED');
    expect((refused as DrError).message).toMatch(/without shutting down the protected site/);

    h.world.setFaults([]);
    const again = await h.run({ plan: plan.name, workflow: 'disaster-recovery' });
    const againSteps = stepStatuses(again);
    expect(statusOf(againSteps, 'shutdown-protected-vms')).toBe('success');
    // A Live Volume's old primary is already secondary after the role swap: done, with a warning.
    expect(['success', 'warning']).toContain(statusOf(againSteps, 'prepare-protected-storage'));
    // Syncing after promotion would overwrite the recovered data.
    expect(statusOf(againSteps, 'sync-storage')).toBe('skipped');
    expect(statusOf(againSteps, 'promote-recovery-storage')).toBe('already-done');
    expect(h.world.effectCount('failover')).toBe(env.volumes.length);
    const reprotect = await h.run({ plan: plan.name, workflow: 'reprotect' });
    expect(['success', 'warnings']).toContain(reprotect.result);
  });

  it('forced recovery skips every protected-site step', async () => {
    const env = withForcedRecovery(smallEnvironment());
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'site-down', site: plan.protectedSite }] });
    const report = await h.run({ plan: plan.name, workflow: 'disaster-recovery', forcedRecovery: true });
    expect(report.mode).toBe('forced');
    const steps = stepStatuses(report);
    for (const id of ['pre-sync-storage', 'shutdown-protected-vms', 'prepare-protected-storage', 'sync-storage'])
      expect(statusOf(steps, id)).toBe('skipped');
    expect(report.storageCommands.some((c) => c.command === 'syncOnce' || c.command === 'prepareFailover')).toBe(false);
    expect(report.notes.join(' ')).toMatch(/protected site .* did not answer when the run started/);
  });
});

describe('forced recovery is for a protected site that is gone (srm-facts §1.1)', () => {
  it('is refused while recovery.forceRecovery is off, even with the protected site down', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'site-down', site: plan.protectedSite }] });
    const refused = await h.engine
      .start({ plan: plan.name, workflow: 'disaster-recovery', forcedRecovery: true })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DrError);
    expect((refused as DrError).code).toBe('DR_OPERATION_REFUSED');
    expect((refused as DrError).message).toMatch(/recovery\.forceRecovery/);
    expect((refused as DrError).issues[0]!.path).toBe('settings.recovery.forceRecovery');
    expect((await h.engine.planStatus(plan.name)).state).toBe('ready');
  });

  it('is refused with the reason while the protected site answers: nothing runs, the protected VMs keep running', async () => {
    const env = withForcedRecovery(smallEnvironment());
    const plan = env.plans[0]!;
    const h = createHarness(env);
    const refused = await h.engine
      .start({ plan: plan.name, workflow: 'disaster-recovery', forcedRecovery: true })
      .catch((e: unknown) => e);
    expect((refused as DrError).code).toBe('DR_OPERATION_REFUSED');
    expect((refused as DrError).message).toMatch(new RegExp(`protected site ${plan.protectedSite} answers`));
    expect(await h.engine.runs(plan.name)).toEqual([]);
    expect((await h.engine.planStatus(plan.name)).state).toBe('ready');
    expect(h.world.effectCount('failover')).toBe(0);
  });

  it('runs with the protected site up only on an explicit override, which the report records', async () => {
    const env = withForcedRecovery(smallEnvironment());
    const plan = env.plans[0]!;
    const h = createHarness(env);
    const report = await h.run({
      plan: plan.name,
      workflow: 'disaster-recovery',
      forcedRecovery: true,
      forcedRecoveryOverride: 'protected site isolated from its storage; VMs fenced by hand',
    });
    expect(report.mode).toBe('forced');
    expect(report.notes).toContain(
      `forced recovery although the protected site ${plan.protectedSite} answered, overridden by the operator: protected site isolated from its storage; VMs fenced by hand`,
    );
    expect(statusOf(stepStatuses(report), 'shutdown-protected-vms')).toBe('skipped');
  });

  it('refuses an override without a forced recovery', async () => {
    const env = withForcedRecovery(smallEnvironment());
    const h = createHarness(env);
    const refused = await h.engine
      .start({ plan: env.plans[0]!.name, workflow: 'disaster-recovery', forcedRecoveryOverride: 'why' })
      .catch((e: unknown) => e);
    expect((refused as DrError).code).toBe('DR_INPUT_INVALID');
    expect((refused as DrError).issues[0]!.path).toBe('forcedRecoveryOverride');
  });
});

describe('limits and faults', () => {
  it('cuts a hung storage command at commandTimeout + 90 s per Live Volume, in virtual time', async () => {
    const env = smallEnvironment({ liveVolumes: 2 });
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'hang', command: 'failover' }] });
    const started = h.clock.now();
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(report.settings.appliedCommandTimeoutSeconds).toBe(300 + 2 * 90);
    const hung = report.storageCommands.filter((c) => c.command === 'failover');
    expect(hung.length).toBeGreaterThan(0);
    for (const c of hung) {
      expect(c.status).toBe('timeout');
      expect(c.message).toMatch(
        /failover on array .* did not finish within 480 s \(storage.commandTimeout 300 s \+ 90 s × 2 Live Volume\(s\)\)/,
      );
      expect(Date.parse(c.finishedAt!) - Date.parse(c.startedAt)).toBe(480_000);
    }
    expect(report.result).toBe('incomplete');
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(480_000);
  });

  it('a VM that never reports its Tools fails alone; the plan goes on and ends with errors', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const victim = env.vms[0]!.name;
    const h = createHarness(env, { faults: [{ kind: 'no-tools', vm: victim }] });
    const report = await h.run({ plan: plan.name, workflow: 'test' });
    expect(report.result).toBe('errors');
    const vm = report.vms.find((v) => v.name === victim)!;
    expect(vm.status).toBe('error');
    expect(vm.message).toMatch(/Tools/);
    expect(
      report.vms.filter((v) => v.name !== victim).every((v) => v.status === 'recovered' || v.status === 'warning'),
    ).toBe(true);
    expect(stepStatuses(report).map(([id]) => id)).toContain('power-on-priority-5');
  });

  it('never has more storage commands in flight than storage.maxConcurrentCommandCnt', async () => {
    const env = smallEnvironment({ datastores: 6 });
    const h = createHarness({ ...env, settings: { 'storage.maxConcurrentCommandCnt': 1 } });
    const report = await h.run({ plan: env.plans[0]!.name, workflow: 'planned-migration' });
    expect(report.result).toBe('success');
    const spans = report.storageCommands
      .filter((c) => c.status !== 'reused')
      .map((c) => [Date.parse(c.startedAt), Date.parse(c.finishedAt!)] as const);
    for (let i = 0; i < spans.length; i++) {
      for (let j = i + 1; j < spans.length; j++) {
        const [a0, a1] = spans[i]!;
        const [b0, b1] = spans[j]!;
        expect(a0 < b1 && b0 < a1).toBe(false);
      }
    }
  });

  it('keeps every host under its boot limit while keeping its slot busy', async () => {
    const env = smallEnvironment({ vms: 40, hosts: 4, clusters: 2 });
    const h = createHarness({ ...env, settings: { defaultMaxBootAndShutdownOpsPerHost: 1 } });
    const report = await h.run({ plan: env.plans[0]!.name, workflow: 'test' });
    const byHost = new Map<string, Array<[number, number]>>();
    for (const vm of report.vms) {
      if (!vm.powerOnStartedAt || !vm.toolsReadyAt) continue;
      const spans = byHost.get(vm.host) ?? [];
      spans.push([Date.parse(vm.powerOnStartedAt), Date.parse(vm.toolsReadyAt)]);
      byHost.set(vm.host, spans);
    }
    expect(byHost.size).toBeGreaterThan(0);
    for (const spans of byHost.values()) {
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    }
  });
});

describe('prompts and cancel', () => {
  it('pauses at a prompt until it is answered, and records who answered', async () => {
    const env = smallEnvironment();
    const plan = {
      ...env.plans[0]!,
      callouts: [{ type: 'prompt' as const, text: 'Confirm the DBA is ready', before: 'power-on-priority-1' as const }],
    };
    const h = createHarness({ ...env, plans: [plan] });
    const seen: string[] = [];
    h.engine.subscribe((e) => {
      if (e.type === 'prompt-waiting') {
        seen.push(e.text);
        setImmediate(() => h.engine.answerPrompt(e.promptId, 'go', 'alice'));
      }
    });
    const report = await h.run({ plan: plan.name, workflow: 'test' });
    expect(seen).toEqual(['Confirm the DBA is ready']);
    expect(report.prompts).toEqual([
      expect.objectContaining({ text: 'Confirm the DBA is ready', answer: 'go', answeredBy: 'alice' }),
    ]);
    expect(report.result).toBe('success');
  });

  it('cancel during power-on ends the run cancelled and leaves recovery incomplete', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env);
    let runId = '';
    h.engine.subscribe((e) => {
      if (e.type === 'run-started') runId = e.runId;
      if (e.type === 'vm-powering-on' && e.priority === 2) h.engine.cancel(runId);
    });
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(report.result).toBe('cancelled');
    expect((await h.engine.planStatus(plan.name)).state).toBe('recovery-incomplete');
  });

  it('cancel before the storage steps of a planned migration rolls the protected site back', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env);
    let runId = '';
    h.engine.subscribe((e) => {
      if (e.type === 'run-started') runId = e.runId;
      if (e.type === 'vm-shut-down') h.engine.cancel(runId);
    });
    const report = await h.run({ plan: plan.name, workflow: 'planned-migration' });
    expect(report.result).toBe('cancelled');
    expect(stepStatuses(report).find(([id]) => id === 'rollback-protected-site')?.[1]).toBe('success');
    expect((await h.engine.planStatus(plan.name)).state).toBe('ready');
    const protectedVms = env.vms.filter((v) => v.site === plan.protectedSite);
    for (const vm of protectedVms) expect(h.world.vmAt(plan.protectedSite, vm.name)?.power).toBe('on');
  });
});

describe('re-running after a storage command timed out', () => {
  // Regression: a timed-out command was journaled and then reused as if it had finished.
  it('sends the timed-out command again instead of reusing its result', async () => {
    const env = smallEnvironment();
    const plan = env.plans[0]!;
    const h = createHarness(env, { faults: [{ kind: 'hang', command: 'prepareFailover' }] });
    const first = await h.run({ plan: plan.name, workflow: 'disaster-recovery' });
    expect(first.storageCommands.filter((c) => c.command === 'prepareFailover').map((c) => c.status)).toEqual([
      'timeout',
    ]);
    expect(statusOf(stepStatuses(first), 'prepare-protected-storage')).toBe('warning');
    expect(h.world.effectCount('prepareFailover')).toBe(0);

    h.world.setFaults([]);
    const again = await h.run({ plan: plan.name, workflow: 'disaster-recovery' });
    const sent = again.storageCommands.filter((c) => c.command === 'prepareFailover');
    expect(sent.map((c) => [c.status, c.attempt])).toEqual([[expect.stringMatching(/^(success|warning)$/), 2]]);
    expect(h.world.effectCount('prepareFailover')).toBeGreaterThan(0);
    expect((await h.engine.planStatus(plan.name)).state).toBe('recovery-complete');
  });
});

describe('answering a prompt from inside its event', () => {
  it('is accepted: the prompt is registered before it is announced', async () => {
    const env = smallEnvironment();
    const plan = {
      ...env.plans[0]!,
      callouts: [{ type: 'prompt' as const, text: 'Go?', before: 'rescan-hosts' as const }],
    };
    const h = createHarness({ ...env, plans: [plan] });
    h.engine.subscribe((e) => {
      if (e.type === 'prompt-waiting') h.engine.answerPrompt(e.promptId, 'yes', 'bob');
    });
    const report = await h.run({ plan: plan.name, workflow: 'test' });
    expect(report.prompts[0]).toMatchObject({ answer: 'yes', answeredBy: 'bob' });
  });
});
