import { describe, expect, it } from '@jest/globals';
import { VirtualClock } from '../src/index.js';

describe('VirtualClock', () => {
  it('jumps to each timer in order, same-instant timers in the order they were set', async () => {
    const clock = new VirtualClock({ start: 0 });
    const seen: string[] = [];
    clock.setTimer(300, () => seen.push('c'));
    clock.setTimer(100, () => seen.push('a'));
    clock.setTimer(100, () => seen.push('b'));
    await clock.runUntil(clock.sleep(1000));
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(1000);
  });

  it('runs hours of sleeps in milliseconds of real time', async () => {
    const clock = new VirtualClock({ start: 0 });
    const started = Date.now();
    const work = (async () => {
      for (let i = 0; i < 3600; i++) await clock.sleep(1000);
    })();
    await clock.runUntil(work);
    expect(clock.now()).toBe(3_600_000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects a sleep when its signal aborts, and cancelled timers never fire', async () => {
    const clock = new VirtualClock({ start: 0 });
    const controller = new AbortController();
    let fired = false;
    const cancel = clock.setTimer(50, () => (fired = true));
    cancel();
    const sleeping = clock.sleep(10_000, controller.signal);
    clock.setTimer(20, () => controller.abort(new Error('stop')));
    await expect(clock.runUntil(sleeping)).rejects.toThrow('stop');
    expect(fired).toBe(false);
    expect(clock.now()).toBe(20);
  });

  it('holds still while tracked real work is outstanding', async () => {
    const clock = new VirtualClock({ start: 0 });
    const order: string[] = [];
    clock.setTimer(10, () => order.push('timer'));
    const real = clock.track(new Promise<void>((resolve) => setTimeout(() => (order.push('real'), resolve()), 30)));
    await clock.runUntil(Promise.all([real, clock.sleep(20)]));
    expect(order).toEqual(['real', 'timer']);
  });

  it('waits for outside activity instead of spinning when nothing is pending', async () => {
    const clock = new VirtualClock({ start: 0 });
    let answer!: (v: string) => void;
    const prompt = new Promise<string>((resolve) => (answer = resolve));
    setTimeout(() => answer('yes'), 20);
    await expect(clock.runUntil(prompt)).resolves.toBe('yes');
    expect(clock.now()).toBe(0);
  });
});

describe('VirtualClock.advance', () => {
  it('fires only the timers due within the advance, skipping cancelled ones', async () => {
    const clock = new VirtualClock({ start: 0 });
    const seen: number[] = [];
    const cancel = clock.setTimer(50, () => seen.push(50));
    clock.setTimer(150, () => seen.push(150));
    cancel();
    await clock.advance(100);
    expect(seen).toEqual([]);
    expect(clock.now()).toBe(100);
    await clock.advance(100);
    expect(seen).toEqual([150]);
  });
});

describe('sleeps sharing one signal', () => {
  it('all reject when it aborts, and one that finished is not touched', async () => {
    const clock = new VirtualClock({ start: 0 });
    const controller = new AbortController();
    const early = clock.sleep(10, controller.signal);
    const sleeps = Array.from({ length: 5000 }, (_, i) => clock.sleep(1000 + i, controller.signal));
    clock.setTimer(500, () => controller.abort(new Error('cancelled')));
    await clock.runUntil(early);
    const settled = await clock.runUntil(Promise.allSettled(sleeps));
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'cancelled')).toBe(true);
    expect(clock.now()).toBe(500);
  });
});

describe('tracked real work', () => {
  it('holds virtual time through a chain of exchanges longer than the allowance in all', async () => {
    const clock = new VirtualClock({ start: 0, maxRealWaitMs: 60 });
    const fired: number[] = [];
    clock.setTimer(1000, () => fired.push(clock.now()));
    // Eight requests of ~25 ms one after another: 200 ms in all, each well within 60 ms.
    const exchange = (async () => {
      for (let i = 0; i < 8; i++) await clock.track(new Promise((resolve) => setTimeout(resolve, 25)));
      return clock.now();
    })();
    const finishedAt = await clock.runUntil(exchange);
    expect(finishedAt).toBe(0);
    expect(fired).toEqual([]);
  });

  it('lets time move on past a request that hangs', async () => {
    const clock = new VirtualClock({ start: 0, maxRealWaitMs: 30 });
    void clock.track(new Promise(() => undefined));
    await clock.runUntil(clock.sleep(5000));
    expect(clock.now()).toBe(5000);
  });
});
