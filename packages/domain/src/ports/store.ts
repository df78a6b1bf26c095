/**
 * The store port: durable documents and append-only logs under string keys such as
 * `runs/<runId>/snapshot` or `plans/<plan>`. The file store is the default; a memory store serves
 * tests and benchmarks. `write` replaces atomically; `append` adds one entry durably before it
 * resolves, so a journal entry written before a side effect survives a crash.
 */
export interface DocumentStore {
  read<T = unknown>(key: string): Promise<T | undefined>;
  write(key: string, value: unknown): Promise<void>;
  append(key: string, entry: unknown): Promise<void>;
  readLog<T = unknown>(key: string): Promise<T[]>;
  /** Keys directly below a prefix (`runs/` → `runs/a`, `runs/b`), sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Cross-process exclusive lock on a name; resolves with a release function. */
  lock?(name: string): Promise<() => Promise<void>>;
}
