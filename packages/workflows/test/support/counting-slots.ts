import type { SharedSlots } from '@drctl/domain';

/** A store that counts what it is asked and checks its own limit, as every store must. */
export class CountingStore implements SharedSlots {
  held = new Map<string, number>();
  peak = 0;
  taken = 0;
  given = 0;
  private readonly queue: Array<() => void> = [];

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const count = this.held.get(name) ?? 0;
      if (count < limit) {
        this.held.set(name, count + 1);
        this.peak = Math.max(this.peak, count + 1);
        this.taken++;
        let back = false;
        return async () => {
          if (back) return;
          back = true;
          this.given++;
          this.held.set(name, (this.held.get(name) ?? 1) - 1);
          this.queue.splice(0).forEach((wake) => wake());
        };
      }
      await new Promise<void>((resolve) => {
        this.queue.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }
}

/** The same store, also able to tell at once whether a slot is free (as the state folder's can). */
export class ImmediateCountingStore extends CountingStore {
  asked = 0;

  tryAcquire(name: string, limit: number): (() => Promise<void>) | undefined {
    this.asked++;
    if ((this.held.get(name) ?? 0) >= limit) return undefined;
    let release: (() => Promise<void>) | undefined;
    // Free now: the counting store's acquire takes it without waiting.
    void this.acquire(name, limit).then((r) => (release = r));
    return async () => {
      await Promise.resolve();
      await release?.();
    };
  }
}
