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
  constructor(private readonly rootDir: string) {}

  async acquire(name: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>> {
    if (!Number.isFinite(limit)) return async () => undefined;
    const folder = join(this.rootDir, SLOT_DIRECTORY, ...keySegments(name, 'lock name'));
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      for (let slot = 0; slot < limit; slot++) {
        try {
          return await acquireFileLock(join(folder, `${slot}.lock`), `${name}#${slot}`);
        } catch (error) {
          if (!isDrError(error) || error.code !== 'DR_OPERATION_REFUSED') throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
