import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DrError } from '@drctl/domain';
import { ensureDirectory, unlinkQuietly, writeNewFile } from './durable-fs.js';
import { isProcessAlive, processStartMarker } from './process-liveness.js';

/** What a lock file holds: enough to tell whether its holder still exists. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** Unique per acquisition, so a release never removes someone else's lock. */
  token: string;
  /** Wall-clock time the lock was taken (real time: locks are between real processes). */
  acquiredAt: string;
  /** Linux process start time, to detect a reused pid. */
  processStart?: string;
}

export interface LockOptions {
  /** How long to keep trying while another live process holds the lock; 0 = fail at once. @default 0 */
  waitMs?: number;
  /** Delay between attempts while waiting. @default 50 */
  pollMs?: number;
}

/** A lock file that exists but holds no readable content yet is only stale after this long. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;
const MAX_IMMEDIATE_RETRIES = 100;

let tempCounter = 0;

/** Tokens of locks this process holds: a lock file with our pid but an unknown token is stale. */
const heldTokens = new Set<string>();

type Inspection = { kind: 'held'; holder?: LockHolder } | { kind: 'stale'; text: string } | { kind: 'gone' };

function readHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.token === 'string' && typeof value.hostname === 'string')
      return value as LockHolder;
  } catch {
    // Falls through: unreadable.
  }
  return undefined;
}

function inspect(path: string): Inspection {
  let text: string;
  let modifiedAt: number;
  try {
    text = readFileSync(path, 'utf8');
    modifiedAt = statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  const holder = readHolder(text);
  if (holder === undefined) {
    // Written without link() support and caught between create and write, or damaged.
    return Date.now() - modifiedAt > UNREADABLE_LOCK_GRACE_MS ? { kind: 'stale', text } : { kind: 'held' };
  }
  // On another host we cannot see its processes: the lock must be presumed held.
  if (holder.hostname !== hostname()) return { kind: 'held', holder };
  if (holder.pid === process.pid)
    return heldTokens.has(holder.token) ? { kind: 'held', holder } : { kind: 'stale', text };
  return isProcessAlive(holder.pid, holder.processStart) ? { kind: 'held', holder } : { kind: 'stale', text };
}

/** Creates the lock file with its content in one atomic step (link fails if it exists). */
export function tryCreate(path: string, content: string): boolean {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
  writeNewFile(temp, content, 'never');
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV')
      return tryCreateExclusive(path, content);
    throw error;
  } finally {
    unlinkQuietly(temp);
  }
}

/** Fallback for file systems without hard links: O_CREAT|O_EXCL, then write. */
function tryCreateExclusive(path: string, content: string): boolean {
  try {
    writeNewFile(path, content, 'never');
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Removes a stale lock without ever removing a fresh one: move it aside first, then check that
 * what was moved is the stale content that was inspected. If another process broke the stale
 * lock and took a new one in between, that new lock is put back.
 */
export function breakStale(path: string, staleText: string): void {
  const aside = join(dirname(path), `.${basename(path)}.stale.${process.pid}.${++tempCounter}`);
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // Unreadable: treat as not the one inspected, so it is restored.
  }
  if (moved !== staleText) {
    try {
      linkSync(aside, path);
    } catch {
      // A new lock appeared meanwhile; it wins.
    }
  }
  unlinkQuietly(aside);
}

function refusal(name: string, holder: LockHolder | undefined): DrError {
  const who = holder ? `process ${holder.pid} on ${holder.hostname} since ${holder.acquiredAt}` : 'another process';
  return new DrError('DR_OPERATION_REFUSED', `Lock ${name} is held by ${who}.`, {
    details: holder
      ? { lock: name, pid: holder.pid, hostname: holder.hostname, acquiredAt: holder.acquiredAt }
      : { lock: name },
  });
}

const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Takes a cross-process exclusive lock stored at `path`. Resolves with a release function once
 * the lock is ours; throws DrError(DR_OPERATION_REFUSED) naming the holder if it stays held.
 * Waiting (if asked) uses real time: the other party is a real process.
 */
export async function acquireFileLock(
  path: string,
  name: string,
  options: LockOptions = {},
): Promise<() => Promise<void>> {
  const waitMs = options.waitMs ?? 0;
  const pollMs = options.pollMs ?? 50;
  const deadline = Date.now() + waitMs;
  ensureDirectory(dirname(path));
  const startMarker = processStartMarker();
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    token: randomUUID(),
    acquiredAt: new Date().toISOString(),
    ...(startMarker !== undefined ? { processStart: startMarker } : {}),
  };
  const content = JSON.stringify(holder);
  let immediateRetries = 0;
  for (;;) {
    // No fsync at all: a lock needs no durability. After a power cut its holder is gone, so a
    // lock file that survived is stale and broken (at once, or after UNREADABLE_LOCK_GRACE_MS if
    // its content was lost), and one that did not is simply free. Boot slots take a lock per VM:
    // two fsyncs each made a 10,000-VM recovery on the file store take minutes.
    if (tryCreate(path, content)) {
      heldTokens.add(holder.token);
      return releaser(path, holder.token);
    }
    const found = inspect(path);
    if (found.kind !== 'held') {
      // Stale or just released: try again at once, but never spin for ever on a lock that keeps
      // reappearing (another process winning each race is "held" for practical purposes).
      if (++immediateRetries >= MAX_IMMEDIATE_RETRIES) throw refusal(name, undefined);
      if (found.kind === 'stale') breakStale(path, found.text);
      continue;
    }
    if (Date.now() >= deadline) throw refusal(name, found.holder);
    await realDelay(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    immediateRetries = 0;
  }
}

function releaser(path: string, token: string): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    heldTokens.delete(token);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return;
    }
    // Only remove the file if it is still ours (it could have been broken as stale and retaken).
    // Not fsynced either (see acquireFileLock): a lock file a power cut brings back is stale.
    if (readHolder(text)?.token === token) unlinkQuietly(path);
  };
}
