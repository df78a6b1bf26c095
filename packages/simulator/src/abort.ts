import { abortReason, type Clock } from '@drctl/domain';

/**
 * One 'abort' listener per signal, fanning out to every waiter. A run hands the same signal to
 * thousands of concurrent operations; EventTarget.addEventListener scans the existing listeners
 * on each call, which made 10,000 concurrent waits on one signal quadratic.
 */
const waiters = new WeakMap<AbortSignal, Set<() => void>>();

/** The callbacks to run when `signal` fires, listened for once per signal. */
function waitersOf(signal: AbortSignal): Set<() => void> {
  let set = waiters.get(signal);
  if (!set) {
    const created = new Set<() => void>();
    set = created;
    waiters.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        const pending = [...created];
        created.clear();
        for (const fn of pending) fn();
      },
      { once: true },
    );
  }
  return set;
}

/** Rejects with the signal's reason if it has already fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/** Resolves after `ms` of the clock's time; rejects with the signal's reason as soon as it fires. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const waiting = waitersOf(signal);
  // As few closures as a sleep can have: ten thousand VMs sleep at once.
  return new Promise<void>((resolve, reject) => {
    const aborted = () => {
      cancelTimer();
      reject(abortReason(signal));
    };
    const cancelTimer = clock.setTimer(ms, () => {
      waiting.delete(aborted);
      resolve();
    });
    waiting.add(aborted);
  });
}

/** Never resolves; rejects with the signal's reason when it fires (a hung command). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<never>((_, reject) => {
    waitersOf(signal).add(() => reject(abortReason(signal)));
  });
}
