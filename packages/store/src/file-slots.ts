import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

let asideCounter = 0;

/**
 * SharedSlots for several processes on one state folder: slot `i` of `name` is the file
 * `.slots/<encoded name>#<i>.slot`, whose content names its holder's pid, so a slot whose process
 * died is free again without anyone releasing it. Never flushed to disk: a slot outlives no crash
 * worth surviving.
 *
 * Creating a file costs about a millisecond on an ordinary disk, so a slot file is a hard link to
 * one holder file this instance writes once: a link appears with its content in one step and
 * costs a directory entry, not a file. (The engine also keeps the slots it took while its own
 * work still needs them, so a slot per VM does not mean a link per VM.)
 */
export class FileSlots implements SharedSlots {
  private readonly folder: string;
  private readonly holder: SlotHolder;
  /** The file every slot this instance holds links to, while it holds any. */
  private holderPath: string | undefined;
  private holderInode = 0;
  private held = 0;
  /** Per name: its files' common path, and the slot numbers this instance holds (not tried again while held). */
  private readonly names = new Map<string, { prefix: string; mine: Set<number> }>();

  constructor(rootDir: string) {
    this.folder = join(rootDir, SLOT_DIRECTORY);
    const start = processStartMarker();
    this.holder = { pid: process.pid, ...(start ? { start } : {}), token: randomUUID() };
  }

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const release = this.tryAcquire(name, limit);
      if (release) return release;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  tryAcquire(name: string, limit: number): (() => Promise<void>) | undefined {
    if (!Number.isFinite(limit)) return async () => undefined;
    let named = this.names.get(name);
    if (!named) {
      // One folder for every name (validated, then encoded so no two names share a file).
      const prefix = join(this.folder, encodeURIComponent(keySegments(name, 'lock name').join('/')));
      named = { prefix, mine: new Set() };
      this.names.set(name, named);
    }
    for (let slot = 0; slot < limit; slot++) {
      if (named.mine.has(slot)) continue;
      const path = `${named.prefix}#${slot}.slot`;
      const inode = this.take(path);
      if (inode !== undefined) {
        this.held++;
        named.mine.add(slot);
        return this.releaser(path, named.mine, slot, inode);
      }
    }
    // Nothing taken: a holder file written for this attempt must not outlive it.
    this.dropHolderFileIfUnused();
    return undefined;
  }

  private dropHolderFileIfUnused(): void {
    if (this.held !== 0 || !this.holderPath) return;
    unlinkQuietly(this.holderPath);
    this.holderPath = undefined;
  }

  private releaser(path: string, mine: Set<number>, slot: number, inode: number): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      mine.delete(slot);
      // Still the link to our holder file (a slot is only ever moved aside when its holder died).
      if (statSync(path, { throwIfNoEntry: false })?.ino === inode) unlinkQuietly(path);
      this.held--;
      this.dropHolderFileIfUnused();
    };
  }

  /**
   * Takes the slot file if it is free, or held by a process that is gone: the inode it now
   * shares with this instance's holder file, or undefined when it is held.
   */
  private take(path: string): number | undefined {
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = this.link(path);
      if (typeof outcome === 'number') return outcome;
      if (outcome === 'retry') continue;
      const text = readQuietly(path);
      if (text === undefined) continue;
      const holder = parse(text);
      // Unreadable content cannot happen with links; treat it as held rather than guess.
      if (!holder || holder.pid === process.pid || isProcessAlive(holder.pid, holder.start)) return undefined;
      // Its process died: move it aside (only if it is still that one) and try again.
      const aside = `${path}.stale.${process.pid}.${++asideCounter}`;
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
    return undefined;
  }

  /** The holder file's inode once `path` links to it; else why not. */
  private link(path: string): number | 'exists' | 'retry' {
    try {
      const holder = this.holderFile();
      linkSync(holder.path, path);
      return holder.inode;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return 'exists';
      // The folder or the holder file was removed under us (a cleaned state folder): write again.
      if (code === 'ENOENT') {
        this.holderPath = undefined;
        return 'retry';
      }
      throw error;
    }
  }

  private holderFile(): { path: string; inode: number } {
    if (this.holderPath) return { path: this.holderPath, inode: this.holderInode };
    mkdirSync(this.folder, { recursive: true });
    const path = join(this.folder, `${this.holder.pid}-${this.holder.token}.holder`);
    writeFileSync(path, JSON.stringify(this.holder));
    // Each slot file is a hard link to it: the same inode tells a slot is still ours on release.
    this.holderInode = statSync(path).ino;
    this.holderPath = path;
    return { path, inode: this.holderInode };
  }
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
