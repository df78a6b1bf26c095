import { linkSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { abortReason, type SharedSlots } from '@drctl/domain';
import { unlinkQuietly } from './durable-fs.js';
import { keySegments } from './keys.js';
import { FolderSharing, isHolderAlive, parseHolder, readQuietly } from './slot-sharing.js';

const SLOT_DIRECTORY = '.slots';
/** How often a process waiting for a slot held by another process looks again (real time). */
const POLL_MS = 10;

let asideCounter = 0;

/** The slots of one name this instance holds: its files' common path, and which numbers. */
interface NameSlots {
  prefix: string;
  /** Slot number → the inode of its file, or 0 while it is counted in memory only (solo). */
  mine: Map<number, number>;
}

/**
 * SharedSlots for several processes on one state folder. While one instance has the folder to
 * itself it counts in memory (see slot-sharing.ts); once others share it, slot `i` of `name` is
 * the file `.slots/<encoded name>#<i>.slot`, whose content names its holder's pid, so a slot
 * whose process died is free again without anyone releasing it. Never flushed to disk: a slot
 * outlives no crash worth surviving.
 *
 * Creating a file costs about a millisecond on an ordinary disk, so a slot file is a hard link to
 * the one member file this instance writes: a link appears with its content in one step and
 * costs a directory entry, not a file. (The engine also keeps the slots it took while its own
 * work still needs them, so a slot per VM is not a slot taken per VM.)
 */
export class FileSlots implements SharedSlots {
  private readonly sharing: FolderSharing;
  private held = 0;
  private readonly names = new Map<string, NameSlots>();

  constructor(rootDir: string) {
    this.sharing = new FolderSharing(join(rootDir, SLOT_DIRECTORY), () => this.publish());
  }

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    for (;;) {
      if (signal?.aborted) {
        // Withdrawn while waiting for another instance to share the folder: nothing stays behind.
        if (this.held === 0) this.sharing.leave();
        throw abortReason(signal);
      }
      const release = this.tryAcquire(name, limit);
      if (release) return release;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  tryAcquire(name: string, limit: number): (() => Promise<void>) | undefined {
    if (!Number.isFinite(limit)) return async () => undefined;
    const named = this.slotsOf(name);
    const mode = this.sharing.mode === undefined ? this.sharing.enter() : this.sharing.recheck();
    if (mode !== 'waiting') {
      for (let slot = 0; slot < limit; slot++) {
        if (named.mine.has(slot)) continue;
        const inode = mode === 'solo' ? 0 : this.take(`${named.prefix}#${slot}.slot`);
        if (inode !== undefined) {
          this.held++;
          named.mine.set(slot, inode);
          return this.releaser(named, slot);
        }
      }
    }
    // Nothing taken: while this instance holds nothing, nothing of it stays in the folder; but
    // one waiting for the solo instance to share stays a member, so the flag it raised holds.
    if (this.held === 0 && mode !== 'waiting') this.sharing.leave();
    return undefined;
  }

  private slotsOf(name: string): NameSlots {
    let named = this.names.get(name);
    if (!named) {
      // One folder for every name (validated, then encoded so no two names share a file).
      const prefix = join(this.sharing.folder, encodeURIComponent(keySegments(name, 'lock name').join('/')));
      named = { prefix, mine: new Map() };
      this.names.set(name, named);
    }
    return named;
  }

  private releaser(named: NameSlots, slot: number): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const inode = named.mine.get(slot);
      named.mine.delete(slot);
      // Still the link to our member file (a slot is only ever moved aside when its holder died).
      const path = `${named.prefix}#${slot}.slot`;
      if (inode && statSync(path, { throwIfNoEntry: false })?.ino === inode) unlinkQuietly(path);
      if (--this.held === 0) this.sharing.leave();
    };
  }

  /** Another instance joined: every slot counted in memory becomes a file it can see. */
  private publish(): void {
    for (const named of this.names.values()) {
      for (const [slot, inode] of named.mine) {
        if (inode !== 0) continue;
        // Nobody else held a slot of this folder while we were solo, so this finds it free.
        named.mine.set(slot, this.take(`${named.prefix}#${slot}.slot`) ?? 0);
      }
    }
  }

  /**
   * Takes the slot file if it is free, or held by a process that is gone: the inode it now
   * shares with this instance's member file, or undefined when it is held.
   */
  private take(path: string): number | undefined {
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = this.link(path);
      if (typeof outcome === 'number') return outcome;
      if (outcome === 'retry') continue;
      const text = readQuietly(path);
      if (text === undefined) continue;
      const holder = parseHolder(text);
      // Unreadable content cannot happen with links; treat it as held rather than guess.
      if (!holder || isHolderAlive(holder)) return undefined;
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

  /** The member file's inode once `path` links to it; else why not. */
  private link(path: string): number | 'exists' | 'retry' {
    try {
      const member = this.sharing.memberFile();
      linkSync(member.path, path);
      return member.inode;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return 'exists';
      // The folder or the member file was removed under us (a cleaned state folder): write again.
      if (code === 'ENOENT') {
        this.sharing.memberFileLost();
        return 'retry';
      }
      throw error;
    }
  }
}
