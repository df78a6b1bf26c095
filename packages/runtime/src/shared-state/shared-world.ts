import { createHash } from 'node:crypto';
import { DrError, type DocumentStore } from '@drctl/domain';
import type { SimulatedWorld, WorldState } from '@drctl/simulator';
import { SharedDocument } from './shared-document.js';

type SiteState = WorldState['sites'][number];

/**
 * The simulated world as several shared documents: the arrays (`<key>`: everything but the
 * sites, its `sites` list empty) and each site's vCenter (`<key>-sites/<site>`). A checkpoint
 * writes only what changed, as the real systems keep their own state apart: a storage step writes
 * the arrays' few hundred kilobytes, a VM step one site, where the whole world of a 10,000-VM
 * plan is megabytes (so the arrays' `savedAt` is the time they last changed). Each part is merged
 * with other processes' changes on its own (see SharedDocument). A world stored whole, as earlier
 * versions kept it, is read as it is and stored in parts from the next save on.
 */
export class SharedWorld {
  private readonly arrays: SharedDocument<WorldState>;
  private readonly sites = new Map<string, SharedDocument<SiteState>>();
  /**
   * The stored world was one whole document (an earlier version's): the next save writes every
   * part, whatever this process changed, since the arrays' document loses its sites then.
   */
  private storedWhole = false;

  constructor(store: DocumentStore, key: string, siteNames: readonly string[]) {
    this.arrays = new SharedDocument<WorldState>(store, key);
    for (const name of siteNames) this.sites.set(name, new SharedDocument<SiteState>(store, siteKey(key, name)));
  }

  /** The stored world (undefined when there is none), made this process's base. */
  async load(): Promise<WorldState | undefined> {
    const arrays = await this.arrays.load();
    if (arrays === undefined) return undefined;
    // Stored whole: its sites are in it.
    if (arrays.sites.length > 0) {
      this.storedWhole = true;
      // Each site as stored is the base its changes are merged from, should another process
      // store the parts first.
      for (const site of arrays.sites) this.sites.get(site.name)?.startFrom(site);
      return arrays;
    }
    const sites: SiteState[] = [];
    for (const doc of this.sites.values()) {
      const site = await doc.load();
      if (site !== undefined) sites.push(site);
    }
    return { ...arrays, sites };
  }

  /** Starts from a world this process built or restored: changes are measured from it. */
  startFrom(state: WorldState): void {
    this.arrays.startFrom({ ...state, sites: [] });
    for (const site of state.sites) this.sites.get(site.name)?.startFrom(site);
  }

  /**
   * The stored world with this process's changes merged in, part by part, when another process
   * wrote any part since; undefined when nobody did.
   */
  async theirsMerged(ours: () => WorldState): Promise<WorldState | undefined> {
    let copy: WorldState | undefined;
    const mine = () => (copy ??= ours());
    const arrays = await this.arrays.theirsMerged(() => ({ ...mine(), sites: [] }));
    const merged = new Map<string, SiteState>();
    for (const [name, doc] of this.sites) {
      const site = await doc.theirsMerged(() => siteOf(mine(), name));
      if (site !== undefined) merged.set(name, site);
    }
    if (arrays === undefined && merged.size === 0) return undefined;
    const base = arrays ?? mine();
    return {
      ...base,
      sites: mine().sites.map((site) => merged.get(site.name) ?? site),
    };
  }

  /**
   * Writes the parts of `world` that changed (all of them when `force`, or when the stored world
   * was whole), each merged with any newer stored copy. The sites first and the arrays last: a
   * crash in between leaves a whole world still whole.
   */
  async save(world: SimulatedWorld, force: boolean): Promise<void> {
    const every = force || this.storedWhole;
    const parts = world.stateJsonParts();
    const live = world.snapshotForStore();
    for (const { name, json } of parts.sites) {
      const doc = this.sites.get(name);
      if (doc) await doc.save(siteOf(live, name), every, json);
    }
    await this.arrays.save({ ...live, sites: [] }, every, parts.arrays);
    this.storedWhole = false;
  }
}

function siteOf(state: Readonly<WorldState>, name: string): SiteState {
  const site = state.sites.find((s) => s.name === name);
  if (!site) throw new DrError('DR_INTERNAL', `The simulated world has no site ${name}.`);
  return site;
}

/**
 * A site's key: readable, and the same for the same name whatever characters it holds (a
 * site's name may be any text; a store key may not).
 */
function siteKey(worldKey: string, site: string): string {
  const readable = site.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  const digest = createHash('sha256').update(site).digest('hex').slice(0, 12);
  return `${worldKey}-sites/${readable}-${digest}`;
}
