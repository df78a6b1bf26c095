import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DrError, type DocumentStore, type StoreOperation } from '@drctl/domain';
import {
  appendLine,
  fsyncDirectory,
  pruneEmptyDirectories,
  truncateTornTail,
  unlinkQuietly,
  writeFileAtomic,
  type FsyncPolicy,
} from './durable-fs.js';
import { acquireFileLock, type LockOptions } from './file-lock.js';
import { commitTransaction, recoverTransactions, type FileOperation } from './file-transaction.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { parseJsonLines } from './json-lines.js';
import { childKey, keySegments, normalizePrefix } from './keys.js';

export interface FileStoreOptions {
  /**
   * 'always' (default): every `write` and `append` is flushed to disk (fsync) before it resolves,
   * so it survives a power loss, at a cost of roughly a third of a millisecond per call on a
   * virtual disk. 'never': data reaches the kernel before the call resolves, which survives the
   * process being killed but not the machine going down; for simulations and benchmarks.
   */
  fsync?: FsyncPolicy;
}

const DOCUMENT_SUFFIX = '.json';
const LOG_SUFFIX = '.jsonl';
const LOCK_DIRECTORY = '.locks';
/** How long an update waits for another process's update of the same key (they take milliseconds). */
const UPDATE_LOCK_WAIT_MS = 60_000;

function ioError(action: string, key: string, error: unknown): DrError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new DrError('DR_INTERNAL', `Cannot ${action} store key ${key} (${reason}).`, {
    cause: error,
    details: { key },
  });
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The default, embedded store: one file per key below a root folder. `runs/r1/snapshot` is the
 * document `runs/r1/snapshot.json`; a log under the same key is `runs/r1/snapshot.jsonl`.
 * All file work is synchronous (see durable-fs.ts for why).
 */
export class FileStore implements DocumentStore {
  readonly rootDir: string;
  private readonly fsync: FsyncPolicy;
  /** Logs whose tail was checked for a torn line since this store opened them. */
  private readonly checkedLogs = new Set<string>();

  constructor(rootDir: string, options: FileStoreOptions = {}) {
    if (typeof rootDir !== 'string' || rootDir === '') {
      throw new DrError('DR_INPUT_INVALID', 'FileStore needs a root folder.', {
        issues: [{ path: 'rootDir', message: 'expected a folder path' }],
      });
    }
    if (options.fsync !== undefined && options.fsync !== 'always' && options.fsync !== 'never') {
      throw new DrError('DR_INPUT_INVALID', `FileStore fsync must be always or never, got ${String(options.fsync)}.`, {
        issues: [{ path: 'fsync', message: 'expected always or never' }],
      });
    }
    this.rootDir = resolve(rootDir);
    this.fsync = options.fsync ?? 'always';
  }

  private pathOf(key: string, suffix = ''): string {
    const segments = keySegments(key);
    segments[segments.length - 1] += suffix;
    return join(this.rootDir, ...segments);
  }

  async read<T = unknown>(key: string): Promise<T | undefined> {
    const path = this.pathOf(key, DOCUMENT_SUFFIX);
    this.recover();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw ioError('read', key, error);
    }
    return decodeJson<T>(key, text, path);
  }

  async write(key: string, value: unknown): Promise<void> {
    const path = this.pathOf(key, DOCUMENT_SUFFIX);
    this.writeText(key, path, encodeJson(key, value));
  }

  async writeJson(key: string, json: string): Promise<void> {
    this.writeText(key, this.pathOf(key, DOCUMENT_SUFFIX), json);
  }

  private writeText(key: string, path: string, text: string): void {
    try {
      writeFileAtomic(path, text, this.fsync);
    } catch (error) {
      throw ioError('write', key, error);
    }
  }

  async append(key: string, entry: unknown): Promise<void> {
    const path = this.pathOf(key, LOG_SUFFIX);
    const line = `${encodeJson(key, entry)}\n`;
    try {
      // A torn line can only come from a crash, i.e. before this store instance existed.
      if (!this.checkedLogs.has(key)) {
        truncateTornTail(path);
        this.checkedLogs.add(key);
      }
      appendLine(path, line, this.fsync);
    } catch (error) {
      // A failed write (e.g. disk full) may itself have left a partial line: check again next time.
      this.checkedLogs.delete(key);
      throw ioError('append to', key, error);
    }
  }

  /**
   * Documents and log entries as one (see file-transaction.ts): a crash inside leaves an intent
   * that the next read of this folder, by any process, completes.
   */
  async writeAll(operations: readonly StoreOperation[]): Promise<void> {
    const files: FileOperation[] = operations.map((o) =>
      o.op === 'write'
        ? { op: 'write', path: this.pathOf(o.key, DOCUMENT_SUFFIX), text: encodeJson(o.key, o.value) }
        : { op: 'append', path: this.pathOf(o.key, LOG_SUFFIX), text: `${encodeJson(o.key, o.entry)}\n` },
    );
    try {
      commitTransaction(this.rootDir, files, this.fsync);
    } catch (error) {
      throw ioError('write together', operations.map((o) => o.key).join(', '), error);
    }
  }

  /** Completes the `writeAll`s a killed process left half done, before anything is read. */
  private recover(): void {
    try {
      recoverTransactions(this.rootDir, this.fsync);
    } catch (error) {
      throw ioError('complete an interrupted write in', this.rootDir, error);
    }
  }

  async readLog<T = unknown>(key: string): Promise<T[]> {
    const path = this.pathOf(key, LOG_SUFFIX);
    this.recover();
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return [];
      throw ioError('read log', key, error);
    }
    return parseJsonLines<T>(key, text);
  }

  async list(prefix: string): Promise<string[]> {
    const folder = normalizePrefix(prefix);
    const dir = folder === '' ? this.rootDir : join(this.rootDir, ...folder.split('/'));
    this.recover();
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw ioError('list', folder, error);
    }
    const names = new Set<string>();
    for (const entry of entries) {
      // Dot-names are the store's own: temp files, moved-aside locks, the lock folder.
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) names.add(entry.name);
      else if (entry.name.endsWith(LOG_SUFFIX)) names.add(entry.name.slice(0, -LOG_SUFFIX.length));
      else if (entry.name.endsWith(DOCUMENT_SUFFIX)) names.add(entry.name.slice(0, -DOCUMENT_SUFFIX.length));
    }
    return [...names].sort().map((name) => childKey(folder, name));
  }

  /** Removes the document, the log and everything below `key/`. Deleting a missing key is a no-op. */
  async delete(key: string): Promise<void> {
    const base = this.pathOf(key);
    try {
      unlinkQuietly(base + DOCUMENT_SUFFIX);
      unlinkQuietly(base + LOG_SUFFIX);
      rmSync(base, { recursive: true, force: true });
      pruneEmptyDirectories(dirname(base), this.rootDir);
      if (this.fsync === 'always') fsyncDirectory(dirname(base));
    } catch (error) {
      throw ioError('delete', key, error);
    }
    for (const checked of this.checkedLogs) {
      if (checked === key || checked.startsWith(`${key}/`)) this.checkedLogs.delete(checked);
    }
  }

  /** In-process queue of updates per key, so this process never polls its own update lock. */
  private readonly updates = new Map<string, Promise<unknown>>();

  /**
   * Atomic read-modify-write (see DocumentStore.update): updates of a key queue in this process,
   * and across processes take the key's lock file `.locks/updates/<key>.lock` (waited on; a
   * holder that died is taken over), then read, change and write atomically.
   */
  async update<T = unknown>(key: string, change: (current: T | undefined) => T | Promise<T>): Promise<T> {
    keySegments(key, 'key');
    const previous = this.updates.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const release = await this.lock(`updates/${key}`, { waitMs: UPDATE_LOCK_WAIT_MS, pollMs: 10 });
        try {
          const value = await change(await this.read<T>(key));
          await this.write(key, value);
          return value;
        } finally {
          await release();
        }
      });
    this.updates.set(key, next);
    try {
      return await next;
    } finally {
      if (this.updates.get(key) === next) this.updates.delete(key);
    }
  }

  /**
   * Cross-process exclusive lock (e.g. `plans/<plan>`), held in `<root>/.locks/<name>.lock` with
   * the holder's pid. A lock whose process is gone is stale and is taken over. Throws
   * DrError(DR_OPERATION_REFUSED) naming the holder when another live process has it.
   */
  async lock(name: string, options: LockOptions = {}): Promise<() => Promise<void>> {
    const segments = keySegments(name, 'lock name');
    segments[segments.length - 1] += '.lock';
    return acquireFileLock(join(this.rootDir, LOCK_DIRECTORY, ...segments), name, options);
  }
}
