// Public API of @drctl/workflows: the statecharts (pure definitions) and the engine that runs them.
export {
  createWorkflowMachine,
  WORKFLOW_MACHINES,
  PHASE_STEPS,
  FINAL_STATES,
  BEFORE_STORAGE,
  AFTER_STORAGE,
  phasesOf,
  stepKey,
} from './machines/workflow-machine.js';
export type {
  StepInput,
  WorkflowOutcome,
  WorkflowInput,
  WorkflowContext,
  WorkflowEvent,
  FinalState,
  WorkflowMachine,
} from './machines/workflow-machine.js';
export { vmRecoveryMachine, vmStage } from './machines/vm-recovery-machine.js';
export type { VmRecoveryInput, VmRecoveryContext, VmRecoveryEvent, VmStage } from './machines/vm-recovery-machine.js';
export { planLifecycleMachine, refusal } from './machines/plan-lifecycle-machine.js';
export type {
  PlanLifecycleEvent,
  PlanLifecycleContext,
  PlanLifecycleSnapshot,
  PlanState,
  RunEnding,
} from './machines/plan-lifecycle-machine.js';
export { stepRule, statusAfter, skippedByMode, inRollbackWindow } from './machines/policy.js';
export type { WorkflowMode, PhaseName, StepOutcome, StepRule, Verdict } from './machines/policy.js';
export { stepJudge } from './machines/step-judge.js';
export type { StepJudge, StepJudgement } from './machines/step-judge.js';

export { Engine, createEngine, runInvocation } from './engine/engine.js';
export type { EngineOptions, StartOptions, RunHandle, PlanStatus } from './engine/engine.js';
export type { EngineEvent, EngineEventListener } from './engine/events.js';
export type { WaitingPrompt } from './engine/prompts.js';
export { readAllRunReports, readRunReport, reportKey } from './engine/report-store.js';
export type { CommandAnnouncement } from './engine/storage-gateway.js';
