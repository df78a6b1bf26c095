import type { Clock } from '@drctl/domain';

export interface PerExchangeClockOptions {
  /**
   * Longest real time one exchange holds virtual time still. Past it the exchange counts as hung:
   * time moves on, so the engine's command timeout can cut it. Give the VirtualClock a
   * `maxRealWaitMs` at least this long, or it moves on first.
   */
  holdMs: number;
}

/**
 * How the SC Series adapter's HTTP exchanges hold a VirtualClock still, one exchange at a time.
 *
 * A VirtualClock holds time while tracked work is outstanding, up to its `maxRealWaitMs` counted
 * from when it first saw work in flight, not per piece of work. An adapter sends requests back to
 * back (discovery, reading the array before acting), so some work is always in flight: past the
 * bound virtual time jumped to the next timer (the engine's command timeout) and cut a healthy
 * command. Two changes here:
 * - after each exchange the adapter yields to the clock at the same instant (a zero-length
 *   sleep): the clock sees nothing in flight, fires only what is due now, and starts counting
 *   afresh for the next exchange;
 * - an exchange holds time for at most `holdMs` of real time. A hung call then lets time run to its
 *   timeout after one such wait, instead of making every other device's exchange wait the clock's
 *   full bound while it hangs.
 */
export function perExchangeClock(clock: Clock, options: PerExchangeClockOptions): Clock {
  const yieldNow = () => clock.sleep(0);
  return {
    now: () => clock.now(),
    setTimer: (ms, callback) => clock.setTimer(ms, callback),
    sleep: (ms, signal) => clock.sleep(ms, signal),
    track<T>(work: Promise<T>): Promise<T> {
      void clock.track(heldAtMost(work, options.holdMs));
      return work.then(
        async (value) => {
          await yieldNow();
          return value;
        },
        async (error: unknown) => {
          await yieldNow();
          throw error;
        },
      );
    },
  };
}

/** Settles when `work` does or after `ms` of real time, whichever comes first; never rejects. */
function heldAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    // Real time on purpose: this bounds how long real work may stop the virtual clock.
    const timer = setTimeout(resolve, ms);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    work.then(done, done);
  });
}
