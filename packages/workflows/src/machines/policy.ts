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

/** What a step produced, before the workflow's chart judged it. */
export interface StepOutcome {
  /** The step's own status (an error is still an error here, whatever the workflow makes of it). */
  status: StepStatus;
  /** The error is confined to some devices or hosts: their VMs are marked failed, the rest can go on. */
  confined?: boolean;
  /** A plan callout before the step warned: a success shows as a warning. */
  calloutWarned?: boolean;
  /**
   * Already in the report as it stands (replayed from the journal, or skipped by the mode): the
   * chart records it and goes on.
   */
  settled?: boolean;
}

/**
 * What the chart made of a step's outcome: `continue` keeps its status (a failed power-on or a
 * confined error stays an error, and the run goes on), `tolerate` records an error as a warning,
 * `stop` ends the run there (or rolls back).
 */
export type Verdict = 'continue' | 'tolerate' | 'stop';

/**
 * How a step's errors are judged, from the brief's error policy; the workflow chart draws each
 * step's transitions from it, so a chart shows only the transitions that can happen:
 * - `never-stops`: a failed VM never stops its priority group or the plan (power-on steps);
 * - `tolerates-errors`: disaster recovery records protected-site errors as warnings;
 * - `stops-unless-confined`: disaster recovery goes on past an error confined to some devices or
 *   hosts (SRM recovers protection groups separately);
 * - `stops-unless-forced`: force cleanup / force reprotect record errors as warnings (reprotect's
 *   force applies to its cleanup step only, as SRM's does);
 * - `stops`: any error stops (planned migration rolls back before the storage steps).
 */
export type StepRule = 'never-stops' | 'tolerates-errors' | 'stops-unless-confined' | 'stops-unless-forced' | 'stops';

export function stepRule(phase: PhaseName, step: StepId): StepRule {
  if (step.startsWith('power-on-priority-')) return 'never-stops';
  switch (phase) {
    case 'disaster-recovery':
      return PROTECTED_SITE_STEPS.has(step) ? 'tolerates-errors' : 'stops-unless-confined';
    case 'cleanup':
      return 'stops-unless-forced';
    case 'reprotect':
      return step === 'cleanup-storage' ? 'stops-unless-forced' : 'stops';
    default:
      return 'stops';
  }
}

/** The status the report shows for a step's outcome under the chart's verdict. */
export function statusAfter(outcome: StepOutcome, verdict: Verdict): StepStatus {
  if (outcome.settled) return outcome.status;
  if (outcome.status === 'error') return verdict === 'tolerate' ? 'warning' : 'error';
  if (outcome.status === 'success' && outcome.calloutWarned) return 'warning';
  return outcome.status;
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
