/**
 * Faults injected on demand. A request fault matches by method and path (relative to
 * `/api/rest/`: a string with `*` wildcards, compared case-insensitively, or a RegExp) and can be
 * limited to the next N matching calls. Latency adds up across matching faults; of the other
 * kinds the oldest matching one applies.
 */
export type AsyncUrlVariant = 'no-id' | 'blank' | 'absent' | 'xml';

export type FaultKind =
  /** Delay the answer by `ms` (real time: the client is waiting on the network). */
  | { kind: 'latency'; ms: number }
  /** Never answer; the connection stays open until the client gives up. */
  | { kind: 'hang' }
  /** 500 with a JSON `result`. */
  | { kind: 'server-error'; message?: string }
  /** 400 whose body contains "Unhandled Exception" (Cinder retries GETs on it). */
  | { kind: 'unhandled-exception' }
  /** Reset the TCP connection (ECONNRESET at the client). */
  | { kind: 'connection-reset' }
  /** The session expires: this request gets 401 and the client must log in again. */
  | { kind: 'session-expiry' }
  /** An async call's AsyncTask carries a bad `returnValue` (dsm-rest.md §1.6). */
  | { kind: 'malformed-async-url'; variant: AsyncUrlVariant };

export interface FaultMatch {
  /** HTTP method; any when absent. */
  method?: string;
  /** Path after `/api/rest/`; any when absent. */
  path?: string | RegExp;
  /** Only the next N matching calls; unlimited when absent. */
  times?: number;
  /**
   * For hang, server-error, unhandled-exception and connection-reset: `after` lets the call take
   * effect first and then fails the answer, the case where a client cannot know whether its
   * action happened. @default "before"
   */
  when?: 'before' | 'after';
}

export type FaultSpec = FaultKind & FaultMatch;

export interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** Requests this fault has applied to so far. */
  readonly hits: number;
  /** Calls still to match, or undefined for unlimited. */
  readonly remaining: number | undefined;
}

export interface FaultDecision {
  latencyMs: number;
  /** The terminal fault for this request, if any. */
  terminal?: FaultSpec;
}

interface Entry {
  id: number;
  spec: FaultSpec;
  hits: number;
  remaining: number | undefined;
  pattern?: RegExp;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/^\/+/, '')
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

export class FaultTable {
  private entries: Entry[] = [];
  private nextId = 1;

  add(spec: FaultSpec): ActiveFault {
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new RangeError('A fault\'s "times" must be a whole number of at least 1.');
    }
    if (spec.kind === 'latency' && !(spec.ms >= 0)) throw new RangeError('A latency fault needs "ms" of 0 or more.');
    const pattern =
      spec.path === undefined ? undefined : typeof spec.path === 'string' ? globToRegExp(spec.path) : spec.path;
    const entry: Entry = { id: this.nextId++, spec, hits: 0, remaining: spec.times, ...(pattern ? { pattern } : {}) };
    this.entries.push(entry);
    return this.view(entry);
  }

  remove(id: number): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.id !== id);
    return this.entries.length < before;
  }

  clear(): void {
    this.entries = [];
  }

  list(): ActiveFault[] {
    return this.entries.map((e) => this.view(e));
  }

  get(id: number): ActiveFault | undefined {
    const entry = this.entries.find((e) => e.id === id);
    return entry ? this.view(entry) : undefined;
  }

  /** Decides the faults for one request and uses up their counts. */
  take(method: string, path: string, isAsyncCall: boolean): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const entry of [...this.entries]) {
      if (!this.matches(entry, method, path)) continue;
      if (entry.spec.kind === 'malformed-async-url' && !isAsyncCall) continue;
      if (entry.spec.kind === 'latency') {
        decision.latencyMs += entry.spec.ms;
      } else if (decision.terminal) {
        continue;
      } else {
        decision.terminal = entry.spec;
      }
      this.use(entry);
    }
    return decision;
  }

  private matches(entry: Entry, method: string, path: string): boolean {
    if (entry.spec.method && entry.spec.method.toUpperCase() !== method.toUpperCase()) return false;
    if (entry.pattern) {
      entry.pattern.lastIndex = 0;
      if (!entry.pattern.test(path)) return false;
    }
    return true;
  }

  private use(entry: Entry): void {
    entry.hits++;
    if (entry.remaining !== undefined) {
      entry.remaining--;
      if (entry.remaining <= 0) this.entries = this.entries.filter((e) => e !== entry);
    }
  }

  private view(entry: Entry): ActiveFault {
    return { id: entry.id, spec: entry.spec, hits: entry.hits, remaining: entry.remaining };
  }
}
