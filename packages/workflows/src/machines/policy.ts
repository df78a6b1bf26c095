import {
  PROTECTED_SITE_STEPS,
  STORAGE_POINT_OF_NO_RETURN,
  RECOVERY_STEPS,
  type StepId,
  type StepStatus,
  type WorkflowName,
} from '@drctl/domain';

/** Options a workflow runs with; they change the error policy. */
export interface WorkflowMode {
  /** Cleanup and reprotect: ignore errors and reach the end. */
  force?: boolean;
  /** Disaster recovery: skip every protected-site step. */
  forcedRecovery?: boolean;
  /**
   * Forced recovery although the protected site answers: the operator's reason, recorded in the
   * report. Without it such a forced recovery is refused.
   */
  forcedRecoveryOverride?: string;
  /** Test: replicate recent changes first. @default true */
  syncData?: boolean;
}

/** The workflow actually running a step: failback runs planned migration, then reprotect. */
export type PhaseName = Exclude<WorkflowName, 'failback'>;

export interface PolicyDecision {
  status: StepStatus;
  /** Whether the run stops here. */
  stop: boolean;
}

function isPowerOn(step: StepId): boolean {
  return step.startsWith('power-on-priority-');
}

/**
 * The brief's error policy, in one place. Given what a step produced, decides the status the
 * report shows and whether the run stops:
 * - planned migration: any error stops (the machine rolls back if before the storage steps);
 * - disaster recovery: protected-site errors become warnings; an error `confined` to some
 *   devices or hosts (their VMs are marked failed with the reason, everything else can go on)
 *   does not stop the run either — SRM recovers protection groups separately;
 * - planned migration keeps its stricter policy: any error stops, confined or not;
 * - a failed VM never stops its priority group or the plan;
 * - force cleanup / force reprotect: errors are recorded as warnings and the run goes on
 *   (reprotect's force applies to its cleanup step only, as SRM's does).
 */
export function applyPolicy(
  phase: PhaseName,
  mode: WorkflowMode,
  step: StepId,
  status: StepStatus,
  confined = false,
): PolicyDecision {
  if (status !== 'error') return { status, stop: false };
  if (isPowerOn(step)) return { status: 'error', stop: false };
  switch (phase) {
    case 'disaster-recovery':
      if (PROTECTED_SITE_STEPS.has(step)) return { status: 'warning', stop: false };
      return { status: 'error', stop: !confined };
    case 'cleanup':
      return mode.force ? { status: 'warning', stop: false } : { status: 'error', stop: true };
    case 'reprotect':
      return mode.force && step === 'cleanup-storage'
        ? { status: 'warning', stop: false }
        : { status: 'error', stop: true };
    default:
      return { status: 'error', stop: true };
  }
}

/** Steps a phase skips outright for its mode (forced recovery, test without sync). */
export function skippedByMode(phase: PhaseName, mode: WorkflowMode, step: StepId): string | undefined {
  if (phase === 'disaster-recovery' && mode.forcedRecovery && PROTECTED_SITE_STEPS.has(step)) {
    return 'forced recovery skips protected-site operations';
  }
  if (phase === 'test' && step === 'sync-storage' && mode.syncData === false) {
    return '"replicate recent changes" is off';
  }
  return undefined;
}

const RECOVERY_INDEX = new Map(RECOVERY_STEPS.map((s, i) => [s, i] as const));

/** Planned migration rolls back the protected site only on failure or cancel before the storage steps. */
export function inRollbackWindow(phase: PhaseName, step: StepId): boolean {
  if (phase !== 'planned-migration') return false;
  const index = RECOVERY_INDEX.get(step);
  return index !== undefined && index < RECOVERY_INDEX.get(STORAGE_POINT_OF_NO_RETURN)!;
}
