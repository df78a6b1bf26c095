import type { DocumentStore } from '@drctl/domain';

/**
 * Cancelling a run that another drctl process is driving: `drctl cancel` leaves a request in the
 * shared store, and the process running it (which polls for one) cancels through its engine.
 */
export interface CancelRequest {
  runId: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
}

export const cancelRequestKey = (runId: string) => `cli/cancel-requests/${runId}`;

export async function requestCancel(store: DocumentStore, request: CancelRequest): Promise<void> {
  await store.write(cancelRequestKey(request.runId), request);
}

export async function takeCancelRequest(store: DocumentStore, runId: string): Promise<CancelRequest | undefined> {
  const request = await store.read<CancelRequest>(cancelRequestKey(runId));
  if (request) await store.delete(cancelRequestKey(runId));
  return request;
}
