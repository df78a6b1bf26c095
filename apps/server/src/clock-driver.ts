import { VirtualClock, type Clock } from '@drctl/domain';

export interface ClockDriver {
  stop(): void;
}

/** Real milliseconds between paced steps: short enough for a smooth viewer, long enough to be cheap. */
const PACE_TICK_MS = 50;

/**
 * Keeps a simulation's virtual time moving while the server runs, so runs started over HTTP
 * progress without a caller driving them. Without `pace`, time jumps from timer to timer as fast
 * as the work allows (and rests while a run waits on a prompt); with `pace`, it moves `pace`
 * virtual seconds per real second, so people can watch a recovery unfold in the viewer.
 * A real clock needs nothing.
 */
export function driveClock(clock: Clock, pace?: number): ClockDriver {
  if (!(clock instanceof VirtualClock)) return { stop: () => undefined };
  if (pace === undefined) return clock.start();
  let running = true;
  const step = pace * PACE_TICK_MS;
  void (async () => {
    while (running) {
      await clock.advance(step);
      await new Promise<void>((resolve) => setTimeout(resolve, PACE_TICK_MS).unref());
    }
  })();
  return {
    stop: () => {
      running = false;
    },
  };
}
