import { createRequire } from 'node:module';

type Undici = typeof import('undici');
let loaded: Undici | undefined;

/**
 * undici, loaded when the first vCenter client is made rather than when drctl is imported: a
 * simulated run never talks to a vCenter, and the library is about 5 MB of heap.
 */
export function undici(): Undici {
  return (loaded ??= createRequire(import.meta.url)('undici') as Undici);
}
