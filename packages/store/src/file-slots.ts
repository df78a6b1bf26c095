import { join } from 'node:path';
import { abortReason, isDrError, type SharedSlots } from '@drctl/domain';
import { acquireFileLock } from './file-lock.js';
import { keySegments } from './keys.js';

const SLOT_DIRECTORY = '.slots';
/** How often a process waiting for a slot held by another process looks again (real time). */
const POLL_MS = 10;

/**
 * SharedSlots for several processes on one state folder: slot `i` of `name` is the lock file
 * `.slots/<name>/<i>.lock`, holding the holder's pid, so the slots of a process that died are
 * free again (the lock is stale) without anyone releasing them.
 */
export class FileSlots implements SharedSlots {
  /** Slots this process holds, per name: never tried again while held (they would be refused). */
  private readonly mine = new Map<string, Set<number>>();

  constructor(private readonly rootDir: string) {}

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    const folder = join(this.rootDir, SLOT_DIRECTORY, ...keySegments(name, 'lock name'));
    let held = this.mine.get(name);
    if (!held) {
      held = new Set();
      this.mine.set(name, held);
    }
    const ours = held;
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      for (let slot = 0; slot < limit; slot++) {
        if (ours.has(slot)) continue;
        try {
          const release = await acquireFileLock(join(folder, `${slot}.lock`), `${name}#${slot}`);
          ours.add(slot);
          // Forgotten at once, with the file (the lock's release removes it before it awaits).
          return () => {
            ours.delete(slot);
            return release();
          };
        } catch (error) {
          if (!isDrError(error) || error.code !== 'DR_OPERATION_REFUSED') throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
