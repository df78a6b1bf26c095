import type { DocumentStore } from '@drctl/domain';
import type { StorageChoice } from '@drctl/runtime';

/**
 * How a run was started (simulation, storage, seed, settings, faults), kept beside it so
 * `drctl resume` and `drctl cancel` rebuild the same world and settings without the operator
 * retyping them. Crash rehearsals (`crash-after`) are not kept: a resumed run must not die again.
 */
export interface RunInvocation {
  simulate: boolean;
  storage?: StorageChoice;
  seed?: string;
  set: string[];
  inject: string[];
  vmwareDrXml?: string;
}

const invocationKey = (runId: string) => `cli/invocations/${runId}`;

export async function saveInvocation(store: DocumentStore, runId: string, invocation: RunInvocation): Promise<void> {
  await store.write(invocationKey(runId), {
    ...invocation,
    inject: invocation.inject.filter((f) => !f.startsWith('crash-after:')),
  });
}

export async function loadInvocation(store: DocumentStore, runId: string): Promise<RunInvocation | undefined> {
  return store.read<RunInvocation>(invocationKey(runId));
}
