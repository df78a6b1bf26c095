import { DrError, type PromptRecord } from '@drctl/domain';

interface Waiting {
  runId: string;
  record: PromptRecord;
  resolve: (answer: { answer: string; answeredBy: string; answeredAt: string }) => void;
}

/** A prompt as an embedder or the API lists it. */
export interface WaitingPrompt {
  runId: string;
  promptId: string;
  text: string;
  vm?: string;
  step?: string;
  askedAt: string;
}

/**
 * Prompts pause a run until someone answers. The broker holds the waiting ones; answers come
 * through the engine's API (CLI, HTTP, embedder) and are attributed to whoever gave them.
 */
export class PromptBroker {
  private readonly waiting = new Map<string, Waiting>();

  ask(runId: string, record: PromptRecord): Promise<{ answer: string; answeredBy: string; answeredAt: string }> {
    return new Promise((resolve) => {
      this.waiting.set(record.id, { runId, record, resolve });
    });
  }

  /** Withdraws a prompt whose run was cancelled. */
  withdraw(promptId: string): void {
    this.waiting.delete(promptId);
  }

  answer(promptId: string, answer: string, answeredBy: string, answeredAt: string): void {
    const entry = this.waiting.get(promptId);
    if (!entry) {
      throw new DrError('DR_OPERATION_REFUSED', `No prompt ${promptId} is waiting for an answer.`, {
        issues: [{ path: 'promptId', message: 'no such waiting prompt' }],
      });
    }
    if (answeredBy.trim() === '') {
      throw new DrError('DR_INPUT_INVALID', 'A prompt answer must say who gave it.', {
        issues: [{ path: 'answeredBy', message: 'must not be empty' }],
      });
    }
    this.waiting.delete(promptId);
    entry.resolve({ answer, answeredBy, answeredAt });
  }

  list(runId?: string): WaitingPrompt[] {
    return [...this.waiting.values()]
      .filter((w) => runId === undefined || w.runId === runId)
      .map((w) => ({
        runId: w.runId,
        promptId: w.record.id,
        text: w.record.text,
        askedAt: w.record.askedAt,
        ...(w.record.vm ? { vm: w.record.vm } : {}),
        ...(w.record.step ? { step: w.record.step } : {}),
      }));
  }
}
