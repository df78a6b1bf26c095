import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Clock, RunReport } from '@drctl/domain';
import { MemoryStore } from '@drctl/store';
import { ReportBuilder } from '../src/engine/report-builder.js';

/** A clock that reads whatever time the test sets. */
function settableClock(): Clock & { set(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    set: (ms: number) => {
      now = ms;
    },
    setTimer: () => () => undefined,
    sleep: () => Promise.resolve(),
    track: (work) => work,
  };
}

describe("the report's clock times", () => {
  it('are the ISO-8601 form of the clock, whatever order times come in', () => {
    // Times near each other (the same minute, across minute and year boundaries), far apart,
    // before 1970 and past year 9999, and fractional milliseconds.
    const near = fc.integer({ min: Date.UTC(2026, 11, 31, 23, 58), max: Date.UTC(2027, 0, 1, 0, 2) });
    const anywhere = fc.integer({ min: -8.64e15, max: 8.64e15 });
    const fractional = fc.double({ min: 0, max: 4e12, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.oneof(near, near, anywhere, fractional), { minLength: 1, maxLength: 50 }), (times) => {
        const clock = settableClock();
        const builder = new ReportBuilder({ vms: [] } as unknown as RunReport, new MemoryStore(), clock);
        for (const ms of times) {
          clock.set(ms);
          expect(builder.now()).toBe(new Date(ms).toISOString());
        }
      }),
      { numRuns: 300 },
    );
  });
});
