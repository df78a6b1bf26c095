import type { DocumentStore } from '@drctl/domain';
import { mergeJson } from './json-merge.js';

/** The small document guarding a shared one: bumped by every process that writes it. */
interface Revision {
  rev: number;
}

/**
 * A document of state several processes change — the simulated world, the Data Collector's
 * arrays, the clock. Every write goes through the store's atomic `update` of a small revision
 * document: when no other process wrote since this one last read or wrote, its copy is written
 * as it is; otherwise the stored copy is read and this process's changes are merged into it
 * (`mergeJson`, or `merge`), never a stale whole-copy write. A copy this process did not change
 * is never written at all, so reading commands write nothing.
 */
export class SharedDocument<T> {
  private readonly revisionKey: string;
  /** The revision this process last read or wrote (0: never written by anyone). */
  private revision = 0;
  /** This process's copy as last read or written, serialised: the base of a three-way merge. */
  private base: string | undefined;

  constructor(
    private readonly store: DocumentStore,
    private readonly key: string,
    private readonly merge: (base: T | undefined, ours: T, theirs: T) => T = (b, o, t) => mergeJson(b, o, t) as T,
  ) {
    this.revisionKey = `${key}.rev`;
  }

  /** Reads the stored copy (undefined when none) and makes it this process's base. */
  async load(): Promise<T | undefined> {
    const head = await this.store.read<Revision>(this.revisionKey);
    const value = await this.store.read<T>(this.key);
    this.revision = head?.rev ?? 0;
    this.base = value === undefined ? undefined : JSON.stringify(value);
    return value;
  }

  /** Starts from a copy this process built itself (a fresh world): changes are measured from it. */
  startFrom(value: T): void {
    this.base = JSON.stringify(value);
  }

  /**
   * The stored copy with this process's changes merged in, when another process wrote since;
   * undefined when nobody did (this process's copy is current). Does not write.
   */
  async theirsMerged(ours: () => T): Promise<T | undefined> {
    const head = await this.store.read<Revision>(this.revisionKey);
    if ((head?.rev ?? 0) === this.revision) return undefined;
    const theirs = await this.store.read<T>(this.key);
    if (theirs === undefined) return undefined;
    const merged = this.merge(this.parsedBase(), ours(), theirs);
    // What is merged in from the store now counts as read: later merges start from it.
    this.revision = head?.rev ?? 0;
    this.base = JSON.stringify(merged);
    return merged;
  }

  /**
   * Writes this process's copy (merged with any newer stored one); nothing when it is unchanged,
   * unless `force` (a fresh state folder gets its first copy). `encoded` is `ours` as JSON when
   * the caller has it already.
   */
  async save(ours: T, force = false, encoded?: string): Promise<void> {
    const text = encoded ?? JSON.stringify(ours);
    if (text === this.base && !force) return;
    await this.store.update<Revision>(this.revisionKey, async (head) => {
      const rev = head?.rev ?? 0;
      let value: T = ours;
      if (rev !== this.revision) {
        const theirs = await this.store.read<T>(this.key);
        if (theirs !== undefined) value = this.merge(this.parsedBase(), ours, theirs);
      }
      // Our copy is encoded already (above): a 10,000-VM world is megabytes, encode it once.
      if (value === ours && this.store.writeJson) await this.store.writeJson(this.key, text);
      else await this.store.write(this.key, value);
      // After a merge the store holds changes this copy lacks: the next save merges again.
      this.revision = value === ours ? rev + 1 : -1;
      // Our copy, not the merged one: what others changed and we did not stays theirs next time.
      this.base = text;
      return { rev: rev + 1 };
    });
  }

  private parsedBase(): T | undefined {
    return this.base === undefined ? undefined : (JSON.parse(this.base) as T);
  }
}
