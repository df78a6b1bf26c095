import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unlinkQuietly } from './durable-fs.js';
import { breakStale, tryCreate } from './file-lock.js';
import { isProcessAlive, processStartMarker } from './process-liveness.js';

/** Who holds a solo lease or a membership: enough to tell whether it still exists. */
export interface SlotHolder {
  pid: number;
  start?: string;
  token: string;
}

/**
 * How a FileSlots instance counts its slots for the time it holds any:
 * - `solo`: no other instance uses the folder, so slots are counted in memory (no file per slot);
 * - `shared`: other instances do, so every slot is a file they can see;
 * - `waiting`: another instance counts in memory; it has been asked to publish its slots.
 */
export type SharingMode = 'solo' | 'shared' | 'waiting';

const SOLO_LOCK = 'solo.lock';
const JOIN_FLAG = 'join.flag';
export const MEMBER_SUFFIX = '.holder';
/** How often a solo instance looks for another instance asking to share the folder (real time). */
const JOIN_WATCH_MS = 10;

/** Tokens of this process's solo leases and memberships: one with our pid but another token is stale. */
const liveTokens = new Set<string>();
/** This process's solo instance per folder, asked directly (no file, no timer) by an instance beside it. */
const soloHere = new Map<string, FolderSharing>();

export function parseHolder(text: string): SlotHolder | undefined {
  try {
    const value = JSON.parse(text) as SlotHolder;
    return typeof value.pid === 'number' && typeof value.token === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isHolderAlive(holder: SlotHolder): boolean {
  if (holder.pid === process.pid) return liveTokens.has(holder.token);
  return isProcessAlive(holder.pid, holder.start);
}

export function readQuietly(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Whether one FileSlots instance has the state folder's slots to itself. Most runs are the only
 * engine on their folder, and a file per slot (thousands of boot slots in a 10,000-VM recovery)
 * would then be paid for nobody. So an instance that finds no other one takes the folder's solo
 * lease and counts in memory; an instance that comes later registers as a member and raises the
 * join flag; the solo instance then writes its slots as files, registers too, and gives the lease
 * up. The order makes it safe: a member registers before it looks for the lease, and the lease
 * is taken before the members are listed, so at least one of the two sees the other.
 */
export class FolderSharing {
  private readonly holder: SlotHolder;
  private readonly soloPath: string;
  private readonly joinPath: string;
  private folderReady = false;
  /** This instance's member file while it is a member; slot files are hard links to it. */
  private memberPath: string | undefined;
  private memberInode = 0;
  private watch: NodeJS.Timeout | undefined;
  mode: SharingMode | undefined;

  constructor(
    readonly folder: string,
    /** Called when this solo instance must write its slots as files (before the lease is given up). */
    private readonly publish: () => void,
  ) {
    const start = processStartMarker();
    this.holder = { pid: process.pid, ...(start ? { start } : {}), token: randomUUID() };
    this.soloPath = join(folder, SOLO_LOCK);
    this.joinPath = join(folder, JOIN_FLAG);
  }

  /** Starts counting: solo when no other instance uses the folder, else shared or waiting. */
  enter(): SharingMode {
    this.ensureFolder();
    for (let attempt = 0; attempt < 5; attempt++) {
      if (tryCreate(this.soloPath, JSON.stringify(this.holder))) {
        if (this.anyOtherMember()) {
          this.register();
          this.dropSolo();
          return (this.mode = 'shared');
        }
        // A member file of ours from an earlier attempt would only make others share needlessly.
        this.unregister();
        liveTokens.add(this.holder.token);
        // A flag left by a joiner that died; a live joiner raises it again while it waits.
        unlinkQuietly(this.joinPath);
        soloHere.set(this.folder, this);
        this.watch = setInterval(() => {
          if (existsSync(this.joinPath)) this.yieldSolo();
        }, JOIN_WATCH_MS);
        this.watch.unref();
        return (this.mode = 'solo');
      }
      this.register();
      const mode = this.soloReleased();
      if (mode !== undefined) return (this.mode = mode);
    }
    return (this.mode = 'waiting');
  }

  /** While waiting: shared once the solo instance has published its slots and left. */
  recheck(): SharingMode {
    if (this.mode === 'waiting') this.mode = this.soloReleased() ?? 'waiting';
    return this.mode!;
  }

  /** Stops counting (this instance holds no slot): nothing of it stays in the folder. */
  leave(): void {
    if (this.mode === 'solo') this.dropSolo();
    else this.unregister();
    this.mode = undefined;
  }

  /** The member file slot files link to (shared mode only). */
  memberFile(): { path: string; inode: number } {
    if (!this.memberPath) this.register();
    return { path: this.memberPath!, inode: this.memberInode };
  }

  /** The member file was removed under us (a cleaned state folder): write it again on next use. */
  memberFileLost(): void {
    if (this.memberPath) liveTokens.delete(this.holder.token);
    this.memberPath = undefined;
    this.folderReady = false;
    this.ensureFolder();
  }

  /** Another instance asked to share the folder: publish, become a member, give the lease up. */
  private yieldSolo(): void {
    if (this.mode !== 'solo') return;
    this.register();
    this.mode = 'shared';
    this.publish();
    this.dropSolo();
    unlinkQuietly(this.joinPath);
  }

  /**
   * The solo lease is not ours: shared when nobody holds it (or its holder is gone), undefined to
   * try taking it again, else waiting with the join flag raised.
   */
  private soloReleased(): SharingMode | undefined {
    const text = readQuietly(this.soloPath);
    if (text === undefined) return 'shared';
    const holder = parseHolder(text);
    if (holder === undefined || !isHolderAlive(holder)) {
      breakStale(this.soloPath, text);
      return existsSync(this.soloPath) ? undefined : 'shared';
    }
    const beside = soloHere.get(this.folder);
    if (beside && holder.token === beside.holder.token) {
      beside.yieldSolo();
      return 'shared';
    }
    if (!existsSync(this.joinPath)) writeFileSync(this.joinPath, '');
    return 'waiting';
  }

  private anyOtherMember(): boolean {
    for (const name of readdirSync(this.folder)) {
      if (!name.endsWith(MEMBER_SUFFIX)) continue;
      const path = join(this.folder, name);
      const text = readQuietly(path);
      const member = text === undefined ? undefined : parseHolder(text);
      if (member !== undefined && member.token !== this.holder.token && isHolderAlive(member)) return true;
      // Its process died without leaving: tidy up what is certainly nobody's.
      if (member !== undefined && member.token !== this.holder.token) unlinkQuietly(path);
    }
    return false;
  }

  private register(): void {
    if (this.memberPath) return;
    const path = join(this.folder, `${this.holder.pid}-${this.holder.token}${MEMBER_SUFFIX}`);
    writeFileSync(path, JSON.stringify(this.holder));
    liveTokens.add(this.holder.token);
    // Each slot file is a hard link to it: the same inode tells a slot is still ours on release.
    this.memberInode = statSync(path).ino;
    this.memberPath = path;
  }

  private unregister(): void {
    if (!this.memberPath) return;
    unlinkQuietly(this.memberPath);
    this.memberPath = undefined;
    liveTokens.delete(this.holder.token);
  }

  private dropSolo(): void {
    clearInterval(this.watch);
    this.watch = undefined;
    if (soloHere.get(this.folder) === this) soloHere.delete(this.folder);
    const text = readQuietly(this.soloPath);
    if (text !== undefined && parseHolder(text)?.token === this.holder.token) unlinkQuietly(this.soloPath);
    if (!this.memberPath) liveTokens.delete(this.holder.token);
  }

  private ensureFolder(): void {
    if (this.folderReady) return;
    mkdirSync(this.folder, { recursive: true });
    this.folderReady = true;
  }
}
