import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ReusedSlots } from '../src/engine/reused-slots.js';
import { CountingStore, ImmediateCountingStore } from './support/counting-slots.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('ReusedSlots', () => {
  it('hands a slot from one request of the engine to the next without asking the store again', async () => {
    const store = new CountingStore();
    const slots = new ReusedSlots(store, 50);
    for (let i = 0; i < 20; i++) await (await slots.acquire('boot-host/esx1', 2))();
    expect(store.taken).toBe(1);
    await pause(120);
    // Idle past its time: given back, so another engine may take it.
    expect(store.given).toBe(1);
    expect(store.held.get('boot-host/esx1')).toBe(0);
  });

  it('gives back the slots no request uses when the engine closes, and the others when released', async () => {
    const store = new CountingStore();
    const slots = new ReusedSlots(store, 60_000);
    const inUse = await slots.acquire('boot-host/esx1', 2);
    await (
      await slots.acquire('boot-host/esx1', 2)
    )();
    expect(store.held.get('boot-host/esx1')).toBe(2);
    await slots.close();
    // The idle one is back at once (a process exiting after its run leaves none behind)…
    expect(store.held.get('boot-host/esx1')).toBe(1);
    await inUse();
    // …and the one in use idles as before until it is given back too.
    await slots.close();
    expect(store.held.get('boot-host/esx1')).toBe(0);
  });

  it('takes a free slot from a store that can tell at once, and waits on it only when none is', async () => {
    const store = new ImmediateCountingStore();
    const slots = new ReusedSlots(store, 20);
    const a = await slots.acquire('boot-host/esx1', 2);
    const b = await slots.acquire('boot-host/esx1', 2);
    expect(store.asked).toBe(2);
    expect(store.held.get('boot-host/esx1')).toBe(2);
    const third = slots.acquire('boot-host/esx1', 2);
    await pause(5);
    await a();
    await (
      await third
    )();
    await b();
    // Two slots were ever taken from the store, and both go back once idle.
    expect(store.taken).toBe(2);
    await pause(60);
    expect(store.held.get('boot-host/esx1')).toBe(0);
  });

  it('answers at once with a slot kept here or one the store has free, and with nothing otherwise', async () => {
    const store = new ImmediateCountingStore();
    const slots = new ReusedSlots(store, 60_000);
    const first = slots.tryAcquire('boot-host/esx1', 1);
    expect(first).toBeDefined();
    expect(store.held.get('boot-host/esx1')).toBe(1);
    // The one slot is in use: nothing kept, nothing free in the store, and no waiting.
    expect(slots.tryAcquire('boot-host/esx1', 1)).toBeUndefined();
    await first!();
    // Given back here, it is kept: the next request gets it without asking the store.
    const asked = store.asked;
    const again = slots.tryAcquire('boot-host/esx1', 1);
    expect(again).toBeDefined();
    expect(store.asked).toBe(asked);
    await again!();
    // A store that cannot tell at once only ever answers through acquire.
    expect(new ReusedSlots(new CountingStore()).tryAcquire('boot-host/esx1', 1)).toBeUndefined();
    await slots.close();
    expect(store.held.get('boot-host/esx1')).toBe(0);
  });

  it('hands claims taken at once back to the next request, and an unlimited name needs no slot', async () => {
    const store = new ImmediateCountingStore();
    const slots = new ReusedSlots(store, 60_000);
    const claim = slots.claimNow('boot-host/esx1', 1);
    expect(claim).toBeDefined();
    expect(slots.claimNow('boot-host/esx1', 1)).toBeUndefined();
    slots.giveBackNow('boot-host/esx1', claim!);
    const asked = store.asked;
    expect(slots.claimNow('boot-host/esx1', 1)).toBe(claim);
    expect(store.asked).toBe(asked);
    // No limit: a claim every time, and nothing taken from the store or kept here.
    const unlimited = slots.claimNow('boot-host/esx2', Number.POSITIVE_INFINITY);
    slots.giveBackNow('boot-host/esx2', unlimited!);
    expect(store.held.get('boot-host/esx2')).toBeUndefined();
    expect(slots.claimNow('boot-host/esx2', Number.POSITIVE_INFINITY)).toBeDefined();
    slots.giveBackNow('boot-host/esx1', claim!);
    await slots.close();
    expect(store.held.get('boot-host/esx1')).toBe(0);
  });

  it('gives a waiting request a slot released here before the store answers', async () => {
    const store = new CountingStore();
    const slots = new ReusedSlots(store, 50);
    const first = await slots.acquire('storage-commands', 1);
    const second = slots.acquire('storage-commands', 1);
    await pause(5);
    await first();
    await (
      await second
    )();
    expect(store.taken).toBe(1);
  });

  it('withdraws a waiting request when its signal aborts, and loses no slot', async () => {
    const store = new CountingStore();
    const slots = new ReusedSlots(store, 20);
    const first = await slots.acquire('storage-commands', 1);
    const abort = new AbortController();
    const waiting = slots.acquire('storage-commands', 1, abort.signal);
    abort.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    await first();
    await pause(60);
    expect(store.held.get('storage-commands')).toBe(0);
  });

  it('never holds more than the limit in the store, and hands every slot back in the end', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 4 }), hold: fc.integer({ min: 0, max: 4 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (limit, requests) => {
          const store = new CountingStore();
          const slots = new ReusedSlots(store, 5);
          let inUse = 0;
          let peakInUse = 0;
          await Promise.all(
            requests.map(async ({ delay, hold }) => {
              await pause(delay);
              const release = await slots.acquire('boot-cluster/c1', limit);
              inUse++;
              peakInUse = Math.max(peakInUse, inUse);
              await pause(hold);
              inUse--;
              await release();
            }),
          );
          await pause(30);
          expect(peakInUse).toBeLessThanOrEqual(limit);
          expect(store.peak).toBeLessThanOrEqual(limit);
          expect(store.taken).toBeLessThanOrEqual(requests.length);
          expect(store.given).toBe(store.taken);
        },
      ),
      { numRuns: 40 },
    );
  });
});
