import { runTaskGraph, shutdownGroups, splitPriorityGroups, type TaskOutcome } from '@drctl/scheduler';
import type { PlanVm, StepStatus, VmRecord } from '@drctl/domain';
import { stepKey } from '../../machines/workflow-machine.js';
import type { PhaseName } from '../../machines/policy.js';
import { combineStatuses, errorMessage, result, type RunContext, type StepResult } from '../run-context.js';
import { blindHosts, unpromotedDevices, usableHost } from './failed-resources.js';
import { forEach } from './host-steps.js';
import { discardTestStorageCommand, prepareProtectedStorageCommand } from './storage-steps.js';

/** Per site, per host or cluster name, its pool key (see `slotKey`). */
const slotKeys = new Map<string, Map<string, string>>();

/**
 * Pool keys are qualified by site: host and cluster names may repeat across vCenters. The same
 * string each time for the same pair: the pools look every VM's keys up, and a fresh string would
 * be hashed anew at each lookup. (As many entries as the environments' hosts and clusters.)
 */
export function slotKey(site: string, name: string): string {
  let bySite = slotKeys.get(site);
  if (!bySite) {
    bySite = new Map();
    slotKeys.set(site, bySite);
  }
  let key = bySite.get(name);
  if (key === undefined) {
    key = `${site}/${name}`;
    bySite.set(name, key);
  }
  return key;
}

/**
 * 'success' once `work` is done. A step's last wait for each of 10,000 VMs is returned through
 * this rather than awaited, so the VM's async frame ends instead of waiting suspended (and being
 * copied by every scavenge meanwhile).
 */
function succeeded(work: Promise<void>): Promise<StepStatus> {
  return work.then(() => 'success');
}

export function vmRecord(ctx: RunContext, vm: PlanVm): VmRecord {
  // Asked several times per VM per step: the record exists after the first, and the closure
  // that would create it is not built for nothing.
  return ctx.report.vm(vm.name) ?? ctx.report.vm(vm.name, () => newVmRecord(ctx, vm));
}

function newVmRecord(ctx: RunContext, vm: PlanVm): VmRecord {
  const at = vm.placements[ctx.recoverySite]!;
  return { name: vm.name, priority: vm.priority, host: at.host, cluster: at.cluster, status: 'pending', callouts: [] };
}

/**
 * Mounts the plan's datastores at the recovery site, then registers each VM on its recovery host.
 * What earlier steps could not do is worked around here, one protection group or VM at a time:
 * a datastore on a device whose promotion failed is not mounted (its VMs fail with the array's
 * reason), and a VM whose host failed every rescan goes to another host of its cluster that
 * rescanned, or fails.
 */
export async function mountDatastores(ctx: RunContext, phase: PhaseName, signal: AbortSignal): Promise<StepResult> {
  const isTest = ctx.workflow === 'test';
  const failedDatastores = new Map<string, string>();
  const mountErrors: string[] = [];
  const children = new Map(
    ctx.datastores.map(
      (ds) => [ds.name, ctx.report.child('mount-datastores', ds.name, `Mount datastore ${ds.name}`)] as const,
    ),
  );
  const unpromoted = isTest ? new Map<string, string>() : unpromotedDevices(ctx, phase);
  const blind = blindHosts(ctx);
  const dsStatuses = await forEach(
    ctx.datastores,
    signal,
    async (ds) => {
      const lost = ds.devices.filter((d) => unpromoted.has(d));
      if (lost.length > 0) {
        const reason = `device ${lost.map((d) => `${d} was not failed over (${unpromoted.get(d)})`).join('; ')}`;
        failedDatastores.set(ds.name, reason);
        ctx.report.finish(children.get(ds.name)!, 'error', `not mounted: ${reason}`);
        mountErrors.push(`${ds.name}: not mounted: ${reason}`);
        return 'error';
      }
      await ctx.compute.mountDatastore({
        site: ctx.recoverySite,
        datastore: ds.name,
        devices: ds.devices,
        test: isTest,
        signal,
      });
      ctx.report.finish(children.get(ds.name)!, 'success');
      return 'success';
    },
    (ds, error) => {
      failedDatastores.set(ds.name, `did not mount: ${errorMessage(error)}`);
      ctx.report.finish(children.get(ds.name)!, 'error', errorMessage(error));
      mountErrors.push(`${ds.name}: ${errorMessage(error)}`);
    },
  );
  let registerFailures = 0;
  await forEach(
    ctx.vms,
    signal,
    async (vm) => {
      const record = vmRecord(ctx, vm);
      const missing = vm.datastores.filter((d) => failedDatastores.has(d));
      if (missing.length > 0) {
        record.status = 'error';
        record.message = `not registered: datastore ${missing.map((d) => `${d} ${failedDatastores.get(d)}`).join('; ')}`;
        registerFailures++;
        return 'error';
      }
      const state = await ctx.compute.vmState({ site: ctx.recoverySite, vm: vm.name, signal });
      if (state === 'on' || state === 'off' || state === 'suspended') return 'already-done';
      const planned = vm.placements[ctx.recoverySite]!;
      const host = usableHost(ctx, record.host, planned.cluster, blind);
      if (host === undefined) {
        record.status = 'error';
        record.message = `not registered: host ${record.host} cannot see datastore ${vm.datastores.join(', ')} (it failed every storage rescan) and no other host of cluster ${planned.cluster} rescanned`;
        registerFailures++;
        return 'error';
      }
      if (host !== record.host) {
        record.message = `moved from host ${record.host} to ${host}: ${record.host} failed every storage rescan and cannot see its datastore`;
        record.host = host;
      }
      return succeeded(ctx.compute.registerVm({ site: ctx.recoverySite, vm: vm.name, host, test: isTest, signal }));
    },
    (vm, error) => {
      const record = vmRecord(ctx, vm);
      record.status = 'error';
      record.message = `registration failed: ${errorMessage(error)}`;
      registerFailures++;
    },
  );
  const messages = [
    `${ctx.datastores.length - failedDatastores.size}/${ctx.datastores.length} datastore(s) mounted`,
    ...mountErrors,
    `${ctx.vms.length - registerFailures}/${ctx.vms.length} VM(s) registered`,
  ];
  // A VM that cannot be registered fails on its own; only datastores failing stop the step.
  const status = combineStatuses(dsStatuses);
  const outcome = result(status === 'success' && registerFailures > 0 ? 'warning' : status, messages);
  // Some datastores mounted: only the VMs of the others failed (the policy decides what goes on).
  if (status === 'error' && failedDatastores.size < ctx.datastores.length) outcome.confined = true;
  return outcome;
}

export async function configureTestNetworks(
  ctx: RunContext,
  _phase: PhaseName,
  signal: AbortSignal,
): Promise<StepResult> {
  const mapping = ctx.plan.testNetworks;
  const targets = ctx.vms.filter((vm) => vmRecord(ctx, vm).status !== 'error');
  const statuses = await forEach(
    targets,
    signal,
    async (vm) => {
      await ctx.compute.configureNetworks({ site: ctx.recoverySite, vm: vm.name, mapping, signal });
      return 'success';
    },
    (vm, error) => {
      const record = vmRecord(ctx, vm);
      record.status = 'error';
      record.message = `test network: ${errorMessage(error)}`;
    },
  );
  const described =
    Object.keys(mapping).length > 0
      ? Object.entries(mapping)
          .map(([a, b]) => `${a} → ${b}`)
          .join(', ')
      : 'isolated test network';
  return result(combineStatuses(statuses) === 'error' ? 'warning' : 'success', [
    `${targets.length} VM(s) connected: ${described}`,
  ]);
}

/** VMs of the plan's suspend list that sit at `site`. */
function suspendList(ctx: RunContext, site: string): string[] {
  return ctx.plan.suspendVms.filter((name) => ctx.env.vms.find((v) => v.name === name)?.site === site);
}

/**
 * Suspends (test, recovery) or resumes (cleanup) the plan's non-critical VMs at `site` (the
 * recovery site unless said otherwise); a VM already in the wanted state is already done.
 */
async function setSuspended(
  ctx: RunContext,
  signal: AbortSignal,
  suspend: boolean,
  site = ctx.recoverySite,
): Promise<StepResult> {
  const names = suspendList(ctx, site);
  if (names.length === 0)
    return result('skipped', [
      suspend ? 'no non-critical VMs to suspend at the recovery site' : `no suspended VMs to resume at ${site}`,
    ]);
  const messages: string[] = [];
  const statuses = await forEach(
    names,
    signal,
    async (vm) => {
      const state = await ctx.compute.vmState({ site, vm, signal });
      if (state !== (suspend ? 'on' : 'suspended')) return 'already-done';
      await (suspend ? ctx.compute.suspend({ site, vm, signal }) : ctx.compute.resume({ site, vm, signal }));
      return 'success';
    },
    (vm, error) => messages.push(`${vm}: ${errorMessage(error)}`),
  );
  return result(combineStatuses(statuses), [`${names.length} VM(s) ${suspend ? 'suspended' : 'resumed'}`, ...messages]);
}

export const suspendRecoveryVms = (ctx: RunContext, _phase: PhaseName, signal: AbortSignal): Promise<StepResult> =>
  setSuspended(ctx, signal, true);

export const resumeRecoveryVms = (ctx: RunContext, _phase: PhaseName, signal: AbortSignal): Promise<StepResult> =>
  setSuspended(ctx, signal, false);

/**
 * SRM's "Resume VMs suspended by previous recovery": an earlier recovery in the other direction
 * suspended the plan's non-critical VMs at what was then its recovery site, which is this run's
 * protected site; moving the workload away from it again (failback) brings them back.
 */
export const resumeProtectedVms = (ctx: RunContext, _phase: PhaseName, signal: AbortSignal): Promise<StepResult> =>
  setSuspended(ctx, signal, false, ctx.protectedSite);

export async function powerOffTestVms(ctx: RunContext, _phase: PhaseName, signal: AbortSignal): Promise<StepResult> {
  const messages: string[] = [];
  const statuses = await forEach(
    ctx.vms,
    signal,
    async (vm) => {
      const state = await ctx.compute.vmState({ site: ctx.recoverySite, vm: vm.name, signal });
      if (state !== 'on' && state !== 'suspended') return 'already-done';
      await ctx.compute.powerOff({ site: ctx.recoverySite, vm: vm.name, signal });
      return 'success';
    },
    (vm, error) => messages.push(`${vm.name}: ${errorMessage(error)}`),
  );
  return result(combineStatuses(statuses), [
    `${statuses.filter((s) => s === 'success').length} test VM(s) powered off`,
    ...messages,
  ]);
}

/** Cleanup: unregister test VMs (placeholders come back), unmount test datastores, `testFailoverStop`. */
export async function discardTestStorage(ctx: RunContext, phase: PhaseName, signal: AbortSignal): Promise<StepResult> {
  const messages: string[] = [];
  const vmStatuses = await forEach(
    ctx.vms,
    signal,
    async (vm) => {
      const state = await ctx.compute.vmState({ site: ctx.recoverySite, vm: vm.name, signal });
      if (state === 'placeholder' || state === 'absent') return 'already-done';
      await ctx.compute.unregisterVm({ site: ctx.recoverySite, vm: vm.name, test: true, signal });
      return 'success';
    },
    (vm, error) => messages.push(`unregister ${vm.name}: ${errorMessage(error)}`),
  );
  const dsStatuses = await forEach(
    ctx.datastores,
    signal,
    async (ds) => {
      await ctx.compute.unmountDatastore({ site: ctx.recoverySite, datastore: ds.name, test: true, signal });
      return 'success';
    },
    (ds, error) => messages.push(`unmount ${ds.name}: ${errorMessage(error)}`),
  );
  const storage = await discardTestStorageCommand(ctx, phase, signal);
  return result(
    combineStatuses([...vmStatuses, ...dsStatuses, storage.status]),
    [...messages, ...storage.messages],
    storage.results,
  );
}

/**
 * Shuts the protected VMs down, priority 5 first (dependents before what they depend on), under
 * the same per-host/per-cluster limits as power-on. Guest shutdown, then power-off past the
 * VM's shutdown timeout. Each VM it stops is journaled, so a rollback knows what to power on.
 */
export async function shutdownProtectedVms(
  ctx: RunContext,
  phase: PhaseName,
  signal: AbortSignal,
): Promise<StepResult> {
  const key = stepKey(phase, 'shutdown-protected-vms');
  const site = ctx.protectedSite;
  const tasks = ctx.vms.map((vm) => {
    const at = vm.placements[site]!;
    return {
      id: vm.name,
      priority: vm.priority,
      host: slotKey(site, at.host),
      cluster: slotKey(site, at.cluster),
      dependsOn: vm.dependsOn,
      estimateMs: vm.shutdownSeconds * 1000,
      vm,
    };
  });
  const { groups } = splitPriorityGroups(tasks);
  const failures: string[] = [];
  let stopped = 0;
  for (const group of shutdownGroups(groups)) {
    await runTaskGraph(group, {
      pool: ctx.pool,
      signal,
      execute: async (task, withSlot): Promise<TaskOutcome> => {
        const vm = task.vm;
        try {
          const state = await ctx.compute.vmState({ site, vm: vm.name, signal });
          if (state !== 'on') return 'ok';
          await withSlot(async () => {
            if (vm.shutdownAction === 'power-off') {
              await ctx.compute.powerOff({ site, vm: vm.name, signal });
              return;
            }
            try {
              await ctx.compute.shutdownGuest({
                site,
                vm: vm.name,
                timeoutMs: vm.shutdownTimeoutSeconds * 1000,
                signal,
              });
            } catch (error) {
              if (signal.aborted) throw error;
              // SRM powers the VM off when the guest does not stop in time.
              await ctx.compute.powerOff({ site, vm: vm.name, signal });
            }
          });
          stopped++;
          ctx.journal.note({ t: 'vm', key, vm: vm.name, status: 'shut-down', runId: ctx.runId, at: ctx.report.now() });
          ctx.events.emit({ type: 'vm-shut-down', runId: ctx.runId, vm: vm.name, at: ctx.report.now() });
          return 'ok';
        } catch (error) {
          if (signal.aborted) return 'cancelled';
          failures.push(`${vm.name}: ${errorMessage(error)}`);
          return 'failed';
        }
      },
    });
  }
  await ctx.journal.flush();
  if (signal.aborted) return result('cancelled');
  if (failures.length > 0) {
    const message = `${failures.length} protected VM(s) could not be shut down`;
    return result('error', [
      message,
      ...failures.slice(0, 20),
      ...(failures.length > 20 ? [`… and ${failures.length - 20} more`] : []),
    ]);
  }
  return result('success', [`${stopped} VM(s) shut down at ${site}`]);
}

/** Protected site: `prepareFailover` (source read-only), then unregister its VMs and unmount its datastores. */
export async function prepareProtectedStorage(
  ctx: RunContext,
  phase: PhaseName,
  signal: AbortSignal,
): Promise<StepResult> {
  const storage = await prepareProtectedStorageCommand(ctx, phase, signal, true);
  if (storage.status === 'error') return storage;
  const site = ctx.protectedSite;
  const messages: string[] = [];
  const vmStatuses = await forEach(
    ctx.vms,
    signal,
    async (vm) => {
      const state = await ctx.compute.vmState({ site, vm: vm.name, signal });
      if (state === 'absent' || state === 'placeholder') return 'already-done';
      if (state === 'on') throw new Error(`VM ${vm.name} is still running at ${site}`);
      return succeeded(ctx.compute.unregisterVm({ site, vm: vm.name, test: false, signal }));
    },
    (vm, error) => messages.push(`${vm.name}: ${errorMessage(error)}`),
  );
  const dsStatuses = await forEach(
    ctx.datastores,
    signal,
    async (ds) => {
      await ctx.compute.unmountDatastore({ site, datastore: ds.name, test: false, signal });
      return 'success';
    },
    (ds, error) => messages.push(`unmount ${ds.name}: ${errorMessage(error)}`),
  );
  const status = combineStatuses([storage.status, ...vmStatuses, ...dsStatuses]);
  return result(
    status === 'already-done' ? 'already-done' : status,
    [...storage.messages, ...messages],
    storage.results,
  );
}

/**
 * Reprotect: placeholders at the new recovery site (the old protected site), on each VM's home
 * host there, their files on that site's placeholder datastore (§6.4). Without one the step
 * fails with the reason before touching any VM.
 */
export async function createPlaceholders(ctx: RunContext, _phase: PhaseName, signal: AbortSignal): Promise<StepResult> {
  const site = ctx.protectedSite;
  const siteIndex = ctx.env.sites.findIndex((s) => s.name === site);
  const datastore = ctx.env.sites[siteIndex]?.placeholderDatastore;
  if (datastore === undefined)
    return result('error', [
      `site ${site} has no placeholder datastore (sites[${siteIndex}].placeholderDatastore): SRM creates the placeholder VMs there (§6.4)`,
    ]);
  const messages: string[] = [];
  const statuses = await forEach(
    ctx.vms,
    signal,
    async (vm) => {
      const state = await ctx.compute.vmState({ site, vm: vm.name, signal });
      if (state === 'placeholder') return 'already-done';
      if (state === 'on')
        throw new Error(`VM ${vm.name} is running at ${site}; shut it down (run recovery again) before reprotect`);
      if (state !== 'absent') await ctx.compute.unregisterVm({ site, vm: vm.name, test: false, signal });
      await ctx.compute.createPlaceholder({ site, vm: vm.name, host: vm.placements[site]!.host, datastore, signal });
      return 'success';
    },
    (vm, error) => messages.push(`${vm.name}: ${errorMessage(error)}`),
  );
  return result(combineStatuses(statuses), [
    `${statuses.filter((s) => s === 'success').length} placeholder VM(s) created at ${site} on ${datastore}`,
    ...messages,
  ]);
}

/** Reprotect: old devices at the old protected site are no longer mounted there. */
export async function cleanupStorage(ctx: RunContext, _phase: PhaseName, signal: AbortSignal): Promise<StepResult> {
  const site = ctx.protectedSite;
  const messages: string[] = [];
  const statuses = await forEach(
    ctx.datastores,
    signal,
    async (ds) => {
      await ctx.compute.unmountDatastore({ site, datastore: ds.name, test: false, signal });
      return 'success';
    },
    (ds, error) => messages.push(`unmount ${ds.name} at ${site}: ${errorMessage(error)}`),
  );
  return result(combineStatuses(statuses), [`old datastores cleaned up at ${site}`, ...messages]);
}

/** Planned migration rollback: power on again every protected VM this operation shut down. */
export async function rollbackProtectedSite(
  ctx: RunContext,
  _phase: PhaseName,
  signal: AbortSignal,
): Promise<StepResult> {
  const key = stepKey('planned-migration', 'shutdown-protected-vms');
  const site = ctx.protectedSite;
  const stopped = ctx.vms.filter((vm) => ctx.journal.vm(key, vm.name)?.status === 'shut-down');
  if (stopped.length === 0) return result('success', ['no protected VM had been shut down; nothing to roll back']);
  const messages: string[] = [];
  const statuses: StepStatus[] = await forEach(
    stopped,
    signal,
    async (vm) => {
      const state = await ctx.compute.vmState({ site, vm: vm.name, signal });
      if (state === 'on') return 'already-done';
      await ctx.compute.powerOn({ site, vm: vm.name, signal });
      return 'success';
    },
    (vm, error) => messages.push(`${vm.name}: ${errorMessage(error)}`),
  );
  return result(combineStatuses(statuses), [
    `${stopped.length} protected VM(s) powered on again at ${site}`,
    ...messages,
  ]);
}
