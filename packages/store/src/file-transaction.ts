import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { appendLine, truncateTornTail, unlinkQuietly, writeFileAtomic, type FsyncPolicy } from './durable-fs.js';
import { isProcessAlive, processStartMarker } from './process-liveness.js';

/** Where intents of unfinished `writeAll`s wait: one file each, a dot-folder the store never lists. */
export const TRANSACTION_DIRECTORY = '.transactions';

/** One encoded operation, with the file it lands in. */
export interface FileOperation {
  op: 'write' | 'append';
  path: string;
  text: string;
}

interface Intent {
  pid: number;
  startMarker?: string;
  /** Each log's size before the transaction: a replay cuts the log back to it, then appends again. */
  logSizes: Record<string, number>;
  operations: FileOperation[];
}

/**
 * Several files changed as one, by a redo intent: the intent (every operation, and the size of
 * every log it appends to) is written atomically first, then the operations are applied, then
 * the intent is removed. A process killed in between leaves the intent, which the next reader
 * replays (`recoverTransactions`): logs are cut back to their recorded size before the appends
 * are made again, so a replay never doubles an entry. All synchronous (see durable-fs.ts): no
 * other code of this process runs between the intent and its removal.
 */
export function commitTransaction(rootDir: string, operations: FileOperation[], fsync: FsyncPolicy): void {
  const logSizes: Record<string, number> = {};
  for (const o of operations) {
    if (o.op !== 'append' || o.path in logSizes) continue;
    // A torn line from an earlier crash is cut first, so the recorded size ends on a line.
    truncateTornTail(o.path);
    logSizes[o.path] = sizeOf(o.path);
  }
  const marker = processStartMarker();
  const intent: Intent = { pid: process.pid, ...(marker ? { startMarker: marker } : {}), logSizes, operations };
  const path = join(rootDir, TRANSACTION_DIRECTORY, `${randomUUID()}.${process.pid}.json`);
  writeFileAtomic(path, JSON.stringify(intent), fsync);
  apply(intent, fsync);
  unlinkQuietly(path);
}

/**
 * Replays the intents whose process died before removing them. An intent is claimed by renaming
 * it under this process's pid first, so two processes never replay the same one; a claimer that
 * dies leaves it claimable again.
 */
export function recoverTransactions(rootDir: string, fsync: FsyncPolicy): void {
  const dir = join(rootDir, TRANSACTION_DIRECTORY);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^([0-9a-f-]+)\.(\d+)\.json$/.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    let intent: Intent;
    try {
      intent = JSON.parse(readFileSync(path, 'utf8')) as Intent;
    } catch {
      continue;
    }
    const holder = Number(match[2]);
    // Our own pid here is a dead predecessor's (ours never outlive their synchronous commit).
    if (holder !== process.pid && isProcessAlive(holder, holder === intent.pid ? intent.startMarker : undefined))
      continue;
    const claimed = join(dir, `${match[1]}.${process.pid}.json`);
    try {
      renameSync(path, claimed);
    } catch {
      continue;
    }
    apply(intent, fsync);
    unlinkQuietly(claimed);
  }
}

function apply(intent: Intent, fsync: FsyncPolicy): void {
  for (const [path, size] of Object.entries(intent.logSizes)) {
    if (sizeOf(path) > size) truncateSync(path, size);
  }
  for (const o of intent.operations) {
    if (o.op === 'write') writeFileAtomic(o.path, o.text, fsync);
    else appendLine(o.path, o.text, fsync);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
