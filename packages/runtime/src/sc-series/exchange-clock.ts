import type { Clock } from '@drctl/domain';

/**
 * A VirtualClock holds virtual time still while tracked real work (an HTTP exchange) is
 * outstanding, but only up to its `maxRealWaitMs` counted from when it first saw work in
 * flight, not per exchange. An adapter that sends requests back to back (discovery, a command
 * reading the array before acting) keeps some work in flight the whole time, so after that bound
 * virtual time jumped to the next timer — the engine's command timeout — and cut a healthy
 * command. This wrapper makes the adapter yield to the clock at the same instant after each
 * tracked exchange (a zero-length sleep): the clock then sees no work in flight, fires only the
 * timers due now, and the bound applies to one exchange at a time. Time still moves on past an
 * exchange that hangs, so a hung call meets its timeout.
 */
export function perExchangeClock(clock: Clock): Clock {
  return {
    now: () => clock.now(),
    setTimer: (ms, callback) => clock.setTimer(ms, callback),
    sleep: (ms, signal) => clock.sleep(ms, signal),
    track<T>(work: Promise<T>): Promise<T> {
      return clock.track(work).then(
        async (value) => {
          await clock.sleep(0);
          return value;
        },
        async (error: unknown) => {
          await clock.sleep(0);
          throw error;
        },
      );
    },
  };
}
