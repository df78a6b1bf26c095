import { abortReason, onAbort, type Clock } from '@drctl/domain';
import type { VimClient } from '../soap/client.js';
import { VimFault } from '../soap/faults.js';
import { readObjects, refKey } from './properties.js';
import type { MoRef, XmlNode } from '../soap/xml.js';

interface Waiter {
  ref: MoRef;
  paths: readonly string[];
  test: (props: Map<string, XmlNode>) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface PropertyWatchOptions {
  client: VimClient;
  clock: Clock;
  /** Between two reads while anything is watched. @default 1000 */
  intervalMs: number;
  /** Objects per RetrievePropertiesEx. @default 500 */
  batchSize: number;
}

/**
 * Watches tasks and VMs of one vCenter with a few property-collector reads per interval for
 * everything being waited on (objects batched per call), never a poll per object, and never one
 * big WaitForUpdatesEx filter (whose cost grows with updates × objects). The first read comes at
 * once, so a task that is already finished costs one call.
 */
export class PropertyWatch {
  private readonly waiters = new Set<Waiter>();
  private scheduled: (() => void) | undefined;
  private reading = false;
  readonly stats = { reads: 0 };

  constructor(private readonly options: PropertyWatchOptions) {}

  /** Resolves with the first non-undefined `test(props)`; reads `paths` of `ref` until then. */
  until<T>(
    ref: MoRef,
    paths: readonly string[],
    test: (props: Map<string, XmlNode>) => T | undefined,
    signal: AbortSignal,
  ): Promise<T> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        ref,
        paths,
        test,
        resolve: (value) => {
          forget();
          resolve(value as T);
        },
        reject: (error) => {
          forget();
          reject(error);
        },
      };
      // One listener on the run's signal for every VM waiting under it (see onAbort).
      const forget = onAbort(signal, () => {
        this.waiters.delete(waiter);
        reject(abortReason(signal));
      });
      this.waiters.add(waiter);
      this.schedule(0);
    });
  }

  /** One read of `paths` (coalesced with every other read due now). */
  read(ref: MoRef, paths: readonly string[], signal: AbortSignal): Promise<Map<string, XmlNode>> {
    return this.until(ref, paths, (props) => props, signal);
  }

  private schedule(ms: number): void {
    if (this.scheduled || this.reading) return;
    this.scheduled = this.options.clock.setTimer(ms, () => {
      this.scheduled = undefined;
      void this.readAll();
    });
  }

  private async readAll(): Promise<void> {
    this.reading = true;
    const pending = [...this.waiters];
    try {
      for (let i = 0; i < pending.length; i += this.options.batchSize) {
        await this.readBatch(pending.slice(i, i + this.options.batchSize));
      }
    } finally {
      this.reading = false;
      if (this.waiters.size > 0) this.schedule(this.options.intervalMs);
    }
  }

  private async readBatch(batch: Waiter[]): Promise<void> {
    const objects = new Map<string, MoRef>();
    const pathsByType: Record<string, Set<string>> = {};
    for (const w of batch) {
      objects.set(refKey(w.ref), w.ref);
      const set = (pathsByType[w.ref.type] ??= new Set());
      for (const p of w.paths) set.add(p);
    }
    let results;
    try {
      this.stats.reads++;
      results = await readObjects(
        this.options.client,
        [...objects.values()],
        Object.fromEntries(Object.entries(pathsByType).map(([t, s]) => [t, [...s]])),
        AbortSignal.timeout(120_000),
      );
    } catch (error) {
      // An object that is gone fails the whole read: fail its waiters, read the others again.
      const gone = error instanceof VimFault && error.faultType === 'ManagedObjectNotFound';
      for (const w of batch) {
        if (!gone || batch.length === 1) {
          this.waiters.delete(w);
          w.reject(error);
        }
      }
      if (gone && batch.length > 1) {
        for (const w of batch) {
          try {
            await this.readBatch([w]);
          } catch {
            // rejected inside
          }
        }
      }
      return;
    }
    const byRef = new Map(results.map((r) => [refKey(r.ref), r.props]));
    for (const w of batch) {
      if (!this.waiters.has(w)) continue;
      const props = byRef.get(refKey(w.ref)) ?? new Map<string, XmlNode>();
      let value: unknown;
      try {
        value = w.test(props);
      } catch (error) {
        this.waiters.delete(w);
        w.reject(error);
        continue;
      }
      if (value !== undefined) {
        this.waiters.delete(w);
        w.resolve(value);
      }
    }
  }

  close(): void {
    this.scheduled?.();
    this.scheduled = undefined;
  }
}
