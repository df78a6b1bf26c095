import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { DrError } from '@drctl/domain';
import { SlotPool, uniformSlotLimits, type ReleaseSlot } from '../src/index.js';

/** Lets granted promises' callbacks run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(
  pool: SlotPool,
  granted: string[],
  name: string,
  host: string,
  cluster: string,
  rank: number,
  signal?: AbortSignal,
) {
  const outcome: { release?: ReleaseSlot; error?: unknown } = {};
  pool.acquire({ host, cluster, rank, signal }).then(
    (release) => {
      granted.push(name);
      outcome.release = release;
    },
    (error: unknown) => {
      outcome.error = error;
    },
  );
  return outcome;
}

describe('SlotPool', () => {
  it('grants at once while the host and cluster have room, then queues', async () => {
    const pool = new SlotPool(uniformSlotLimits(2, 3));
    const granted: string[] = [];
    const a = track(pool, granted, 'a', 'h1', 'c', 0);
    track(pool, granted, 'b', 'h1', 'c', 0);
    track(pool, granted, 'c', 'h1', 'c', 0);
    track(pool, granted, 'd', 'h2', 'c', 0);
    track(pool, granted, 'e', 'h2', 'c', 0);
    await flush();
    expect(granted).toEqual(['a', 'b', 'd']);
    expect(pool.hostInUse('h1')).toBe(2);
    expect(pool.clusterInUse('c')).toBe(3);
    expect(pool.waiting).toBe(2);
    a.release!();
    await flush();
    // The freed slot is on h1 and in c: c (h1) is the oldest waiter that fits.
    expect(granted).toEqual(['a', 'b', 'd', 'c']);
  });

  it('serves the best rank first, then the order of arrival', async () => {
    const pool = new SlotPool(uniformSlotLimits(null, 1));
    const granted: string[] = [];
    const first = track(pool, granted, 'first', 'h1', 'c', 0);
    track(pool, granted, 'late', 'h1', 'c', 5);
    track(pool, granted, 'urgent', 'h2', 'c', 1);
    track(pool, granted, 'late-too', 'h3', 'c', 5);
    await flush();
    first.release!();
    await flush();
    expect(granted).toEqual(['first', 'urgent']);
  });

  it('skips a better-ranked waiter whose host is full for one that fits (work-conserving)', async () => {
    const pool = new SlotPool(uniformSlotLimits(1, 2));
    const granted: string[] = [];
    const holder = track(pool, granted, 'holder', 'h1', 'c', 0);
    const other = track(pool, granted, 'other', 'h3', 'c', 0);
    track(pool, granted, 'best-but-h1-full', 'h1', 'c', 1);
    track(pool, granted, 'fits', 'h2', 'c', 9);
    await flush();
    expect(granted).toEqual(['holder', 'other']);
    other.release!();
    await flush();
    expect(granted).toEqual(['holder', 'other', 'fits']);
    holder.release!();
    await flush();
    expect(granted).toEqual(['holder', 'other', 'fits', 'best-but-h1-full']);
  });

  it('keeps clusters independent', async () => {
    const pool = new SlotPool({ hostLimit: () => null, clusterLimit: (c) => (c === 'small' ? 1 : 0) });
    const granted: string[] = [];
    track(pool, granted, 's1', 'hs', 'small', 0);
    track(pool, granted, 's2', 'hs', 'small', 0);
    for (let i = 0; i < 5; i++) track(pool, granted, `b${i}`, `hb${i}`, 'big', 0);
    await flush();
    expect(granted).toEqual(['s1', 'b0', 'b1', 'b2', 'b3', 'b4']);
    expect(pool.gauges().clusters.find((c) => c.name === 'big')).toMatchObject({
      limit: Infinity,
      inUse: 5,
      peakInUse: 5,
      waiting: 0,
    });
  });

  it('withdraws a waiter whose signal aborts, and refuses one already aborted', async () => {
    const pool = new SlotPool(uniformSlotLimits(1, null));
    const granted: string[] = [];
    const holder = track(pool, granted, 'holder', 'h', 'c', 0);
    const controller = new AbortController();
    const quitter = track(pool, granted, 'quitter', 'h', 'c', 0, controller.signal);
    track(pool, granted, 'stayer', 'h', 'c', 1);
    await flush();
    expect(pool.waiting).toBe(2);
    controller.abort(new DrError('DR_CANCELLED', 'Run cancelled.'));
    await flush();
    expect(quitter.error).toMatchObject({ code: 'DR_CANCELLED' });
    expect(pool.waiting).toBe(1);
    holder.release!();
    await flush();
    expect(granted).toEqual(['holder', 'stayer']);
    await expect(pool.acquire({ host: 'h', cluster: 'c', rank: 0, signal: controller.signal })).rejects.toMatchObject({
      code: 'DR_CANCELLED',
    });
  });

  it('ignores an abort after the grant, and a second release', async () => {
    const pool = new SlotPool(uniformSlotLimits(1, null));
    const controller = new AbortController();
    const release = await pool.acquire({ host: 'h', cluster: 'c', rank: 0, signal: controller.signal });
    controller.abort();
    expect(pool.hostInUse('h')).toBe(1);
    release();
    release();
    expect(pool.hostInUse('h')).toBe(0);
    expect(pool.hostPeakInUse('h')).toBe(1);
    expect(pool.inUse).toBe(0);
  });

  it('serves many waiters of one signal with a single abort listener', async () => {
    const pool = new SlotPool(uniformSlotLimits(1, null));
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = (...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    };
    const waits = Array.from({ length: 50 }, () =>
      pool.acquire({ host: 'h', cluster: 'c', rank: 0, signal: controller.signal }),
    );
    const first = await waits[0]!;
    controller.abort();
    const settled = await Promise.allSettled(waits.slice(1));
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(listeners).toBe(1);
    first();
    expect(pool.gauges()).toMatchObject({ inUse: 0, waiting: 0, peakInUse: 1 });
  });

  it('refuses a host met in two clusters, and limits that are not counts', () => {
    const pool = new SlotPool(uniformSlotLimits(null, null));
    void pool.acquire({ host: 'h', cluster: 'a', rank: 0 });
    expect(() => pool.acquire({ host: 'h', cluster: 'b', rank: 0 })).toThrow(/Host h .* cluster a/);
    const bad = new SlotPool(uniformSlotLimits(-1, null));
    expect(() => bad.acquire({ host: 'h', cluster: 'a', rank: 0 })).toThrow(DrError);
    const fractional = new SlotPool(uniformSlotLimits(null, 1.5));
    expect(() => fractional.acquire({ host: 'h', cluster: 'a', rank: 0 })).toThrow(/cluster a/);
  });

  it('treats 0, null and undefined as unlimited', async () => {
    for (const limit of [0, null, undefined]) {
      const pool = new SlotPool(uniformSlotLimits(limit, limit));
      const releases = await Promise.all(
        Array.from({ length: 100 }, () => pool.acquire({ host: 'h', cluster: 'c', rank: 0 })),
      );
      expect(pool.hostInUse('h')).toBe(100);
      releases.forEach((r) => r());
    }
  });
});

/**
 * Reference model: after every change, grant (one at a time) the best (rank, arrival) waiter whose
 * host and cluster both have room. Slow and obvious; the pool must make the same grants in order.
 */
class ReferencePool {
  waiting: Array<{ name: string; host: string; cluster: string; rank: number; seq: number }> = [];
  held = new Map<string, { host: string; cluster: string }>();
  granted: string[] = [];
  private seq = 0;
  constructor(
    private hostLimit: (h: string) => number,
    private clusterLimit: (c: string) => number,
  ) {}
  private count(pick: (h: { host: string; cluster: string }) => boolean) {
    return [...this.held.values()].filter(pick).length;
  }
  private settle() {
    for (;;) {
      const fits = this.waiting
        .filter(
          (w) =>
            this.count((h) => h.host === w.host) < this.hostLimit(w.host) &&
            this.count((h) => h.cluster === w.cluster) < this.clusterLimit(w.cluster),
        )
        .sort((a, b) => a.rank - b.rank || a.seq - b.seq);
      const best = fits[0];
      if (!best) return;
      this.waiting = this.waiting.filter((w) => w !== best);
      this.held.set(best.name, best);
      this.granted.push(best.name);
    }
  }
  acquire(name: string, host: string, cluster: string, rank: number) {
    this.waiting.push({ name, host, cluster, rank, seq: this.seq++ });
    this.settle();
  }
  release(name: string) {
    this.held.delete(name);
    this.settle();
  }
  abort(name: string) {
    this.waiting = this.waiting.filter((w) => w.name !== name);
  }
}

describe('SlotPool against a brute-force reference', () => {
  const opArb = fc.oneof(
    fc.record({
      kind: fc.constant('acquire' as const),
      host: fc.integer({ min: 0, max: 5 }),
      rank: fc.integer({ min: 0, max: 4 }),
    }),
    fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
  );

  it('makes the same grants in the same order for any sequence of requests, releases and aborts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 2 }),
        fc.array(opArb, { maxLength: 60 }),
        async (hostLimits, clusterLimits, ops) => {
          const hostLimit = (h: string) => hostLimits[Number(h.slice(1))]!;
          const clusterLimit = (c: string) => clusterLimits[Number(c.slice(1))]!;
          const pool = new SlotPool({ hostLimit, clusterLimit });
          const model = new ReferencePool(hostLimit, clusterLimit);
          const granted: string[] = [];
          const releases = new Map<string, ReleaseSlot>();
          const controllers = new Map<string, AbortController>();
          let n = 0;
          for (const op of ops) {
            if (op.kind === 'acquire') {
              const name = `w${n++}`;
              const host = `h${op.host}`;
              const cluster = `c${op.host % 2}`;
              const controller = new AbortController();
              controllers.set(name, controller);
              pool.acquire({ host, cluster, rank: op.rank, signal: controller.signal }).then(
                (release) => {
                  granted.push(name);
                  releases.set(name, release);
                },
                () => undefined,
              );
              model.acquire(name, host, cluster, op.rank);
            } else if (op.kind === 'release') {
              const held = [...releases.keys()];
              if (held.length === 0) continue;
              const name = held[op.pick % held.length]!;
              releases.get(name)!();
              releases.delete(name);
              model.release(name);
            } else {
              const waiting = model.waiting.map((w) => w.name);
              if (waiting.length === 0) continue;
              const name = waiting[op.pick % waiting.length]!;
              controllers.get(name)!.abort();
              model.abort(name);
            }
            await flush();
            expect(granted).toEqual(model.granted);
            expect(pool.waiting).toBe(model.waiting.length);
            expect(pool.inUse).toBe(model.held.size);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
