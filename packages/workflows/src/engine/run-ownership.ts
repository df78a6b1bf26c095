import type { DocumentStore, RunLease, RunOwnership } from '@drctl/domain';
import { DrError } from '@drctl/domain';

/** The lease name of a run. */
export const runLeaseName = (runId: string) => `run-${runId}`;

/**
 * What an engine holds while it drives a run: the store as seen through the run's lease (every
 * write conditional on the lease's token), and `fence`, called before every state-changing
 * command, which throws DR_LEASE_LOST once the lease is gone. Without an ownership port (one
 * engine, the file or memory store) the run is its engine's alone and nothing is fenced.
 */
export interface RunClaim {
  store: DocumentStore;
  engineId: string | undefined;
  lease: RunLease | undefined;
  fence: () => void;
  /** Wraps an adapter so every call on it is fenced first. */
  guard<T extends object>(adapter: T): T;
  onLost(listener: (error: DrError) => void): void;
  release(): Promise<void>;
}

export async function claimRun(
  ownership: RunOwnership | undefined,
  store: DocumentStore,
  runId: string,
): Promise<RunClaim> {
  if (!ownership) {
    return {
      store,
      engineId: undefined,
      lease: undefined,
      fence: () => undefined,
      guard: (adapter) => adapter,
      onLost: () => undefined,
      release: async () => undefined,
    };
  }
  const lease = await ownership.acquire(runLeaseName(runId));
  if (!lease) {
    throw new DrError('DR_OPERATION_REFUSED', `Run ${runId} is owned by another engine whose lease has not expired.`, {
      issues: [{ path: 'runId', message: 'owned by another engine' }],
    });
  }
  const fence = () => lease.assertHeld();
  return {
    store: ownership.fenced(lease),
    engineId: ownership.engineId,
    lease,
    fence,
    guard: (adapter) => fencedAdapter(adapter, fence),
    onLost: (listener) =>
      lease.onLost((reason) =>
        listener(
          new DrError('DR_LEASE_LOST', `Engine ${lease.owner} lost run ${runId} (${reason}); it stops acting on it.`, {
            details: { runId, owner: lease.owner, token: lease.token },
          }),
        ),
      ),
    release: () => lease.release(),
  };
}

/**
 * Every method call on the adapter checks the fence first: a compute or storage call an engine
 * that lost the run is about to make is refused before it leaves the process.
 */
function fencedAdapter<T extends object>(adapter: T, fence: () => void): T {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        fence();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** The report's note when a run changes owner. */
export function takeoverNote(claim: RunClaim, at: string): string | undefined {
  const from = claim.lease?.takenFrom;
  if (!claim.lease || !from) return undefined;
  return `engine ${claim.lease.owner} took the run over at ${at} from engine ${from.owner}, whose lease expired at ${from.expiredAt} (it stopped renewing it: it died, was paused or lost the database); fencing token ${claim.lease.token}`;
}
