/**
 * The step catalogue: stable step ids (used in reports, callout positions and the CLI) and the
 * order in which each workflow runs them, following SRM.
 */
export const WORKFLOWS = [
  'test',
  'cleanup',
  'planned-migration',
  'disaster-recovery',
  'reprotect',
  'failback',
] as const;
export type WorkflowName = (typeof WORKFLOWS)[number];

export const PRIORITIES = [1, 2, 3, 4, 5] as const;
export type Priority = (typeof PRIORITIES)[number];

export const STEP_IDS = [
  'pre-sync-storage',
  'sync-storage',
  'shutdown-protected-vms',
  'resume-protected-vms',
  'prepare-protected-storage',
  'suspend-recovery-vms',
  'create-test-snapshots',
  'promote-recovery-storage',
  'rescan-hosts',
  'match-stretched-devices',
  'mount-datastores',
  'configure-test-networks',
  'power-on-priority-1',
  'power-on-priority-2',
  'power-on-priority-3',
  'power-on-priority-4',
  'power-on-priority-5',
  'power-off-test-vms',
  'resume-recovery-vms',
  'discard-test-storage',
  'reverse-replication',
  'create-placeholders',
  'cleanup-storage',
  'rollback-protected-site',
] as const;
export type StepId = (typeof STEP_IDS)[number];

export const STEP_STATUSES = [
  'inactive',
  'running',
  'success',
  'warning',
  'error',
  'skipped',
  'already-done',
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const STEP_TITLES: Record<StepId, string> = {
  'pre-sync-storage': 'Pre-synchronize storage',
  'sync-storage': 'Synchronize storage',
  'shutdown-protected-vms': 'Shut down VMs at protected site',
  'resume-protected-vms': 'Resume VMs suspended by previous recovery',
  'prepare-protected-storage': 'Prepare protected site storage (read-only)',
  'suspend-recovery-vms': 'Suspend non-critical VMs at recovery site',
  'create-test-snapshots': 'Create writable storage snapshots',
  'promote-recovery-storage': 'Change recovery site storage to writable',
  'rescan-hosts': 'Rescan recovery site hosts',
  'match-stretched-devices': 'Match stretched devices',
  'mount-datastores': 'Mount datastores and register VMs',
  'configure-test-networks': 'Configure test networks',
  'power-on-priority-1': 'Power on priority 1 VMs',
  'power-on-priority-2': 'Power on priority 2 VMs',
  'power-on-priority-3': 'Power on priority 3 VMs',
  'power-on-priority-4': 'Power on priority 4 VMs',
  'power-on-priority-5': 'Power on priority 5 VMs',
  'power-off-test-vms': 'Power off test VMs at recovery site',
  'resume-recovery-vms': 'Resume non-critical VMs at recovery site',
  'discard-test-storage': 'Discard test data and reset storage',
  'reverse-replication': 'Reverse replication',
  'create-placeholders': 'Swap protection groups and create placeholder VMs',
  'cleanup-storage': 'Clean up old storage devices',
  'rollback-protected-site': 'Roll back: power protected VMs on again',
};

export function powerOnStep(priority: Priority): StepId {
  return `power-on-priority-${priority}` as StepId;
}

const POWER_ON_STEPS: StepId[] = PRIORITIES.map(powerOnStep);

/** Steps of the recovery half (planned migration and disaster recovery) in SRM order. */
export const RECOVERY_STEPS: readonly StepId[] = [
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
  ...POWER_ON_STEPS,
];

export const TEST_STEPS: readonly StepId[] = [
  'sync-storage',
  'suspend-recovery-vms',
  'create-test-snapshots',
  'rescan-hosts',
  'match-stretched-devices',
  'mount-datastores',
  'configure-test-networks',
  ...POWER_ON_STEPS,
];

export const CLEANUP_STEPS: readonly StepId[] = [
  'power-off-test-vms',
  'resume-recovery-vms',
  'discard-test-storage',
  'rescan-hosts',
];

export const REPROTECT_STEPS: readonly StepId[] = [
  'reverse-replication',
  'create-placeholders',
  'cleanup-storage',
  'sync-storage',
];

/** Steps that talk to the protected site: in disaster recovery their errors become warnings. */
export const PROTECTED_SITE_STEPS: ReadonlySet<StepId> = new Set<StepId>([
  'pre-sync-storage',
  'shutdown-protected-vms',
  'resume-protected-vms',
  'prepare-protected-storage',
  'sync-storage',
]);

/**
 * Planned migration rolls back only when it fails or is cancelled before these steps: once the
 * protected storage is read-only the run can only go forward.
 */
export const STORAGE_POINT_OF_NO_RETURN: StepId = 'prepare-protected-storage';

export function isStepId(value: string): value is StepId {
  return (STEP_IDS as readonly string[]).includes(value);
}
