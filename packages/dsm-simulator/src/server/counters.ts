/**
 * Counts every state-changing call that took effect (answered 2xx, or ran before a fault cut the
 * answer), keyed by method, resource, action and object, so a test can prove a crash and resume
 * repeated nothing. Creates count under a natural key of what they create (the new volume's
 * name, the replication's source volume and destination SC), so creating the same thing twice
 * shows as a count of 2.
 */
export interface CallKey {
  method: string;
  /** DSM object type, e.g. `ScVolume`. */
  resource: string;
  /** Action segment such as `CreateReplay`, or empty for a plain create/modify/delete. */
  action: string;
  /** instanceId acted on, or the natural key of a created object. */
  object: string;
}

export interface CallCount extends CallKey {
  count: number;
}

export interface CallFilter {
  method?: string;
  resource?: string;
  action?: string;
  object?: string;
}

const keyText = (key: CallKey) => `${key.method} ${key.resource}/${key.action} ${key.object}`;

export class CallCounters {
  private readonly counts = new Map<string, CallCount>();

  record(key: CallKey): void {
    const text = keyText(key);
    const existing = this.counts.get(text);
    if (existing) existing.count++;
    else this.counts.set(text, { ...key, count: 1 });
  }

  /** Every key counted, in first-seen order. */
  list(): CallCount[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  /** Sum of counts matching the filter (all fields optional, exact match). */
  count(filter: CallFilter = {}): number {
    let total = 0;
    for (const entry of this.counts.values()) if (matches(entry, filter)) total += entry.count;
    return total;
  }

  /** Keys counted more than once: what a crash-and-resume test expects to be empty. */
  repeated(): CallCount[] {
    return this.list().filter((c) => c.count > 1);
  }

  reset(): void {
    this.counts.clear();
  }

  /** Replaces the counts with saved ones (`list()` of an earlier run), so counting continues across restarts. */
  load(saved: readonly CallCount[]): void {
    this.counts.clear();
    for (const entry of saved)
      this.counts.set(keyText(entry), {
        method: entry.method,
        resource: entry.resource,
        action: entry.action,
        object: entry.object,
        count: entry.count,
      });
  }
}

function matches(entry: CallKey, filter: CallFilter): boolean {
  return (
    (filter.method === undefined || entry.method === filter.method.toUpperCase()) &&
    (filter.resource === undefined || entry.resource === filter.resource) &&
    (filter.action === undefined || entry.action === filter.action) &&
    (filter.object === undefined || entry.object === filter.object)
  );
}
