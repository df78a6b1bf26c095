import type { Clock } from '@drctl/domain';

/**
 * A clock whose timers fire only when the test says so: lets a test stop a real process "after
 * its timeout" at the exact moment it chooses, without waiting the timeout out in real time.
 */
export class ManualClock implements Clock {
  private timers: Array<{ ms: number; callback: () => void; cancelled: boolean }> = [];
  private current = Date.UTC(2026, 0, 1);

  now(): number {
    return this.current;
  }

  setTimer(ms: number, callback: () => void): () => void {
    const timer = { ms, callback, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => this.setTimer(ms, resolve));
  }

  track<T>(work: Promise<T>): Promise<T> {
    return work;
  }

  /** Durations of the timers still pending, in the order they were set. */
  pending(): number[] {
    return this.timers.filter((t) => !t.cancelled).map((t) => t.ms);
  }

  /** Fires the pending timers, earliest first. */
  fireAll(): void {
    const due = this.timers.filter((t) => !t.cancelled).sort((a, b) => a.ms - b.ms);
    this.timers = [];
    for (const t of due) {
      this.current += t.ms;
      t.callback();
    }
  }
}

/** Polls `check` in real time until it is true (or fails after `timeoutMs`). */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
