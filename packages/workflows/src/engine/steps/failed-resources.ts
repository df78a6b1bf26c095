import type { StepId, StepRecord } from '@drctl/domain';
import type { PhaseName } from '../../machines/policy.js';
import { hostsAt, type RunContext } from '../run-context.js';

/**
 * What earlier steps of this run could not do, read back from the run report (which survives a
 * crash and resume): devices whose promotion failed and recovery hosts that failed every storage
 * rescan. A disaster recovery goes on without them; the VMs that need them move or fail.
 */
function topLevel(ctx: RunContext, id: StepId, phase: PhaseName): StepRecord | undefined {
  return ctx.report.report.steps.find((s) => s.id === id && s.target === undefined && (s.phase ?? phase) === phase);
}

/** Devices the promotion left unusable at the recovery site, with the array's reason. */
export function unpromotedDevices(ctx: RunContext, phase: PhaseName): Map<string, string> {
  const record = topLevel(ctx, 'promote-recovery-storage', phase);
  const failed = new Map<string, string>();
  for (const line of record?.results ?? []) {
    if (line.status === 'error') failed.set(line.device, line.description ?? line.code ?? 'failed');
  }
  return failed;
}

/** Recovery hosts whose every rescan failed in this run: they cannot see the recovered devices. */
export function blindHosts(ctx: RunContext): Set<string> {
  const last = new Map<string, StepRecord>();
  for (const s of ctx.report.report.steps) {
    if (s.id === 'rescan-hosts' && s.target !== undefined) last.set(s.target, s);
  }
  return new Set([...last].filter(([, s]) => s.status === 'error').map(([host]) => host));
}

/**
 * Where a VM planned on `host` can run: that host if it rescanned, else another host of the same
 * cluster that did (the first in file order, so the choice is repeatable), else none.
 */
export function usableHost(
  ctx: RunContext,
  host: string,
  cluster: string,
  blind: ReadonlySet<string>,
): string | undefined {
  if (!blind.has(host)) return host;
  return hostsAt(ctx.env, ctx.recoverySite).find((h) => h.cluster === cluster && !blind.has(h.host))?.host;
}
