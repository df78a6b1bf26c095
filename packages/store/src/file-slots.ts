import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { abortReason, type SharedSlots } from '@drctl/domain';
import { keySegments } from './keys.js';
import { isProcessAlive, processStartMarker } from './process-liveness.js';

const SLOT_DIRECTORY = '.slots';
/** How often a process waiting for a slot held by another process looks again (real time). */
const POLL_MS = 10;
/** How long a slot no request of this process uses stays claimed by it (real time). */
const IDLE_MS = 250;

interface SlotHolder {
  pid: number;
  start?: string;
  token: string;
}

/** A slot file this process holds, used by at most one of its requests at a time. */
interface Claim {
  readonly slot: number;
  readonly path: string;
  inUse: boolean;
  idleTimer?: NodeJS.Timeout;
}

let asideCounter = 0;

/**
 * SharedSlots for several processes on one state folder: slot `i` of `name` is the file
 * `.slots/<encoded name>#<i>.slot`, whose content names its holder's pid, so a slot whose process died is
 * free again without anyone releasing it. Never flushed to disk: a slot outlives no crash worth
 * surviving.
 *
 * A boot slot is taken for every VM, thousands a run, and creating a file costs about a
 * millisecond on an ordinary disk, more than the engine's own work per VM. So a slot file is a
 * hard link to one holder file this instance writes once (a link is created with its content in
 * one step, and costs a directory entry, not a file), and a process keeps the slots it claimed
 * while it still uses them: a request released here goes to the next request of this process
 * without touching the disk, and a claim nobody here used for {@link IDLE_MS} is given back.
 * Other processes see the claimed slots as taken, so the limit holds across processes; the price
 * is that another process waits until this one's demand for that host or cluster pauses.
 */
export class FileSlots implements SharedSlots {
  private readonly folder: string;
  private readonly holder: SlotHolder;
  /** The file every slot this instance holds links to, while it holds any. */
  private holderPath: string | undefined;
  /** Per name: the slots this instance holds, by slot number. */
  private readonly claims = new Map<string, Map<number, Claim>>();
  private claimCount = 0;
  /** Per name: requests of this process waiting, woken as soon as a claim here is idle. */
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(rootDir: string) {
    this.folder = join(rootDir, SLOT_DIRECTORY);
    const start = processStartMarker();
    this.holder = { pid: process.pid, ...(start ? { start } : {}), token: randomUUID() };
  }

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    const claims = this.claimsOf(name);
    let prefix: string | undefined;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      for (const claim of claims.values()) if (!claim.inUse && claim.slot < limit) return this.use(name, claim);
      // One folder for every name (validated, then encoded so no two names share a file).
      prefix ??= join(this.folder, encodeURIComponent(keySegments(name, 'lock name').join('/')));
      for (let slot = 0; slot < limit; slot++) {
        if (claims.has(slot)) continue;
        const path = `${prefix}#${slot}.slot`;
        if (this.take(path)) {
          const claim: Claim = { slot, path, inUse: false };
          claims.set(slot, claim);
          this.claimCount++;
          return this.use(name, claim);
        }
      }
      await this.nextChance(name, signal);
    }
  }

  private claimsOf(name: string): Map<number, Claim> {
    let claims = this.claims.get(name);
    if (!claims) {
      claims = new Map();
      this.claims.set(name, claims);
    }
    return claims;
  }

  private use(name: string, claim: Claim): () => Promise<void> {
    claim.inUse = true;
    clearTimeout(claim.idleTimer);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      claim.inUse = false;
      const next = this.waiting.get(name)?.values().next();
      if (next && !next.done) next.value();
      claim.idleTimer = setTimeout(() => this.giveBack(name, claim), IDLE_MS);
      claim.idleTimer.unref();
    };
  }

  private giveBack(name: string, claim: Claim): void {
    if (claim.inUse) return;
    const claims = this.claims.get(name);
    if (claims?.get(claim.slot) !== claim) return;
    claims.delete(claim.slot);
    this.claimCount--;
    if (this.isMine(claim.path)) unlinkQuietly(claim.path);
    if (this.claimCount === 0 && this.holderPath) {
      unlinkQuietly(this.holderPath);
      this.holderPath = undefined;
    }
  }

  private isMine(path: string): boolean {
    const text = readQuietly(path);
    return text !== undefined && parse(text)?.token === this.holder.token;
  }

  /** Waits for a request of this process to release a slot, or a poll's time for other processes. */
  private nextChance(name: string, signal?: AbortSignal): Promise<void> {
    let waiters = this.waiting.get(name);
    if (!waiters) {
      waiters = new Set();
      this.waiting.set(name, waiters);
    }
    const set = waiters;
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, POLL_MS);
      set.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
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
