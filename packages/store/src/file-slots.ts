import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { abortReason, type SharedSlots } from '@drctl/domain';
import { keySegments } from './keys.js';
import { isProcessAlive, processStartMarker } from './process-liveness.js';

const SLOT_DIRECTORY = '.slots';
/** How often a process waiting for a slot held by another process looks again (real time). */
const POLL_MS = 10;

interface SlotHolder {
  pid: number;
  start?: string;
  token: string;
}

let tempCounter = 0;

/**
 * SharedSlots for several processes on one state folder: slot `i` of `name` is the file
 * `.slots/<name>/<i>.slot` naming its holder's pid, so a slot whose process died is free again
 * without anyone releasing it. Created with its content in one step (a hard link of a temp
 * file), never flushed to disk: a slot outlives no crash worth surviving, and a boot slot is
 * taken for every VM, so it must cost microseconds, not an fsync.
 */
export class FileSlots implements SharedSlots {
  private readonly start = processStartMarker();
  /** Slots this process holds, per name: not tried again while held (a VM each, thousands). */
  private readonly mine = new Map<string, Set<number>>();

  constructor(private readonly rootDir: string) {}

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    const folder = join(this.rootDir, SLOT_DIRECTORY, ...keySegments(name, 'lock name'));
    const holder: SlotHolder = { pid: process.pid, ...(this.start ? { start: this.start } : {}), token: randomUUID() };
    const content = JSON.stringify(holder);
    let ours = this.mine.get(name);
    if (!ours) {
      ours = new Set();
      this.mine.set(name, ours);
    }
    const held = ours;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      for (let slot = 0; slot < limit; slot++) {
        if (held.has(slot)) continue;
        const path = join(folder, `${slot}.slot`);
        if (this.take(path, content)) {
          held.add(slot);
          const release = releaser(path, holder.token);
          // Forgotten together with the file (the releaser removes it before it awaits anything).
          return () => {
            held.delete(slot);
            return release();
          };
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Takes the slot file if it is free, or held by a process that is gone. */
  private take(path: string, content: string): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (createWith(path, content)) return true;
      const text = readQuietly(path);
      if (text === undefined) continue;
      const holder = parse(text);
      // Unreadable content is a slot being written by its holder right now: held.
      if (!holder || holder.pid === process.pid || isProcessAlive(holder.pid, holder.start)) return false;
      // Its process died: move it aside (only if it is still that one) and try again.
      const aside = `${path}.stale.${process.pid}.${++tempCounter}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      if (readQuietly(aside) !== text) {
        try {
          linkSync(aside, path);
        } catch {
          // A new holder took it meanwhile; it keeps it.
        }
      }
      unlinkQuietly(aside);
    }
    return false;
  }
}

function createWith(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.${++tempCounter}.tmp`;
  try {
    writeFileSync(temp, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, content);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkQuietly(temp);
  }
}

function releaser(path: string, token: string): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const text = readQuietly(path);
    if (text !== undefined && parse(text)?.token === token) unlinkQuietly(path);
  };
}

function parse(text: string): SlotHolder | undefined {
  try {
    const value = JSON.parse(text) as SlotHolder;
    return typeof value.pid === 'number' && typeof value.token === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function readQuietly(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
