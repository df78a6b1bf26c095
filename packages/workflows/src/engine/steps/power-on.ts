import { createActor, fromPromise, toPromise } from 'xstate';
import { runTaskGraph, splitPriorityGroups, type ReleaseSlot, type TaskOutcome, type WithSlot } from '@drctl/scheduler';
import { DrError, type PlanVm, type Priority, type StepStatus } from '@drctl/domain';
import { stepKey } from '../../machines/workflow-machine.js';
import type { PhaseName } from '../../machines/policy.js';
import { vmRecoveryMachine } from '../../machines/vm-recovery-machine.js';
import { result, type RunContext, type StepResult } from '../run-context.js';
import { runVmBatch } from './callouts.js';
import { slotKey, vmRecord } from './vm-steps.js';

/** Per-VM live state the provided actors share, keyed by VM name. */
interface VmRun {
  vm: PlanVm;
  withSlot: WithSlot;
  release: ReleaseSlot | undefined;
  signal: AbortSignal;
}

/**
 * Powers on one priority group at the recovery site. Each VM runs the `vm-recovery` machine as
 * its own root actor (not as children of one parent: spawning thousands of children is
 * quadratic in XState); the scheduler starts each VM as soon as its dependencies finished and
 * grants boot slots the moment they free. A failed VM does not stop the group.
 */
export async function powerOnPriority(ctx: RunContext, phase: PhaseName, priority: Priority, signal: AbortSignal): Promise<StepResult> {
  const key = stepKey(phase, `power-on-priority-${priority}`);
  const site = ctx.recoverySite;
  const members = ctx.vms.filter((vm) => vm.priority === priority);
  if (members.length === 0) return result('skipped', [`no VMs at priority ${priority}`]);

  const tasks = ctx.vms.map((vm) => {
    const at = vm.placements[site]!;
    return {
      id: vm.name,
      priority: vm.priority,
      host: slotKey(site, at.host),
      cluster: slotKey(site, at.cluster),
      dependsOn: vm.dependsOn,
      estimateMs: (vm.toolsSeconds + vm.delayAfterPowerOnSeconds) * 1000,
      vm,
    };
  });
  const { groups } = splitPriorityGroups(tasks);
  const group = groups[priority - 1]!;
  const runs = new Map<string, VmRun>();
  const now = () => ctx.report.now();

  const machine = vmRecoveryMachine.provide({
    actors: {
      prePowerOn: fromPromise(async ({ input, signal: s }) => {
        const r = runs.get(input.vm)!;
        return runVmBatch(ctx, input.vm, 'pre-power-on', r.vm.prePowerOn, vmRecord(ctx, r.vm).callouts, key, s);
      }),
      acquireSlot: fromPromise(async ({ input }) => {
        const r = runs.get(input.vm)!;
        // Hold the scheduler's slot until the machine leaves `booting` (releaseSlot).
        await new Promise<void>((granted, refused) => {
          r.withSlot(
            () =>
              new Promise<void>((release) => {
                r.release = release;
                granted();
              }),
          ).catch(refused);
        });
      }),
      powerOn: fromPromise(async ({ input, signal: s }) => {
        const r = runs.get(input.vm)!;
        const record = vmRecord(ctx, r.vm);
        record.status = 'powering-on';
        record.powerOnStartedAt = now();
        ctx.events.emit({ type: 'vm-powering-on', runId: ctx.runId, vm: input.vm, host: record.host, priority, at: record.powerOnStartedAt });
        // Powering on a VM that is already on (a resumed run) is a no-op, not a second boot.
        const state = await ctx.compute.vmState({ site, vm: input.vm, signal: s });
        if (state !== 'on') await ctx.compute.powerOn({ site, vm: input.vm, signal: s });
        record.poweredOnAt = now();
        ctx.events.emit({ type: 'vm-powered-on', runId: ctx.runId, vm: input.vm, host: record.host, at: record.poweredOnAt });
      }),
      waitForTools: fromPromise(async ({ input, signal: s }) => {
        const r = runs.get(input.vm)!;
        if (r.vm.toolsWaitSeconds === 0) return 'not-waited' as const;
        const outcome = await ctx.compute.waitForTools({ site, vm: input.vm, timeoutMs: r.vm.toolsWaitSeconds * 1000, signal: s });
        if (outcome === 'ready') vmRecord(ctx, r.vm).toolsReadyAt = now();
        return outcome;
      }),
      delayAfterPowerOn: fromPromise(async ({ input, signal: s }) => {
        const r = runs.get(input.vm)!;
        if (r.vm.delayAfterPowerOnSeconds > 0) await ctx.clock.sleep(r.vm.delayAfterPowerOnSeconds * 1000, s);
      }),
      postPowerOn: fromPromise(async ({ input, signal: s }) => {
        const r = runs.get(input.vm)!;
        return runVmBatch(ctx, input.vm, 'post-power-on', r.vm.postPowerOn, vmRecord(ctx, r.vm).callouts, key, s);
      }),
    },
    actions: {
      releaseSlot: ({ context }) => {
        const r = runs.get(context.vm);
        r?.release?.();
        if (r) r.release = undefined;
      },
    },
  });

  let already = 0;
  const execute = async (task: (typeof group)[number], withSlot: WithSlot, started: { failedDependencies: readonly string[] }): Promise<TaskOutcome> => {
    const vm = task.vm;
    const record = vmRecord(ctx, vm);
    const done = ctx.journal.vm(key, vm.name);
    if (done?.status === 'recovered' || done?.status === 'left-powered-off') {
      already++;
      return 'ok';
    }
    if (record.status === 'error' && record.message?.startsWith('not registered')) return 'failed';
    if (started.failedDependencies.length > 0) {
      record.message = `dependency ${started.failedDependencies.join(', ')} failed; powered on anyway`;
    }
    runs.set(vm.name, { vm, withSlot, release: undefined, signal });
    const actor = createActor(machine, {
      input: {
        vm: vm.name,
        powerOn: vm.startupAction === 'power-on',
        hasPrePowerOn: vm.prePowerOn.length > 0,
        hasPostPowerOn: vm.postPowerOn.length > 0,
        waitsForTools: vm.toolsWaitSeconds > 0,
        hasDelay: vm.delayAfterPowerOnSeconds > 0,
      },
    });
    const onAbort = () => actor.send({ type: 'CANCEL' });
    signal.addEventListener('abort', onAbort, { once: true });
    actor.start();
    try {
      await toPromise(actor);
    } catch {
      // toPromise rejects only on actor errors; the machine turns failures into its `failed` state.
    } finally {
      signal.removeEventListener('abort', onAbort);
      runs.delete(vm.name);
    }
    const snapshot = actor.getSnapshot();
    const final = String(snapshot.value);
    if (final === 'recovered' || final === 'left-powered-off') {
      record.status = record.message?.startsWith('dependency') ? 'warning' : 'recovered';
      record.recoveredAt = now();
      ctx.journal.note({ t: 'vm', key, vm: vm.name, status: final, runId: ctx.runId, at: record.recoveredAt });
      ctx.events.emit({ type: 'vm-recovered', runId: ctx.runId, vm: vm.name, host: record.host, at: record.recoveredAt });
      return 'ok';
    }
    if (final === 'cancelled') {
      record.status = 'cancelled';
      return 'cancelled';
    }
    record.status = 'error';
    record.message = snapshot.context.message ?? 'recovery failed';
    ctx.journal.note({ t: 'vm', key, vm: vm.name, status: 'failed', runId: ctx.runId, at: now() });
    ctx.events.emit({ type: 'vm-failed', runId: ctx.runId, vm: vm.name, host: record.host, at: now(), message: record.message });
    return 'failed';
  };

  const outcome = await runTaskGraph(group, { pool: ctx.pool, signal, execute });
  await ctx.journal.flush();
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new DrError('DR_CANCELLED', 'The run was cancelled.');
  const messages = [`${outcome.ok}/${group.length} VM(s) recovered${outcome.failed ? `, ${outcome.failed} failed` : ''}`];
  const failedNames = outcome.results.filter((r) => r.outcome === 'failed').map((r) => `${r.task.id}: ${vmRecord(ctx, r.task.vm).message ?? 'failed'}`);
  messages.push(...failedNames.slice(0, 20));
  let status: StepStatus = outcome.failed > 0 ? 'error' : already === group.length ? 'already-done' : 'success';
  if (status === 'success' && group.some((t) => vmRecord(ctx, t.vm).status === 'warning')) status = 'warning';
  return result(status, messages);
}
