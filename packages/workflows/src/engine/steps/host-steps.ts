import { DrError, type StepStatus } from '@drctl/domain';
import type { PhaseName } from '../../machines/policy.js';
import {
  combineStatuses,
  errorMessage,
  hostsAt,
  result,
  withTimeout,
  type RunContext,
  type StepResult,
} from '../run-context.js';
import { unpromotedDevices } from './failed-resources.js';

/**
 * Rescans every host at the recovery site: 1 + `storageProvider.hostRescanRepeatCnt` times, each
 * bounded by `storageProvider.hostRescanTimeoutSec`. A host with at least one good rescan is
 * usable (a warning if some failed); a host whose every rescan failed is an error.
 */
export async function rescanHosts(ctx: RunContext, _phase: PhaseName, signal: AbortSignal): Promise<StepResult> {
  const rounds = 1 + ctx.settings['storageProvider.hostRescanRepeatCnt'];
  const timeoutSec = ctx.settings['storageProvider.hostRescanTimeoutSec'];
  const hosts = hostsAt(ctx.env, ctx.recoverySite);
  const statuses = await Promise.all(
    hosts.map(async ({ host }) => {
      const child = ctx.report.child('rescan-hosts', host);
      let good = 0;
      for (let round = 1; round <= rounds; round++) {
        const bounded = withTimeout(
          ctx.clock,
          signal,
          timeoutSec,
          () =>
            new DrError(
              'DR_COMPUTE_ERROR',
              `Rescan of host ${host} did not finish within ${timeoutSec} s (storageProvider.hostRescanTimeoutSec).`,
            ),
        );
        try {
          await ctx.compute.rescanHost({ site: ctx.recoverySite, host, signal: bounded.signal });
          good++;
        } catch (error) {
          if (signal.aborted) throw error;
          child.messages.push(
            `rescan ${round}/${rounds}: ${errorMessage(bounded.signal.aborted ? bounded.signal.reason : error)}`,
          );
        } finally {
          bounded.clear();
        }
      }
      const status: StepStatus = good === 0 ? 'error' : good < rounds ? 'warning' : 'success';
      ctx.report.finish(child, status, `${good}/${rounds} rescans succeeded`);
      return status;
    }),
  );
  const failed = statuses.filter((s) => s === 'error').length;
  const outcome = result(combineStatuses(statuses), [
    `${hosts.length} host(s) rescanned ${rounds} time(s)${failed ? `; ${failed} host(s) failed every rescan and cannot see the recovered devices` : ''}`,
  ]);
  // Hosts that rescanned can take the VMs of those that did not (see mount-datastores).
  if (failed > 0 && failed < hosts.length) outcome.confined = true;
  return outcome;
}

/** Live Volume only: match local to remote stretched devices, bounded by its timeout. */
export async function matchStretchedDevices(
  ctx: RunContext,
  phase: PhaseName,
  signal: AbortSignal,
): Promise<StepResult> {
  // A Live Volume whose promotion failed is not there to match; its VMs fail at mount-datastores.
  const unpromoted = unpromotedDevices(ctx, phase);
  const stretched = ctx.devices.filter((d) => d.liveVolume && !unpromoted.has(d.id)).map((d) => d.id);
  if (stretched.length === 0)
    return result('skipped', [
      unpromoted.size > 0
        ? 'no promoted Live Volume (stretched) device to match'
        : 'no Live Volume (stretched) devices in this plan',
    ]);
  const timeoutSec = ctx.settings['storageProvider.stretchedDevicesMatchTimeout'];
  const bounded = withTimeout(
    ctx.clock,
    signal,
    timeoutSec,
    () =>
      new DrError(
        'DR_COMPUTE_ERROR',
        `Matching stretched devices did not finish within ${timeoutSec} s (storageProvider.stretchedDevicesMatchTimeout).`,
      ),
  );
  try {
    await ctx.compute.matchStretchedDevices({ site: ctx.recoverySite, devices: stretched, signal: bounded.signal });
    return result('success', [`${stretched.length} stretched device(s) matched: ${stretched.join(', ')}`]);
  } catch (error) {
    if (signal.aborted) throw error;
    return result('error', [errorMessage(bounded.signal.aborted ? bounded.signal.reason : error)]);
  } finally {
    bounded.clear();
  }
}

/** Runs `action` for each item in parallel, turning failures into per-item error statuses. */
export async function forEach<T>(
  items: readonly T[],
  signal: AbortSignal,
  action: (item: T) => Promise<StepStatus>,
  onError: (item: T, error: unknown) => void,
): Promise<StepStatus[]> {
  // A handler on each item's promise rather than an async wrapper awaiting it: with 10,000 items
  // in flight, a suspended frame per item was a good part of what each scavenge had to copy.
  const settle = (item: T, error: unknown): StepStatus => {
    if (signal.aborted) throw error;
    onError(item, error);
    return 'error';
  };
  return Promise.all(
    items.map((item) => {
      let pending: Promise<StepStatus>;
      try {
        pending = action(item);
      } catch (error) {
        return Promise.resolve(settle(item, error));
      }
      return pending.catch((error: unknown) => settle(item, error));
    }),
  );
}
