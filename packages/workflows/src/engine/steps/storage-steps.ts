import type {
  CommandContext,
  DeviceCommandResult,
  DeviceResultLine,
  StepStatus,
  StorageCommand,
  SyncStatusResult,
} from '@drctl/domain';
import { DEFAULT_SNAPSHOT_MODE, selectableSnapshotOf } from '@drctl/domain';
import { stepKey } from '../../machines/workflow-machine.js';
import type { PhaseName } from '../../machines/policy.js';
import { deviceLines } from '../report-builder.js';
import { SyncProgressWatch } from '../sync-progress.js';
import { combineStatuses, hostsAt, result, type PlanDevice, type RunContext, type StepResult } from '../run-context.js';

type Side = 'protected' | 'recovery';
type DeviceCommand = Extract<
  StorageCommand,
  | 'syncOnce'
  | 'querySyncStatus'
  | 'testFailoverStart'
  | 'testFailoverStop'
  | 'prepareFailover'
  | 'failover'
  | 'prepareReverseReplication'
  | 'reverseReplication'
  | 'restoreReplication'
>;

const SYNC_POLL_SECONDS = 10;

function arrayOf(device: PlanDevice, side: Side): string {
  return side === 'protected' ? device.protectedArray : device.recoveryArray;
}

function siteOf(ctx: RunContext, side: Side): string {
  return side === 'protected' ? ctx.protectedSite : ctx.recoverySite;
}

export function commandContext(
  ctx: RunContext,
  side: Side,
  extra: Partial<CommandContext> = {},
  arrayId?: string,
): CommandContext {
  const consistencyGroups = consistencyGroupsOf(ctx);
  return {
    workflow: ctx.workflow,
    plan: ctx.plan.name,
    runId: ctx.runId,
    // §5.8: the Data Collector's setting for the array the command targets, not the plan's.
    snapshotMode: arrayId === undefined ? DEFAULT_SNAPSHOT_MODE : selectableSnapshotOf(ctx.env, arrayId),
    restorePoints: ctx.plan.restorePoints,
    hosts: hostsAt(ctx.env, siteOf(ctx, side)).map((h) => h.host),
    ...(ctx.mode.syncData !== undefined ? { syncData: ctx.mode.syncData } : {}),
    ...(Object.keys(consistencyGroups).length > 0 ? { consistencyGroups } : {}),
    ...extra,
  };
}

/** The plan's devices that belong to a consistency group (§5.7), as the environment declares them. */
function consistencyGroupsOf(ctx: RunContext): Record<string, string> {
  const groups: Record<string, string> = {};
  const planDevices = new Set(ctx.devices.map((d) => d.id));
  for (const volume of ctx.env.volumes)
    if (volume.consistencyGroup !== undefined && planDevices.has(volume.id))
      groups[volume.id] = volume.consistencyGroup;
  return groups;
}

function statusOf(lines: DeviceResultLine[]): StepStatus {
  return combineStatuses(
    lines.map((l) => (l.status === 'error' ? 'error' : l.status === 'warning' ? 'warning' : 'success')),
  );
}

/**
 * Sends one command for every plan device, grouped by the array on `side`, arrays in parallel
 * (the gateway bounds the overall concurrency).
 */
export async function commandOnSide(
  ctx: RunContext,
  phase: PhaseName,
  step: Parameters<typeof stepKey>[1],
  command: DeviceCommand,
  side: Side,
  signal: AbortSignal,
  extra: Partial<CommandContext> = {},
): Promise<{ lines: DeviceResultLine[]; reused: boolean; results: DeviceCommandResult[] }> {
  const byArray = new Map<string, string[]>();
  for (const d of ctx.devices) {
    const a = arrayOf(d, side);
    byArray.set(a, [...(byArray.get(a) ?? []), d.id]);
  }
  const outcomes = await Promise.all(
    [...byArray].map(([arrayId, devices]) =>
      ctx.gateway.run(ctx, {
        stepKey: stepKey(phase, step),
        command,
        adapter: ctx.storageForArray(arrayId),
        arrayId,
        devices,
        context: commandContext(ctx, side, extra, arrayId),
        signal,
      }),
    ),
  );
  return {
    lines: outcomes.flatMap((o) => deviceLines(o.result)),
    reused: outcomes.length > 0 && outcomes.every((o) => o.reused),
    results: outcomes.map((o) => o.result),
  };
}

function fromLines(lines: DeviceResultLine[], reused: boolean, message?: string): StepResult {
  if (lines.length === 0) return result('skipped', ['no replicated devices in this plan']);
  const status = reused ? 'already-done' : statusOf(lines);
  return result(status, message ? [message] : [], lines);
}

/**
 * Sync, as SRA splits it: `syncOnce` starts the sync on the side that is the replication source
 * and returns; `querySyncStatus` is then polled until every device says complete. Each command
 * is bounded by the applied commandTimeout, but the sync as a whole is not: it fails only for a
 * device that made no progress for that long (see SyncProgressWatch). Each poll is announced as a
 * `sync-progress` event. Skipped once the recovery storage is promoted in this operation:
 * syncing then would overwrite the recovered data with the old source.
 */
export async function syncStorage(
  ctx: RunContext,
  phase: PhaseName,
  step: 'sync-storage' | 'pre-sync-storage',
  signal: AbortSignal,
): Promise<StepResult> {
  const source: Side = phase === 'reprotect' ? 'recovery' : 'protected';
  if (phase !== 'reprotect' && ctx.journal.stepStatus(stepKey(phase, 'promote-recovery-storage')) !== undefined) {
    const promoted = ctx.journal.stepStatus(stepKey(phase, 'promote-recovery-storage'));
    if (promoted !== 'error')
      return result('skipped', ['recovery storage is already writable; a sync now would overwrite it']);
  }
  const startedAt = ctx.clock.now();
  const started = await commandOnSide(ctx, phase, step, 'syncOnce', source, signal);
  if (started.lines.some((l) => l.status === 'error') || started.reused)
    return fromLines(started.lines, started.reused);
  const watch = new SyncProgressWatch(
    ctx.timeoutSeconds,
    startedAt,
    started.lines.map((l) => l.device),
  );
  for (;;) {
    const status = await commandOnSide(ctx, phase, step, 'querySyncStatus', source, signal);
    const errors = status.lines.filter((l) => l.status === 'error');
    if (errors.length > 0) return fromLines([...started.lines.filter((l) => l.status !== 'success'), ...errors], false);
    const readings = status.results.flatMap((r) => ('progress' in r ? (r as SyncStatusResult).progress : []));
    ctx.events.emit({
      type: 'sync-progress',
      runId: ctx.runId,
      step,
      phase,
      devices: readings.map(({ device, status: s, percent }) => ({ device, status: s, percent: Math.floor(percent) })),
      at: ctx.report.now(),
    });
    const took = Math.round((ctx.clock.now() - startedAt) / 1000);
    if (readings.every((p) => p.status === 'complete'))
      return fromLines(started.lines, false, `${started.lines.length} device(s) synchronized in ${took} s`);
    const stalled = watch.update(readings, ctx.clock.now());
    if (stalled.length > 0) {
      const stuck = new Map(stalled.map((s) => [s.device, s] as const));
      const lines = started.lines.map((l): DeviceResultLine => {
        const s = stuck.get(l.device);
        if (!s) return l;
        return {
          device: l.device,
          status: 'error',
          code: 'SYNC_STALLED',
          description: `Synchronization of ${l.device} made no progress for ${Math.round(s.stalledSeconds)} s (at ${Math.floor(s.percent)} %); a sync may stand still for the applied command timeout at most (${ctx.timeoutExplanation}).`,
          fixHint: 'Check the replication link and its QoS; a long sync is fine as long as it moves.',
        };
      });
      return fromLines(lines, false, `synchronization stopped making progress after ${took} s`);
    }
    await ctx.clock.sleep(SYNC_POLL_SECONDS * 1000, signal);
  }
}

export async function createTestSnapshots(ctx: RunContext, phase: PhaseName, signal: AbortSignal): Promise<StepResult> {
  const r = await commandOnSide(ctx, phase, 'create-test-snapshots', 'testFailoverStart', 'recovery', signal);
  return fromLines(r.lines, r.reused);
}

export async function discardTestStorageCommand(
  ctx: RunContext,
  phase: PhaseName,
  signal: AbortSignal,
): Promise<StepResult> {
  const r = await commandOnSide(ctx, phase, 'discard-test-storage', 'testFailoverStop', 'recovery', signal);
  return fromLines(r.lines, r.reused);
}

export async function prepareProtectedStorageCommand(
  ctx: RunContext,
  phase: PhaseName,
  signal: AbortSignal,
  protectedSiteUp: boolean,
): Promise<StepResult> {
  const r = await commandOnSide(ctx, phase, 'prepare-protected-storage', 'prepareFailover', 'protected', signal, {
    protectedSiteUp,
  });
  return fromLines(r.lines, r.reused);
}

export async function promoteRecoveryStorage(
  ctx: RunContext,
  phase: PhaseName,
  signal: AbortSignal,
  protectedSiteUp: boolean,
): Promise<StepResult> {
  const r = await commandOnSide(ctx, phase, 'promote-recovery-storage', 'failover', 'recovery', signal, {
    protectedSiteUp,
  });
  const outcome = fromLines(r.lines, r.reused);
  // Some devices promoted: the VMs on the others fail, and the policy says whether the rest goes on.
  if (outcome.status === 'error' && r.lines.some((l) => l.status !== 'error')) outcome.confined = true;
  return outcome;
}

/** Reverse replication: ready the old source, then replicate from the new source back. */
export async function reverseReplication(ctx: RunContext, phase: PhaseName, signal: AbortSignal): Promise<StepResult> {
  const prepared = await commandOnSide(
    ctx,
    phase,
    'reverse-replication',
    'prepareReverseReplication',
    'protected',
    signal,
  );
  if (prepared.lines.some((l) => l.status === 'error')) return fromLines(prepared.lines, false);
  const reversed = await commandOnSide(ctx, phase, 'reverse-replication', 'reverseReplication', 'recovery', signal);
  return fromLines(
    [...prepared.lines.filter((l) => l.status !== 'success'), ...reversed.lines],
    prepared.reused && reversed.reused,
  );
}
