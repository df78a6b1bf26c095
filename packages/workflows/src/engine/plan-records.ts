import { createActor, type Snapshot } from 'xstate';
import type { DocumentStore, WorkflowName } from '@drctl/domain';
import {
  planLifecycleMachine,
  type PlanLifecycleEvent,
  type PlanLifecycleSnapshot,
  type PlanState,
} from '../machines/plan-lifecycle-machine.js';

/** A plan operation: a test, a cleanup, a recovery and its re-runs, a reprotect, a failback. */
export interface Operation {
  id: string;
  family: 'test' | 'cleanup' | 'recovery' | 'reprotect' | 'failback';
  /** Closed operations are never resumed: the next start opens a new one. */
  open: boolean;
}

/** What the store keeps per plan. */
export interface PlanRecord {
  plan: string;
  lifecycle: Snapshot<unknown>;
  operation: Operation | null;
  operations: number;
  runs: string[];
}

export const planKey = (plan: string) => `plans/${plan}`;

export function familyOf(workflow: WorkflowName): Operation['family'] {
  return workflow === 'planned-migration' || workflow === 'disaster-recovery' ? 'recovery' : workflow;
}

/** Loads (or creates) a plan's record and lifecycle actor. */
export async function loadPlan(
  store: DocumentStore,
  plan: string,
): Promise<{ record: PlanRecord; lifecycle: PlanLifecycleSnapshot }> {
  const record = await store.read<PlanRecord>(planKey(plan));
  const actor = record
    ? createActor(planLifecycleMachine, { snapshot: record.lifecycle, input: { plan } })
    : createActor(planLifecycleMachine, { input: { plan } });
  actor.start();
  const lifecycle = actor.getSnapshot();
  actor.stop();
  return {
    record: record ?? { plan, lifecycle: actor.getPersistedSnapshot(), operation: null, operations: 0, runs: [] },
    lifecycle,
  };
}

/** Applies a lifecycle event and returns the new snapshot and its persisted form. */
export function transition(record: PlanRecord, event: PlanLifecycleEvent): PlanLifecycleSnapshot {
  const actor = createActor(planLifecycleMachine, { snapshot: record.lifecycle, input: { plan: record.plan } });
  actor.start();
  actor.send(event);
  const snapshot = actor.getSnapshot();
  record.lifecycle = actor.getPersistedSnapshot();
  actor.stop();
  return snapshot;
}

export function planState(snapshot: PlanLifecycleSnapshot): PlanState {
  return snapshot.value;
}
