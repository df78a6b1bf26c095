/**
 * The store port: durable documents and append-only logs under string keys such as
 * `runs/<runId>/snapshot` or `plans/<plan>`. The file store is the default; a memory store serves
 * tests and benchmarks. `write` replaces atomically; `append` adds one entry durably before it
 * resolves, so a journal entry written before a side effect survives a crash.
 */
export interface DocumentStore {
  /** The document under a key, or undefined when there is none. */
  read<T = unknown>(key: string): Promise<T | undefined>;
  /** Replaces the document atomically: a reader sees the old or the new one, never a mix. */
  write(key: string, value: unknown): Promise<void>;
  /**
   * `write` for a value the caller has already encoded as JSON text (`JSON.stringify` of it), so
   * a large document is not encoded twice. Optional: without it, callers use `write`.
   */
  writeJson?(key: string, json: string): Promise<void>;
  /** Adds one entry to a log; durable once the promise resolves. */
  append(key: string, entry: unknown): Promise<void>;
  /** Every entry of a log in append order (a torn last entry after a crash is dropped). */
  readLog<T = unknown>(key: string): Promise<T[]>;
  /** Keys directly below a prefix (`runs/` → `runs/a`, `runs/b`), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes a document or log; removing what is not there is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Atomic read-modify-write of one document, for state several processes (or engines) share:
   * `change` receives the stored value (undefined when missing) and returns the value to store,
   * which `update` resolves with. No other `update` of the same key — in this process or in any
   * other sharing the store — runs between the read and the write, and a process killed inside
   * leaves the previous value. `change` may also read and write other documents that only
   * `update`s of this key write (a small revision document guarding a large one); it must not
   * call `update` on the same key. A change that throws writes nothing; the error is rethrown.
   * (PostgreSQL: `SELECT … FOR UPDATE` on the key's row in one transaction.)
   */
  update<T = unknown>(key: string, change: (current: T | undefined) => T | Promise<T>): Promise<T>;
  /** Cross-process exclusive lock on a name; resolves with a release function. */
  lock?(name: string): Promise<() => Promise<void>>;
  /**
   * Writes documents and appends log entries as one: after a crash either all of them are there
   * or none (a step's journal entry with the workflow snapshot that follows it). Stores without
   * it get the operations one by one, in order (`writeTogether`).
   */
  writeAll?(operations: readonly StoreOperation[]): Promise<void>;
}

/** One operation of `DocumentStore.writeAll`. */
export type StoreOperation =
  { op: 'write'; key: string; value: unknown } | { op: 'append'; key: string; entry: unknown };

/** `store.writeAll(operations)` where the store has it, else each operation in order. */
export async function writeTogether(store: DocumentStore, operations: readonly StoreOperation[]): Promise<void> {
  if (operations.length === 0) return;
  if (store.writeAll) return store.writeAll(operations);
  for (const o of operations) {
    if (o.op === 'write') await store.write(o.key, o.value);
    else await store.append(o.key, o.entry);
  }
}
