import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';

/**
 * Synchronous, durable file primitives. Everything is synchronous on purpose: the engine may run
 * under a virtual clock that jumps ahead whenever no promise work is pending, and an async fs call
 * in flight would be invisible to it. Each call here is short (one small file), so blocking is fine.
 */

/** 'always': fsync file data (and the directory on create/rename) before returning; 'never': leave it to the OS. */
export type FsyncPolicy = 'always' | 'never';

let tempCounter = 0;

function writeAll(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/** Flushes a directory entry (a created or renamed file) to disk; some platforms cannot, which is fine. */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open or fsync a directory; there the rename itself is the best we get.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function ensureDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/**
 * Replaces `path` with `data` atomically: write a temp file in the same directory, flush it, then
 * rename it over the target. A crash leaves either the old or the new content, never a mix.
 */
export function writeFileAtomic(path: string, data: string, fsync: FsyncPolicy): void {
  const dir = dirname(path);
  ensureDirectory(dir);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, 'wx');
  } catch (error) {
    // Another store instance may have pruned the (then empty) folder since ensureDirectory.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    ensureDirectory(dir);
    fd = openSync(temp, 'wx');
  }
  try {
    writeAll(fd, Buffer.from(data, 'utf8'));
    if (fsync === 'always') fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
  if (fsync === 'always') fsyncDirectory(dir);
}

/** Creates a new file with `data` (flushed unless `fsync` is 'never'); fails with EEXIST if the file exists (O_CREAT|O_EXCL). */
export function writeNewFile(path: string, data: string, fsync: FsyncPolicy = 'always'): void {
  const fd = openSync(path, 'wx');
  try {
    writeAll(fd, Buffer.from(data, 'utf8'));
    if (fsync === 'always') fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends one newline-terminated line. The line goes out in a single write, so after this returns
 * the bytes are in the kernel and survive the process being killed; with 'always' they also
 * survive a power loss. Returns whether the file was created by this call.
 */
export function appendLine(path: string, line: string, fsync: FsyncPolicy): boolean {
  const dir = dirname(path);
  let fd: number;
  let created: boolean;
  try {
    fd = openSync(path, 'a');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    ensureDirectory(dir);
    fd = openSync(path, 'a');
  }
  try {
    created = fstatSync(fd).size === 0;
    writeAll(fd, Buffer.from(line, 'utf8'));
    if (fsync === 'always') fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created && fsync === 'always') fsyncDirectory(dir);
  return created;
}

const TAIL_CHUNK = 64 * 1024;

/**
 * If a crash left an unterminated last line, cuts it off so the next append starts on a fresh line
 * (otherwise the torn bytes would glue onto the next entry and corrupt it). The torn entry was never
 * acknowledged, so dropping it loses nothing that was promised. Returns the bytes removed.
 */
export function truncateTornTail(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const buffer = Buffer.alloc(TAIL_CHUNK);
    let end = size;
    // Scan backwards for the last newline; usually it is the very last byte.
    while (end > 0) {
      const start = Math.max(0, end - TAIL_CHUNK);
      const length = end - start;
      readSync(fd, buffer, 0, length, start);
      const index = buffer.subarray(0, length).lastIndexOf(0x0a);
      if (index >= 0) {
        const keep = start + index + 1;
        if (keep === size) return 0;
        ftruncateSync(fd, keep);
        fsyncSync(fd);
        return size - keep;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    return size;
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes `dir` and its parents while they are empty, stopping at `root` (kept). Empty folders
 * would otherwise show up in `list` as keys that hold nothing.
 */
export function pruneEmptyDirectories(dir: string, root: string): void {
  let current = dir;
  while (current !== root && current.startsWith(`${root}${sep}`)) {
    try {
      rmdirSync(current);
    } catch {
      return; // Not empty (or already gone): stop here.
    }
    current = dirname(current);
  }
}

export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone is what we wanted.
  }
}
