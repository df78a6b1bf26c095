import { DrError, type Clock, type ComputeAdapter, type Settings, type WorkflowName } from '@drctl/domain';
import type { WorkflowMode } from '../machines/policy.js';

/** Bound on asking whether the protected site answers before a forced recovery starts. */
const REACHABILITY_PROBE_MS = 30_000;

export interface ForcedRecoveryCheck {
  workflow: WorkflowName;
  mode: WorkflowMode;
  settings: Settings;
  compute: ComputeAdapter;
  clock: Clock;
  /** The plan's protected site for this run (the recovery site once reversed). */
  protectedSite: string;
}

/**
 * Forced recovery is for a protected site that is gone (srm-facts §1.1: SRM offers it only once
 * `recovery.forceRecovery` is enabled). It skips shutting down the protected VMs, so starting it
 * while the protected site still answers would leave those VMs running beside their recovered
 * copies. Refuses, with the reason, unless the operator gave an explicit override, which the
 * run records. Returns the note the report keeps, if any.
 */
export async function checkForcedRecovery(check: ForcedRecoveryCheck): Promise<string | undefined> {
  const { mode, workflow } = check;
  if (workflow !== 'disaster-recovery' || !mode.forcedRecovery) {
    if (mode.forcedRecoveryOverride !== undefined) {
      throw new DrError('DR_INPUT_INVALID', 'An override of the protected-site check needs a forced recovery.', {
        issues: [{ path: 'forcedRecoveryOverride', message: 'applies to disaster-recovery with forcedRecovery only' }],
      });
    }
    return undefined;
  }
  if (!check.settings['recovery.forceRecovery']) {
    throw new DrError(
      'DR_OPERATION_REFUSED',
      'Forced recovery is disabled: enable the setting recovery.forceRecovery to allow it, as in SRM.',
      { issues: [{ path: 'settings.recovery.forceRecovery', message: 'false: forced recovery is not offered' }] },
    );
  }
  const answers = await probe(check.compute, check.clock, check.protectedSite);
  if (!answers) return `forced recovery: the protected site ${check.protectedSite} did not answer when the run started`;
  const override = mode.forcedRecoveryOverride?.trim();
  if (!override) {
    throw new DrError(
      'DR_OPERATION_REFUSED',
      `Forced recovery refused: the protected site ${check.protectedSite} answers, and skipping it would leave its VMs running beside the recovered ones; run disaster recovery without forcing, or override with a reason.`,
      {
        issues: [
          {
            path: 'forcedRecovery',
            message: `the protected site ${check.protectedSite} is reachable`,
          },
        ],
      },
    );
  }
  return `forced recovery although the protected site ${check.protectedSite} answered, overridden by the operator: ${override}`;
}

/** A site that does not answer within the bound counts as gone. */
async function probe(compute: ComputeAdapter, clock: Clock, site: string): Promise<boolean> {
  const controller = new AbortController();
  const cancel = clock.setTimer(REACHABILITY_PROBE_MS, () =>
    controller.abort(new Error('reachability probe timed out')),
  );
  try {
    return await compute.isSiteReachable(site, controller.signal);
  } catch {
    return false;
  } finally {
    cancel();
  }
}
