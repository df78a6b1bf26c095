import type { RouteKind } from '../routes/route.js';

/** What kind of exchange a request was: a route's kind, or `unknown` for a path no route serves. */
export type RequestKind = RouteKind | 'unknown';

export interface RequestCount {
  method: string;
  /** The route's pattern (`StorageCenter/ScVolume/{id}/ReplayList`), or the raw path when unrouted. */
  pattern: string;
  kind: RequestKind;
  count: number;
}

export interface RequestFilter {
  method?: string;
  kind?: RequestKind;
  pattern?: string;
}

/**
 * Every HTTPS request the Data Collector received, answered or not — reads, lists, changes,
 * AsyncTask polls, logins — by method and route pattern, so a test or a benchmark can see how
 * many round trips a client needed (the call counters count only state changes that took effect).
 */
export class RequestTally {
  private readonly counts = new Map<string, RequestCount>();
  private all = 0;

  record(method: string, pattern: string, kind: RequestKind): void {
    this.all++;
    const key = `${method} ${pattern}`;
    const existing = this.counts.get(key);
    if (existing) existing.count++;
    else this.counts.set(key, { method, pattern, kind, count: 1 });
  }

  /** Requests received since the start (or the last reset). */
  get total(): number {
    return this.all;
  }

  /** Requests matching the filter (all fields optional, exact match). */
  count(filter: RequestFilter = {}): number {
    let total = 0;
    for (const entry of this.counts.values()) {
      if (filter.method !== undefined && entry.method !== filter.method.toUpperCase()) continue;
      if (filter.kind !== undefined && entry.kind !== filter.kind) continue;
      if (filter.pattern !== undefined && entry.pattern !== filter.pattern) continue;
      total += entry.count;
    }
    return total;
  }

  /** Every method and pattern seen, most requested first. */
  list(): RequestCount[] {
    return [...this.counts.values()].map((c) => ({ ...c })).sort((a, b) => b.count - a.count);
  }

  private readonly changesBySession = new Map<string, number>();
  private changesNow = 0;
  private changesPeak = 0;
  private sessionsPeak = 0;

  /**
   * A state-changing request (route kind `change`) arrived from a session (a logged-in client);
   * the function returned says it was answered. Gives the peak of such requests being served at
   * once and the peak of distinct sessions doing so: several engines sharing a limit of one
   * command in flight never make the second exceed one.
   */
  changeStarted(session: string): () => void {
    this.changesNow++;
    this.changesBySession.set(session, (this.changesBySession.get(session) ?? 0) + 1);
    this.changesPeak = Math.max(this.changesPeak, this.changesNow);
    this.sessionsPeak = Math.max(this.sessionsPeak, this.changesBySession.size);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.changesNow--;
      const left = (this.changesBySession.get(session) ?? 1) - 1;
      if (left === 0) this.changesBySession.delete(session);
      else this.changesBySession.set(session, left);
    };
  }

  /** Peaks of state-changing requests in flight: all of them, and distinct sessions sending them. */
  get changesInFlight(): { now: number; peak: number; peakSessions: number } {
    return { now: this.changesNow, peak: this.changesPeak, peakSessions: this.sessionsPeak };
  }

  reset(): void {
    this.changesPeak = this.changesNow;
    this.sessionsPeak = this.changesBySession.size;
    this.counts.clear();
    this.all = 0;
  }
}
