import type { StepId } from '@drctl/domain';
import type { PhaseName } from '../../machines/policy.js';
import type { RunContext, StepResult } from '../run-context.js';
import { matchStretchedDevices, rescanHosts } from './host-steps.js';
import { powerOnPriority } from './power-on.js';
import { createTestSnapshots, promoteRecoveryStorage, reverseReplication, syncStorage } from './storage-steps.js';
import {
  cleanupStorage,
  configureTestNetworks,
  createPlaceholders,
  discardTestStorage,
  mountDatastores,
  powerOffTestVms,
  prepareProtectedStorage,
  resumeProtectedVms,
  resumeRecoveryVms,
  rollbackProtectedSite,
  shutdownProtectedVms,
  suspendRecoveryVms,
} from './vm-steps.js';

type Implementation = (ctx: RunContext, phase: PhaseName, signal: AbortSignal) => Promise<StepResult>;

/** Which code performs each step id. */
export const STEP_IMPLEMENTATIONS: Record<StepId, Implementation> = {
  'pre-sync-storage': (ctx, phase, signal) => syncStorage(ctx, phase, 'pre-sync-storage', signal),
  'sync-storage': (ctx, phase, signal) => syncStorage(ctx, phase, 'sync-storage', signal),
  'shutdown-protected-vms': shutdownProtectedVms,
  'resume-protected-vms': resumeProtectedVms,
  'prepare-protected-storage': prepareProtectedStorage,
  'suspend-recovery-vms': suspendRecoveryVms,
  'create-test-snapshots': createTestSnapshots,
  'promote-recovery-storage': (ctx, phase, signal) => promoteRecoveryStorage(ctx, phase, signal, ctx.protectedSiteUp),
  'rescan-hosts': rescanHosts,
  'match-stretched-devices': matchStretchedDevices,
  'mount-datastores': mountDatastores,
  'configure-test-networks': configureTestNetworks,
  'power-on-priority-1': (ctx, phase, signal) => powerOnPriority(ctx, phase, 1, signal),
  'power-on-priority-2': (ctx, phase, signal) => powerOnPriority(ctx, phase, 2, signal),
  'power-on-priority-3': (ctx, phase, signal) => powerOnPriority(ctx, phase, 3, signal),
  'power-on-priority-4': (ctx, phase, signal) => powerOnPriority(ctx, phase, 4, signal),
  'power-on-priority-5': (ctx, phase, signal) => powerOnPriority(ctx, phase, 5, signal),
  'power-off-test-vms': powerOffTestVms,
  'resume-recovery-vms': resumeRecoveryVms,
  'discard-test-storage': discardTestStorage,
  'reverse-replication': reverseReplication,
  'create-placeholders': createPlaceholders,
  'cleanup-storage': cleanupStorage,
  'rollback-protected-site': rollbackProtectedSite,
};
