import { DrError } from '../errors.js';

/**
 * Time, injected everywhere: machines, schedulers and simulated adapters read it, so hours of
 * recovery simulate in milliseconds under a VirtualClock and run for real under the SystemClock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` after `ms`; returns a function that cancels it. */
  setTimer(ms: number, callback: () => void): () => void;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Marks real (event-loop) work in flight, such as an HTTP request, so a virtual clock does not
   * jump ahead while it is outstanding. A no-op on the system clock.
   */
  track<T>(work: Promise<T>): Promise<T>;
}

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DrError('DR_CANCELLED', typeof reason === 'string' ? reason : 'The operation was cancelled.');
}

/**
 * Calls `listener` once when `signal` aborts; returns a function that forgets it. Thousands of
 * sleeps share one run's signal, and every `addEventListener` scans the listeners already there:
 * one real listener per signal fanning out to a set keeps that linear.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let listeners = fanOut.get(signal);
  if (!listeners) {
    const set = new Set<() => void>();
    listeners = set;
    fanOut.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        fanOut.delete(signal);
        for (const l of set) l();
      },
      { once: true },
    );
  }
  const set = listeners;
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}
const fanOut = new WeakMap<AbortSignal, Set<() => void>>();

function sleepWith(clock: Pick<Clock, 'setTimer'>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    let forget: () => void = () => undefined;
    const cancel = clock.setTimer(ms, () => {
      forget();
      resolve();
    });
    if (signal) {
      forget = onAbort(signal, () => {
        cancel();
        reject(abortReason(signal));
      });
    }
  });
}

/** Real time. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimer(ms: number, callback: () => void): () => void {
    const handle = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(handle);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
  track<T>(work: Promise<T>): Promise<T> {
    return work;
  }
}

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/** Binary min-heap on (at, seq): timers due at the same instant fire in the order they were set. */
class TimerHeap {
  private items: Timer[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Timer | undefined {
    return this.items[0];
  }
  push(t: Timer): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      swap(a, i, p);
      i = p;
    }
  }
  pop(): Timer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        swap(a, i, m);
        i = m;
      }
    }
    return top;
  }
}

/**
 * Through a temporary, not `[a[i], a[j]] = [a[j], a[i]]`: V8 built that array literal on every
 * swap, and a 10,000-VM run swaps a few million times (a tenth of its garbage).
 */
function swap(a: Timer[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface VirtualClockOptions {
  /** Start time, epoch ms. @default 2026-01-01T00:00:00Z */
  start?: number;
  /**
   * Longest real time to hold virtual time still while tracked real work is outstanding and none
   * of it completes; past it time moves on anyway, so a request that hangs still meets its
   * (virtual) timeout. @default 250
   */
  maxRealWaitMs?: number;
}

/**
 * Virtual time. Nothing moves until the clock is driven: `runUntil(promise)` (or `start()`)
 * lets pending promises and I/O callbacks settle, then jumps to the next timer, and repeats.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new TimerHeap();
  private readonly cancelled = new Set<number>();
  private busy = 0;
  /** Waiting for the next tracked work to finish (`awaitTracked`). */
  private readonly trackedWaiters = new Set<() => void>();
  /** Tracked works finished so far: each completion restarts the real-time allowance. */
  private completed = 0;
  private readonly maxRealWaitMs: number;
  private wake: (() => void) | undefined;
  private running = false;
  /** Count of timers fired so far (for diagnostics and benchmarks). */
  fired = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.start ?? Date.UTC(2026, 0, 1);
    this.maxRealWaitMs = options.maxRealWaitMs ?? 250;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, callback: () => void): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.push(timer);
    this.wake?.();
    return () => {
      this.cancelled.add(timer.seq);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    const done = () => {
      this.busy--;
      this.completed++;
      for (const waiter of this.trackedWaiters) waiter();
      this.wake?.();
    };
    work.then(done, done);
    return work;
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.size - this.cancelled.size;
  }

  /**
   * Lets the work that the last timers released run to its next wait. Node drains every
   * microtask before the next macrotask, so one macrotask settles any promise chain; only
   * tracked real work (I/O) needs longer, bounded by maxRealWaitMs.
   */
  private async settle(): Promise<void> {
    await macrotask();
    if (this.busy > 0) await this.awaitTracked();
  }

  /** Holds virtual time still while tracked real work (I/O) is outstanding, up to the allowance. */
  private async awaitTracked(): Promise<void> {
    // The allowance is per piece of work: back-to-back requests that each answer in time keep
    // virtual time still, however long the exchange takes in all; one that hangs does not.
    let waitedSince = Date.now();
    let completed = this.completed;
    while (this.busy > 0) {
      const left = this.maxRealWaitMs - (Date.now() - waitedSince);
      if (left < 0) break;
      // Woken by the next completion rather than polling: a database or HTTPS answer in half a
      // millisecond holds virtual time still for half a millisecond, not for a timer's tick.
      await this.nextCompletion(left + 1);
      await macrotask();
      if (this.completed !== completed) {
        completed = this.completed;
        waitedSince = Date.now();
      }
    }
  }

  private nextCompletion(atMostMs: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.trackedWaiters.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, atMostMs);
      this.trackedWaiters.add(finish);
    });
  }

  /** The earliest timer not cancelled, dropping cancelled ones on the way. */
  private peekLive(): Timer | undefined {
    for (;;) {
      const next = this.timers.peek();
      if (!next || !this.cancelled.delete(next.seq)) return next;
      this.timers.pop();
    }
  }

  /**
   * Fires every timer due at the earliest pending instant (as real timers due in one tick fire
   * together); false if none is pending.
   */
  private fireNext(): boolean {
    let at: number | undefined;
    for (;;) {
      const next = this.peekLive();
      if (!next) return at !== undefined;
      if (at !== undefined && next.at !== at) return true;
      at = next.at;
      if (next.at > this.current) this.current = next.at;
      this.timers.pop();
      this.fired++;
      next.callback();
    }
  }

  /** Advances virtual time by `ms`, firing due timers on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await this.settle();
      const next = this.peekLive();
      if (!next || next.at > target) break;
      this.fireNext();
    }
    this.current = Math.max(this.current, target);
    await this.settle();
  }

  /**
   * Drives virtual time until `work` settles. If nothing is pending and `work` is still open
   * (e.g. waiting for a prompt answer), waits for outside activity instead of spinning.
   *
   * A loop of callbacks rather than of awaits: a 10,000-VM run turns it ~30,000 times, and
   * the promises an async loop allocates per turn were an eighth of the run's garbage.
   */
  runUntil<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const watched = work.finally(() => {
      settled = true;
      this.wake?.();
    });
    watched.catch(() => undefined);
    const afterSettling = (): void => {
      if (settled) return;
      if (this.fireNext()) {
        setImmediate(turn);
        return;
      }
      this.wake = () => {
        this.wake = undefined;
        setImmediate(turn);
      };
    };
    // One turn: a macrotask has passed (every promise chain the last timers released has run to
    // its next wait); tracked real work, if any, gets its allowance; then the next timers fire.
    const turn = (): void => {
      if (settled) return;
      if (this.busy > 0) void this.awaitTracked().then(afterSettling);
      else afterSettling();
    };
    setImmediate(turn);
    return watched;
  }

  /** Drives time in the background until `stop()` is called. */
  start(): { stop: () => void } {
    if (this.running) throw new DrError('DR_INTERNAL', 'VirtualClock is already running.');
    this.running = true;
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => {
      stop = () => {
        this.running = false;
        resolve();
      };
    });
    void this.runUntil(stopped);
    return { stop };
  }
}
