/**
 * Seeded, name-keyed randomness. Every simulated duration draws from a hash of (seed, purpose,
 * name) rather than from a shared stream, so the numbers do not depend on the order in which
 * concurrent calls happen to arrive: the same seed always gives the same timings.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Folds the UTF-16 code units of `text` into an FNV-1a state. */
function fnvAdd(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** A murmur3-style avalanche over a finished FNV-1a state, as an unsigned 32-bit number. */
function avalanche(state: number): number {
  let h = state;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of `text`, finished with a murmur3-style avalanche. */
export function hash32(text: string): number {
  return avalanche(fnvAdd(FNV_OFFSET, text));
}

/**
 * A number in [0, 1) fixed by the seed, a purpose and a key: the hash of the three joined by NUL
 * characters, folded in piece by piece. Every simulated duration draws one, and building the
 * joined string each time was a share of a large run's garbage.
 */
export function keyedFraction(seed: number, purpose: string, key: string): number {
  // A NUL separator folds in as a bare multiply: XOR with 0 leaves the state as it is.
  let h = fnvAdd(FNV_OFFSET, String(seed));
  h = fnvAdd(Math.imul(h, FNV_PRIME), purpose);
  h = fnvAdd(Math.imul(h, FNV_PRIME), key);
  return avalanche(h) / 0x1_0000_0000;
}

/**
 * Scales `ms` by a factor in [1 - spread, 1 + spread] chosen by the seed, purpose and key;
 * `spread` 0 returns `ms` unchanged. Rounded to whole milliseconds so virtual times stay integers.
 */
export function jittered(ms: number, spread: number, seed: number, purpose: string, key: string): number {
  if (spread <= 0 || ms <= 0) return Math.round(ms);
  const factor = 1 + spread * (2 * keyedFraction(seed, purpose, key) - 1);
  return Math.max(0, Math.round(ms * factor));
}

/** A small sequential PRNG (mulberry32) for generators, where order is fixed by construction. */
export function sequentialRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
