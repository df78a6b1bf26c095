import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
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
  private held = 0;
  /** Per name: the slot numbers this instance holds, not tried again while held. */
  private readonly mine = new Map<string, Set<number>>();

  constructor(rootDir: string) {
    this.folder = join(rootDir, SLOT_DIRECTORY);
    const start = processStartMarker();
    this.holder = { pid: process.pid, ...(start ? { start } : {}), token: randomUUID() };
  }

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    // One folder for every name (validated, then encoded so no two names share a file).
    const prefix = join(this.folder, encodeURIComponent(keySegments(name, 'lock name').join('/')));
    let mine = this.mine.get(name);
    if (!mine) {
      mine = new Set();
      this.mine.set(name, mine);
    }
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      for (let slot = 0; slot < limit; slot++) {
        if (mine.has(slot)) continue;
        const path = `${prefix}#${slot}.slot`;
        if (this.take(path)) {
          this.held++;
          mine.add(slot);
          return this.releaser(path, mine, slot);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private releaser(path: string, mine: Set<number>, slot: number): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      mine.delete(slot);
      if (this.isMine(path)) unlinkQuietly(path);
      if (--this.held === 0 && this.holderPath) {
        unlinkQuietly(this.holderPath);
        this.holderPath = undefined;
      }
    };
  }

  private isMine(path: string): boolean {
    const text = readQuietly(path);
    return text !== undefined && parse(text)?.token === this.holder.token;
  }

  /** Takes the slot file if it is free, or held by a process that is gone. */
  private take(path: string): boolean {
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = this.link(path);
      if (outcome === 'taken') return true;
      if (outcome === 'retry') continue;
      const text = readQuietly(path);
      if (text === undefined) continue;
      const holder = parse(text);
      // Unreadable content cannot happen with links; treat it as held rather than guess.
      if (!holder || holder.pid === process.pid || isProcessAlive(holder.pid, holder.start)) return false;
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
    return false;
  }

  private link(path: string): 'taken' | 'exists' | 'retry' {
    try {
      linkSync(this.holderFile(), path);
      return 'taken';
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

  private holderFile(): string {
    if (this.holderPath) return this.holderPath;
    mkdirSync(this.folder, { recursive: true });
    const path = join(this.folder, `${this.holder.pid}-${this.holder.token}.holder`);
    writeFileSync(path, JSON.stringify(this.holder));
    this.holderPath = path;
    return path;
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
