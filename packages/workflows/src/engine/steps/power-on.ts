import { runTaskGraph, splitPriorityGroups, type ReleaseSlot, type TaskOutcome, type WithSlot } from '@drctl/scheduler';
import { DrError, type PlanVm, type Priority, type StepStatus, type VmRecord } from '@drctl/domain';
import { stepKey } from '../../machines/workflow-machine.js';
import type { PhaseName } from '../../machines/policy.js';
import type { VmRecoveryEvent, VmStage } from '../../machines/vm-recovery-machine.js';
import { errorMessage, result, type RunContext, type StepResult } from '../run-context.js';
import { runVmBatch } from './callouts.js';
import { slotKey, vmRecord } from './vm-steps.js';
import { VmRecoveryRuns } from './vm-recovery-runs.js';

/** One VM's recovery in flight: what the stages need. */
interface VmRun {
  vm: PlanVm;
  /** Its report record (asked for once: the step's save writes it). */
  record: VmRecord;
  withSlot: WithSlot;
  release: ReleaseSlot | undefined;
}

/**
 * Powers on one priority group at the recovery site. Each VM goes through the `vm-recovery`
 * machine (its transitions shared by VMs alike, see vm-recovery-runs.ts): the machine decides the
 * next stage, this code does the stage's work and sends the event that ends it. The scheduler
 * starts each VM as soon as its dependencies finished and grants boot slots the moment they free.
 * A failed VM does not stop the group.
 */
export async function powerOnPriority(
  ctx: RunContext,
  phase: PhaseName,
  priority: Priority,
  signal: AbortSignal,
): Promise<StepResult> {
  const key = stepKey(phase, `power-on-priority-${priority}`);
  const site = ctx.recoverySite;
  const members = ctx.vms.filter((vm) => vm.priority === priority);
  if (members.length === 0) return result('skipped', [`no VMs at priority ${priority}`]);

  const tasks = members.map((vm) => {
    const at = vm.placements[site]!;
    return {
      id: vm.name,
      priority: vm.priority,
      // Where the VM was registered: mount-datastores moves it off a host that cannot see its storage.
      host: slotKey(site, vmRecord(ctx, vm).host),
      cluster: slotKey(site, at.cluster),
      dependsOn: vm.dependsOn,
      estimateMs: (vm.toolsSeconds + vm.delayAfterPowerOnSeconds) * 1000,
      vm,
    };
  });
  const group = splitPriorityGroups(tasks).groups[priority - 1]!;
  const now = () => ctx.report.now();
  const recoveries = new VmRecoveryRuns();

  /** The work of each stage, ending in the event the machine expects. */
  const stages: Record<VmStage, (r: VmRun) => Promise<VmRecoveryEvent>> = {
    'pre-power-on': async (r) => ({
      type: 'PRE_POWER_ON_DONE',
      ...(await runVmBatch(ctx, r.vm.name, 'pre-power-on', r.vm.prePowerOn, r.record.callouts, key, signal)),
    }),
    'awaiting-slot': async (r) => {
      // Hold the scheduler's slot until the machine leaves `booting` (its releaseSlot action).
      await new Promise<void>((granted, refused) => {
        r.withSlot(
          () =>
            new Promise<void>((release) => {
              r.release = release;
              granted();
            }),
        ).catch(refused);
      });
      return { type: 'SLOT_GRANTED' };
    },
    'powering-on': async (r) => {
      const record = r.record;
      record.status = 'powering-on';
      record.powerOnStartedAt = now();
      ctx.events.emit({
        type: 'vm-powering-on',
        runId: ctx.runId,
        vm: r.vm.name,
        host: record.host,
        priority,
        at: record.powerOnStartedAt,
      });
      // Powering on a VM that is already on (a resumed run) is a no-op, not a second boot.
      const state = await ctx.compute.vmState({ site, vm: r.vm.name, signal });
      if (state !== 'on') await ctx.compute.powerOn({ site, vm: r.vm.name, signal });
      record.poweredOnAt = now();
      ctx.events.emit({
        type: 'vm-powered-on',
        runId: ctx.runId,
        vm: r.vm.name,
        host: record.host,
        at: record.poweredOnAt,
      });
      return { type: 'POWERED_ON' };
    },
    'waiting-for-tools': async (r) => {
      const outcome = await ctx.compute.waitForTools({
        site,
        vm: r.vm.name,
        timeoutMs: r.vm.toolsWaitSeconds * 1000,
        signal,
      });
      if (outcome !== 'ready') return { type: 'TOOLS_TIMED_OUT' };
      r.record.toolsReadyAt = now();
      return { type: 'TOOLS_READY' };
    },
    delaying: async (r) => {
      await ctx.clock.sleep(r.vm.delayAfterPowerOnSeconds * 1000, signal);
      return { type: 'DELAY_ELAPSED' };
    },
    'post-power-on': async (r) => ({
      type: 'POST_POWER_ON_DONE',
      ...(await runVmBatch(ctx, r.vm.name, 'post-power-on', r.vm.postPowerOn, r.record.callouts, key, signal)),
    }),
  };

  let already = 0;
  let leftOff = 0;
  const execute = async (
    task: (typeof group)[number],
    withSlot: WithSlot,
    started: { failedDependencies: readonly string[] },
  ): Promise<TaskOutcome> => {
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
    const run: VmRun = { vm, record, withSlot, release: undefined };
    const recovery = recoveries.start(
      {
        vm: vm.name,
        powerOn: vm.startupAction === 'power-on',
        hasPrePowerOn: vm.prePowerOn.length > 0,
        hasPostPowerOn: vm.postPowerOn.length > 0,
        waitsForTools: vm.toolsWaitSeconds > 0,
        hasDelay: vm.delayAfterPowerOnSeconds > 0,
      },
      {
        // Leaving `booting` for any reason frees the scheduler's boot slot.
        releaseSlot: () => {
          run.release?.();
          run.release = undefined;
        },
      },
    );
    for (let stage = recovery.stage; stage !== undefined && !signal.aborted; stage = recovery.stage) {
      try {
        recovery.send(await stages[stage](run));
      } catch (error) {
        recovery.send(signal.aborted ? { type: 'CANCEL' } : { type: 'FAILED', message: errorMessage(error) });
      }
    }
    if (signal.aborted && recovery.active) recovery.send({ type: 'CANCEL' });
    const final = recovery.value;
    if (final === 'recovered' || final === 'left-powered-off') {
      record.status = record.message?.startsWith('dependency') ? 'warning' : 'recovered';
      if (final === 'left-powered-off') {
        leftOff++;
        record.message = 'left powered off (startup action: do not power on)';
      }
      record.recoveredAt = now();
      ctx.journal.note({ t: 'vm', key, vm: vm.name, status: final, runId: ctx.runId, at: record.recoveredAt });
      ctx.events.emit({
        type: 'vm-recovered',
        runId: ctx.runId,
        vm: vm.name,
        host: record.host,
        at: record.recoveredAt,
      });
      return 'ok';
    }
    if (final === 'cancelled') {
      record.status = 'cancelled';
      return 'cancelled';
    }
    record.status = 'error';
    record.message = recovery.message ?? 'recovery failed';
    ctx.journal.note({ t: 'vm', key, vm: vm.name, status: 'failed', runId: ctx.runId, at: now() });
    ctx.events.emit({
      type: 'vm-failed',
      runId: ctx.runId,
      vm: vm.name,
      host: record.host,
      at: now(),
      message: record.message,
    });
    return 'failed';
  };

  const outcome = await runTaskGraph(group, { pool: ctx.pool, signal, execute });
  await ctx.journal.flush();
  if (signal.aborted)
    throw signal.reason instanceof Error ? signal.reason : new DrError('DR_CANCELLED', 'The run was cancelled.');
  const messages = [
    `${outcome.ok}/${group.length} VMs recovered${leftOff ? ` (${leftOff} left powered off by their startup action)` : ''}${outcome.failed ? `, ${outcome.failed} failed` : ''}`,
  ];
  const failedNames = outcome.results
    .filter((r) => r.outcome === 'failed')
    .map((r) => `${r.task.id}: ${vmRecord(ctx, r.task.vm).message ?? 'failed'}`);
  messages.push(...failedNames.slice(0, 20));
  let status: StepStatus = outcome.failed > 0 ? 'error' : already === group.length ? 'already-done' : 'success';
  if (status === 'success' && group.some((t) => vmRecord(ctx, t.vm).status === 'warning')) status = 'warning';
  return result(status, messages);
}
