import type { RunResult, StepId, StepStatus, StorageCommand, WorkflowName } from '@drctl/domain';

/** Typed events a run emits; the CLI prints them, the API streams them, embedders subscribe. */
export type EngineEvent =
  | {
      type: 'run-started';
      runId: string;
      plan: string;
      workflow: WorkflowName;
      mode: string;
      at: string;
      resumed: boolean;
    }
  | { type: 'step-started'; runId: string; step: StepId; phase: string; at: string }
  | {
      type: 'step-finished';
      runId: string;
      step: StepId;
      phase: string;
      status: StepStatus;
      at: string;
      messages: string[];
    }
  | {
      type: 'storage-command';
      runId: string;
      command: StorageCommand;
      arrayId: string;
      devices: string[];
      status: string;
      at: string;
      message?: string;
    }
  | {
      /** A poll of a running sync: each device's share copied so far (0–100). */
      type: 'sync-progress';
      runId: string;
      step: StepId;
      phase: string;
      devices: Array<{ device: string; status: 'complete' | 'in-progress'; percent: number }>;
      at: string;
    }
  | { type: 'vm-powering-on'; runId: string; vm: string; host: string; priority: number; at: string }
  | { type: 'vm-powered-on'; runId: string; vm: string; host: string; at: string }
  | { type: 'vm-recovered'; runId: string; vm: string; host: string; at: string }
  | { type: 'vm-failed'; runId: string; vm: string; host: string; at: string; message: string }
  | { type: 'vm-shut-down'; runId: string; vm: string; at: string; message?: string }
  | { type: 'prompt-waiting'; runId: string; promptId: string; text: string; vm?: string; step?: string; at: string }
  | { type: 'prompt-answered'; runId: string; promptId: string; answer: string; answeredBy: string; at: string }
  | { type: 'message'; runId: string; level: 'info' | 'warn' | 'error'; text: string; at: string }
  | { type: 'run-finished'; runId: string; result: RunResult; at: string; reportKey: string };

export type EngineEventListener = (event: EngineEvent) => void;

/** A minimal synchronous emitter: listeners that throw are isolated from the run. */
export class EventHub {
  private readonly listeners = new Set<EngineEventListener>();

  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A subscriber's bug must never break a recovery.
      }
    }
  }
}
