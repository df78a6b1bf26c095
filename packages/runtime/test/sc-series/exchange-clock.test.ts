import { describe, expect, it } from '@jest/globals';
import { VirtualClock, type Clock } from '@drctl/domain';
import { perExchangeClock } from '../../src/sc-series/exchange-clock.js';

const START = Date.UTC(2026, 0, 1);
const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Back-to-back tracked exchanges, as an adapter reading the array before it acts. */
async function exchanges(clock: Clock, count: number, eachMs: number): Promise<void> {
  for (let i = 0; i < count; i++) await clock.track(realDelay(eachMs));
}

describe('DSM exchanges hold virtual time one at a time', () => {
  it("a chain of exchanges longer than the clock's real-wait bound does not let a pending timeout fire", async () => {
    // What the engine sees: a 390 s command timeout pending while the adapter talks to DSM.
    const bare = new VirtualClock({ start: START, maxRealWaitMs: 100 });
    let bareTimedOut = false;
    bare.setTimer(390_000, () => (bareTimedOut = true));
    await bare.runUntil(exchanges(bare, 6, 40));
    // The clock's allowance restarts with each completed exchange: the chain holds time too.
    expect(bareTimedOut).toBe(false);

    const virtual = new VirtualClock({ start: START, maxRealWaitMs: 100 });
    let timedOut = false;
    virtual.setTimer(390_000, () => (timedOut = true));
    await virtual.runUntil(exchanges(perExchangeClock(virtual, { holdMs: 100 }), 6, 40));
    expect(timedOut).toBe(false);
    expect(virtual.now()).toBe(START);
  });

  it('a hung exchange lets time run to the timeout after one hold, while other exchanges go on', async () => {
    const virtual = new VirtualClock({ start: START, maxRealWaitMs: 1000 });
    const clock = perExchangeClock(virtual, { holdMs: 50 });
    const timeout = new Promise<void>((resolve) => virtual.setTimer(390_000, resolve));
    void clock.track(new Promise<void>(() => undefined)); // never answers
    const began = Date.now();
    const others = exchanges(clock, 5, 5);
    await virtual.runUntil(Promise.all([timeout, others]));
    expect(virtual.now()).toBe(START + 390_000);
    // Far below the clock's own 1 s bound per step: the hang held time once, for about 50 ms.
    expect(Date.now() - began).toBeLessThan(900);
  });

  it('passes results and failures through unchanged', async () => {
    const virtual = new VirtualClock({ start: START });
    const clock = perExchangeClock(virtual, { holdMs: 100 });
    await expect(virtual.runUntil(clock.track(Promise.resolve(42)))).resolves.toBe(42);
    await expect(virtual.runUntil(clock.track(Promise.reject(new Error('ECONNRESET'))))).rejects.toThrow('ECONNRESET');
  });
});
