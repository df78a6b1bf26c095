import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { hash32, jittered, keyedFraction } from '../src/random.js';

describe('keyedFraction', () => {
  it('is the hash of the seed, purpose and key joined by NUL characters, as before it was folded piece by piece', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string(), fc.string({ unit: 'binary' }), (seed, purpose, key) => {
        const joined = hash32(`${seed}\u0000${purpose}\u0000${key}`) / 0x1_0000_0000;
        expect(keyedFraction(seed, purpose, key)).toBe(joined);
      }),
    );
  });

  it('keeps jittered durations within the spread, in whole milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.nat(), fc.string(), (ms, seed, key) => {
        const out = jittered(ms, 0.2, seed, 'registerVm', key);
        expect(Number.isInteger(out)).toBe(true);
        expect(out).toBeGreaterThanOrEqual(Math.round(ms * 0.8) - 1);
        expect(out).toBeLessThanOrEqual(Math.round(ms * 1.2) + 1);
      }),
    );
  });
});
