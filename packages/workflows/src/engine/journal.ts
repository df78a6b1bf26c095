import type { DeviceCommandResult, DocumentStore } from '@drctl/domain';

/**
 * The side-effect journal of a plan operation. XState restarts an in-flight step actor on
 * restore, so every step consults the journal first: finished → reuse the stored result;
 * started but not finished → reconcile with the real system; otherwise record, act, record.
 *
 * Entries are keyed by the plan's *operation* (a recovery attempt and its re-runs share one),
 * so re-running an incomplete recovery sees what the earlier run already finished.
 */
export type JournalEntry =
  | { t: 'cmd-start'; key: string; runId: string; attempt: number; at: string }
  | { t: 'cmd-end'; key: string; runId: string; result: DeviceCommandResult; status: string; at: string }
  | { t: 'step-end'; key: string; runId: string; status: string; at: string }
  | { t: 'vm'; key: string; vm: string; status: string; runId: string; at: string; fields?: Record<string, string> }
  | { t: 'effect'; key: string; runId: string; at: string }
  | { t: 'prompt'; key: string; runId: string; promptId: string; answer: string; answeredBy: string; at: string };

/**
 * Entries written together, as one log line. The run and the key most entries share are said
 * once (`runId`, `key`) and left out of the entries that share them, and so are an entry type and
 * status every entry has (`common`): a batch of 10,000 VM entries is otherwise mostly the same
 * few strings. (Batches written before carry them in every entry, and read the same.)
 */
interface Batch {
  t: 'batch';
  runId?: string;
  key?: string;
  /** Fields every entry of the batch has with the same value, left out of each. */
  common?: { t?: JournalEntry['t']; status?: string };
  entries: Array<Partial<JournalEntry>>;
  /** The run's workflow snapshot after the transition these entries led to (see `withSnapshot`). */
  snapshot?: unknown;
}

function packBatch(entries: readonly JournalEntry[], runId = entries[0]?.runId): Batch {
  // The key of the most entries: the step whose VMs the batch records.
  const counts = new Map<string, number>();
  let key = entries[0]?.key;
  for (const e of entries) {
    const n = (counts.get(e.key) ?? 0) + 1;
    counts.set(e.key, n);
    if (n > counts.get(key!)!) key = e.key;
  }
  const common = commonFields(entries);
  return {
    t: 'batch',
    ...(runId === undefined ? {} : { runId }),
    ...(key === undefined ? {} : { key }),
    ...(common ? { common } : {}),
    entries: entries.map((entry) => {
      const own: Record<string, unknown> = {};
      for (const field in entry) {
        const value = (entry as Record<string, unknown>)[field];
        const said =
          (field === 'runId' && value === runId) ||
          (field === 'key' && value === key) ||
          (field === 't' && common?.t !== undefined) ||
          (field === 'status' && common?.status !== undefined);
        if (!said) own[field] = value;
      }
      return own;
    }),
  };
}

/** The entry type and status all of several entries share, if any. */
function commonFields(entries: readonly JournalEntry[]): Batch['common'] {
  const first = entries[0];
  if (!first || entries.length < 2) return undefined;
  const statusOf = (e: JournalEntry) => ('status' in e ? e.status : undefined);
  const t = entries.every((e) => e.t === first.t) ? first.t : undefined;
  const status = statusOf(first);
  const sameStatus = status !== undefined && entries.every((e) => statusOf(e) === status);
  if (t === undefined && !sameStatus) return undefined;
  return { ...(t !== undefined ? { t } : {}), ...(sameStatus ? { status } : {}) };
}

function unpackBatch(batch: Batch): JournalEntry[] {
  const shared = {
    ...(batch.runId === undefined ? {} : { runId: batch.runId }),
    ...(batch.key === undefined ? {} : { key: batch.key }),
    ...batch.common,
  };
  return batch.entries.map((entry) => ({ ...shared, ...entry }) as JournalEntry);
}

export class Journal {
  private readonly commandEnds = new Map<string, Extract<JournalEntry, { t: 'cmd-end' }>>();
  private readonly commandStarts = new Map<string, number>();
  private readonly stepEnds = new Map<string, Extract<JournalEntry, { t: 'step-end' }>>();
  /** Per step key, per VM: two lookups rather than a joined key built for each of 10,000 VMs. */
  private readonly vmStatus = new Map<string, Map<string, Extract<JournalEntry, { t: 'vm' }>>>();
  private readonly effects = new Set<string>();
  private readonly prompts = new Map<string, Extract<JournalEntry, { t: 'prompt' }>>();
  private pending: JournalEntry[] = [];
  /** Per run, the last workflow snapshot journalled (see `withSnapshot`). */
  private readonly snapshots = new Map<string, unknown>();

  private constructor(
    private readonly store: DocumentStore,
    private readonly key: string,
  ) {}

  static async open(store: DocumentStore, key: string): Promise<Journal> {
    const journal = new Journal(store, key);
    for (const line of await store.readLog<JournalEntry | Batch>(key)) {
      if (line.t !== 'batch') journal.index(line);
      else {
        for (const entry of unpackBatch(line)) journal.index(entry);
        if (line.snapshot !== undefined && line.runId !== undefined) journal.snapshots.set(line.runId, line.snapshot);
      }
    }
    return journal;
  }

  private index(entry: JournalEntry): void {
    switch (entry.t) {
      case 'cmd-start':
        this.commandStarts.set(entry.key, Math.max(this.commandStarts.get(entry.key) ?? 0, entry.attempt));
        break;
      case 'cmd-end':
        this.commandEnds.set(entry.key, entry);
        break;
      case 'step-end':
        this.stepEnds.set(entry.key, entry);
        break;
      case 'vm':
        this.vmStatusOf(entry.key).set(entry.vm, entry);
        break;
      case 'effect':
        this.effects.add(entry.key);
        break;
      case 'prompt':
        this.prompts.set(entry.key, entry);
        break;
    }
  }

  /** Appends now, durably, before the caller acts. */
  async record(entry: JournalEntry): Promise<void> {
    await this.flush();
    this.index(entry);
    await this.store.append(this.key, entry);
  }

  /**
   * Records an entry that is cheap to reconstruct (per-VM progress: a VM's power state can be
   * asked again), written with the next durable record or flush: 10,000 VMs stay fast.
   */
  note(entry: JournalEntry): void {
    this.index(entry);
    this.pending.push(entry);
  }

  /**
   * Records an entry that must land with the workflow snapshot that follows it (a step's end):
   * `withSnapshot` writes both in one line, so a crash leaves both or neither. A durable `record`
   * or `flush` before then writes it on its own.
   */
  stage(entry: JournalEntry): void {
    this.note(entry);
  }

  /**
   * Takes what is waiting, with the run's workflow snapshot after a transition, as one line of
   * the journal; the returned function appends it (the caller keeps its transitions in order).
   * One line is one append and one fsync: a snapshot document beside the log took a transaction
   * (an intent, two renames, directory fsyncs) for every transition.
   */
  withSnapshot(runId: string, snapshot: unknown): () => Promise<void> {
    const entries = this.pending;
    this.pending = [];
    this.snapshots.set(runId, snapshot);
    const line: Batch = { ...packBatch(entries, runId), snapshot };
    return () => this.store.append(this.key, line);
  }

  /** The run's last journalled workflow snapshot; undefined for a run from before they were journalled. */
  snapshot(runId: string): unknown {
    return this.snapshots.get(runId);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    await this.store.append(this.key, packBatch(entries));
  }

  commandResult(key: string) {
    return this.commandEnds.get(key);
  }
  /** Whether any storage command was sent under a step (`<phase>/<step>`) in this operation. */
  sentUnder(stepKey: string): boolean {
    const prefix = `${stepKey}/`;
    for (const key of this.commandStarts.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }
  commandAttempts(key: string): number {
    return this.commandStarts.get(key) ?? 0;
  }
  stepStatus(key: string): string | undefined {
    return this.stepEnds.get(key)?.status;
  }
  stepEntry(key: string) {
    return this.stepEnds.get(key);
  }
  vm(stepKey: string, vm: string) {
    return this.vmStatus.get(stepKey)?.get(vm);
  }
  private vmStatusOf(stepKey: string) {
    let statuses = this.vmStatus.get(stepKey);
    if (!statuses) {
      statuses = new Map();
      this.vmStatus.set(stepKey, statuses);
    }
    return statuses;
  }
  hasEffect(key: string): boolean {
    return this.effects.has(key);
  }
  prompt(key: string) {
    return this.prompts.get(key);
  }
}
