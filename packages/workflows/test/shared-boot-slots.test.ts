import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { SlotLimits } from '@drctl/scheduler';
import { ReusedSlots } from '../src/engine/reused-slots.js';
import { SharedBootSlots } from '../src/engine/shared-boot-slots.js';
import { CountingStore, ImmediateCountingStore } from './support/counting-slots.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const HOSTS = [
  { host: 'esx1', cluster: 'c1' },
  { host: 'esx2', cluster: 'c1' },
  { host: 'esx3', cluster: 'c2' },
];

/** Two engines' pools over one store, as two processes on one state folder have them. */
function twoEngines(store: CountingStore, limits: SlotLimits): SharedBootSlots[] {
  return [0, 1].map(() => new SharedBootSlots(limits, new ReusedSlots(store, 5)));
}

describe('SharedBootSlots', () => {
  it('keeps the host and cluster limits across engines, whether a shared slot is free at once or awaited', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.record({
            engine: fc.integer({ min: 0, max: 1 }),
            at: fc.integer({ min: 0, max: HOSTS.length - 1 }),
            delay: fc.integer({ min: 0, max: 3 }),
            hold: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 24 },
        ),
        async (immediate, hostLimit, clusterLimit, requests) => {
          const store = immediate ? new ImmediateCountingStore() : new CountingStore();
          const engines = twoEngines(store, { hostLimit: () => hostLimit, clusterLimit: () => clusterLimit });
          const inUse = new Map<string, number>();
          const peak = new Map<string, number>();
          const count = (name: string, by: number) => {
            const now = (inUse.get(name) ?? 0) + by;
            inUse.set(name, now);
            peak.set(name, Math.max(peak.get(name) ?? 0, now));
          };
          await Promise.all(
            requests.map(async ({ engine, at, delay, hold }, rank) => {
              const { host, cluster } = HOSTS[at]!;
              await pause(delay);
              const release = await engines[engine]!.acquire({ host, cluster, rank });
              count(host, 1);
              count(cluster, 1);
              await pause(hold);
              count(host, -1);
              count(cluster, -1);
              release();
            }),
          );
          await pause(30);
          for (const { host, cluster } of HOSTS) {
            expect(peak.get(host) ?? 0).toBeLessThanOrEqual(hostLimit);
            expect(peak.get(cluster) ?? 0).toBeLessThanOrEqual(clusterLimit);
          }
          // Every slot taken from the store went back once the engines' demand ended.
          expect(store.given).toBe(store.taken);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives back the host slot and the local one when a request waiting for the cluster is withdrawn', async () => {
    const store = new ImmediateCountingStore();
    const [a, b] = twoEngines(store, { hostLimit: () => 2, clusterLimit: () => 1 });
    // Engine A holds the cluster's one slot; engine B's request gets its host slot at once, then waits.
    const held = await a!.acquire({ host: 'esx1', cluster: 'c1', rank: 0 });
    const abort = new AbortController();
    const waiting = b!.acquire({ host: 'esx2', cluster: 'c1', rank: 0, signal: abort.signal });
    await pause(5);
    expect(store.held.get('boot-host/esx2')).toBe(1);
    expect(b!.inUse).toBe(1);
    abort.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(b!.inUse).toBe(0);
    held();
    await pause(30);
    expect(store.held.get('boot-host/esx2')).toBe(0);
    expect(store.held.get('boot-cluster/c1')).toBe(0);
  });
});
