import { DrError, type DocumentStore, type StoreOperation } from '@drctl/domain';
import type { LockOptions } from './file-lock.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { childKey, keySegments, normalizePrefix, validateKey } from './keys.js';

/**
 * The same contract as FileStore, in memory: for tests, simulations and benchmarks. Values are
 * kept as JSON text, so what a caller reads back is a fresh copy with exactly the shape the file
 * store would give (no shared references, no Dates or Maps surviving in memory only).
 * Locks are exclusive within this store instance (one process).
 */
export class MemoryStore implements DocumentStore {
  private readonly documents = new Map<string, string>();
  private readonly logs = new Map<string, string[]>();
  private readonly locks = new Map<string, symbol>();
  private readonly lockWaiters = new Map<string, Array<() => void>>();

  async read<T = unknown>(key: string): Promise<T | undefined> {
    validateKey(key);
    const text = this.documents.get(key);
    return text === undefined ? undefined : decodeJson<T>(key, text, 'memory');
  }

  async write(key: string, value: unknown): Promise<void> {
    validateKey(key);
    this.documents.set(key, encodeJson(key, value));
  }

  async writeJson(key: string, json: string): Promise<void> {
    validateKey(key);
    this.documents.set(key, json);
  }

  async append(key: string, entry: unknown): Promise<void> {
    validateKey(key);
    const line = encodeJson(key, entry);
    const log = this.logs.get(key);
    if (log) log.push(line);
    else this.logs.set(key, [line]);
  }

  /** All or nothing: every value is encoded (and may be refused) before anything changes. */
  async writeAll(operations: readonly StoreOperation[]): Promise<void> {
    const encoded = operations.map((o) => {
      validateKey(o.key);
      return { op: o.op, key: o.key, text: encodeJson(o.key, o.op === 'write' ? o.value : o.entry) };
    });
    for (const o of encoded) {
      if (o.op === 'write') this.documents.set(o.key, o.text);
      else this.logs.set(o.key, [...(this.logs.get(o.key) ?? []), o.text]);
    }
  }

  async readLog<T = unknown>(key: string): Promise<T[]> {
    validateKey(key);
    return (this.logs.get(key) ?? []).map((line) => decodeJson<T>(key, line, 'memory log'));
  }

  async list(prefix: string): Promise<string[]> {
    const folder = normalizePrefix(prefix);
    const start = folder === '' ? '' : `${folder}/`;
    const names = new Set<string>();
    for (const key of [...this.documents.keys(), ...this.logs.keys()]) {
      if (!key.startsWith(start)) continue;
      const rest = key.slice(start.length);
      const slash = rest.indexOf('/');
      names.add(slash < 0 ? rest : rest.slice(0, slash));
    }
    return [...names].sort().map((name) => childKey(folder, name));
  }

  /** Removes the document, the log and everything below `key/`. Deleting a missing key is a no-op. */
  async delete(key: string): Promise<void> {
    validateKey(key);
    const below = `${key}/`;
    for (const map of [this.documents, this.logs] as Map<string, unknown>[]) {
      for (const k of [...map.keys()]) if (k === key || k.startsWith(below)) map.delete(k);
    }
  }

  /** Updates of one key run one after another (a promise chain per key). */
  private readonly updates = new Map<string, Promise<unknown>>();

  async update<T = unknown>(key: string, change: (current: T | undefined) => T | Promise<T>): Promise<T> {
    keySegments(key, 'key');
    const previous = this.updates.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const value = await change(await this.read<T>(key));
        await this.write(key, value);
        return value;
      });
    this.updates.set(key, next);
    try {
      return await next;
    } finally {
      if (this.updates.get(key) === next) this.updates.delete(key);
    }
  }

  async lock(name: string, options: LockOptions = {}): Promise<() => Promise<void>> {
    keySegments(name, 'lock name');
    const waitMs = options.waitMs ?? 0;
    const deadline = Date.now() + waitMs;
    while (this.locks.has(name)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new DrError('DR_OPERATION_REFUSED', `Lock ${name} is held by this process.`, {
          details: { lock: name, pid: process.pid },
        });
      }
      await this.waitForRelease(name, remaining);
    }
    const token = Symbol(name);
    this.locks.set(name, token);
    return async () => {
      if (this.locks.get(name) !== token) return;
      this.locks.delete(name);
      const waiters = this.lockWaiters.get(name) ?? [];
      this.lockWaiters.delete(name);
      for (const wake of waiters) wake();
    };
  }

  /** Resolves when the lock is released or `ms` (real time: a lock wait is not simulated) passes. */
  private waitForRelease(name: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const waiters = this.lockWaiters.get(name);
      if (waiters) waiters.push(wake);
      else this.lockWaiters.set(name, [wake]);
    });
  }
}
