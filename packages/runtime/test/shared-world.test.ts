import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { VirtualClock, type DocumentStore } from '@drctl/domain';
import { SimulatedWorld, type WorldState } from '@drctl/simulator';
import { MemoryStore } from '@drctl/store';
import { readEnvironment } from '../src/index.js';
import { SharedWorld } from '../src/shared-state/shared-world.js';

const techsol = resolve(import.meta.dirname, '../../../examples/techsol/environment.yaml');
const KEY = 'environments/techsol/world';

/** A memory store that remembers which documents were written. */
class WatchedStore extends MemoryStore {
  written: string[] = [];
  override async write(key: string, value: unknown): Promise<void> {
    this.written.push(key);
    await super.write(key, value);
  }
  override async writeJson(key: string, json: string): Promise<void> {
    this.written.push(key);
    await super.writeJson(key, json);
  }
}

function setUp() {
  const env = readEnvironment(techsol);
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1) });
  const world = new SimulatedWorld(env, { clock });
  const sites = env.sites.map((s) => s.name);
  const protectedSite = sites[0]!;
  const vm = env.vms.find((v) => v.site === protectedSite)!.name;
  return { env, clock, world, sites, protectedSite, vm };
}

const documents = (store: WatchedStore) => store.written.filter((k) => !k.endsWith('.rev'));

describe('the simulated world in parts', () => {
  it('writes only the parts a change touched, and reads back the world it wrote', async () => {
    const { env, clock, world, sites, protectedSite, vm } = setUp();
    const store = new WatchedStore();
    const shared = new SharedWorld(store, KEY, sites);
    await shared.save(world, true);
    expect(documents(store)).toHaveLength(1 + sites.length);

    // A VM powered off at the protected site: that site's part alone (not the arrays, not the other site).
    store.written = [];
    const signal = new AbortController().signal;
    await clock.runUntil(world.compute.powerOff({ site: protectedSite, vm, signal }));
    await shared.save(world, false);
    expect(documents(store)).toHaveLength(1);
    expect(documents(store)[0]).toMatch(new RegExp(`^${KEY}-sites/${protectedSite}-`));
    // The arrays' stored time is when they last changed.
    expect((await store.read<WorldState>(KEY))!.savedAt).toBeLessThan(clock.now());
    // A storage command: the arrays alone.
    store.written = [];
    const volume = env.volumes[0]!;
    await clock.runUntil(
      world.storage.syncOnce({
        arrayId: volume.sourceArray,
        devices: [volume.id],
        idempotencyKey: 'sync-1',
        context: { workflow: 'test', plan: 'p', runId: 'r' },
        signal,
      }),
    );
    await shared.save(world, false);
    expect(documents(store)).toEqual([KEY]);

    const loaded = await new SharedWorld(store, KEY, sites).load();
    expect(loaded).toEqual(world.snapshot());
    const restored = SimulatedWorld.restore(env, loaded!, { clock });
    expect(await restored.compute.vmState({ site: protectedSite, vm, signal })).toBe('off');
  });

  it('reads a world stored whole, as earlier versions kept it, and stores every part at the next save', async () => {
    const { env, clock, world, sites, protectedSite, vm } = setUp();
    const store = new WatchedStore();
    await store.write(KEY, world.snapshot());
    const shared = new SharedWorld(store, KEY, sites);
    const loaded = await shared.load();
    expect(loaded).toEqual(world.snapshot());
    // As the workspace does: the world restored from it is this process's base, and a step then
    // changes one site only. The other site must still be stored, or it would be lost.
    const restored = SimulatedWorld.restore(env, loaded!, { clock });
    shared.startFrom(restored.snapshot());
    const signal = new AbortController().signal;
    await clock.runUntil(restored.compute.powerOff({ site: protectedSite, vm, signal }));
    await shared.save(restored, false);
    expect(((await store.read<WorldState>(KEY)) as WorldState).sites).toEqual([]);
    expect(documents(store).filter((k) => k.startsWith(`${KEY}-sites/`))).toHaveLength(sites.length);
    expect(await new SharedWorld(store, KEY, sites).load()).toEqual(restored.snapshot());
  });

  it('merges from a world stored whole when another process stored its parts first', async () => {
    const { env, clock, world, sites, protectedSite, vm } = setUp();
    const store = new MemoryStore();
    await store.write(KEY, world.snapshot());
    const signal = new AbortController().signal;
    // Both processes read the whole world; the second changes the protected site and stores parts.
    const first = new SharedWorld(store, KEY, sites);
    const ours = SimulatedWorld.restore(env, (await first.load())!, { clock });
    const second = new SharedWorld(store, KEY, sites);
    const theirs = SimulatedWorld.restore(env, (await second.load())!, { clock });
    await clock.runUntil(theirs.compute.powerOff({ site: protectedSite, vm, signal }));
    await second.save(theirs, false);
    // The first, which changed nothing there, takes their change in rather than its stale copy.
    const merged = await first.theirsMerged(() => ours.snapshot());
    ours.adopt(merged!);
    expect(await ours.compute.vmState({ site: protectedSite, vm, signal })).toBe('off');
    await first.save(ours, false);
    const after = SimulatedWorld.restore(env, (await new SharedWorld(store, KEY, sites).load())!, { clock });
    expect(await after.compute.vmState({ site: protectedSite, vm, signal })).toBe('off');
  });

  it("merges each part with another process's changes to it", async () => {
    const { env, clock, world, sites, protectedSite, vm } = setUp();
    const store: DocumentStore = new MemoryStore();
    const first = new SharedWorld(store, KEY, sites);
    await first.save(world, true);
    // A second process loads the same world, changes the protected site and saves.
    const second = new SharedWorld(store, KEY, sites);
    const theirs = SimulatedWorld.restore(env, (await second.load())!, { clock });
    const signal = new AbortController().signal;
    await clock.runUntil(theirs.compute.powerOff({ site: protectedSite, vm, signal }));
    await second.save(theirs, false);
    // The first process, which did not see it, takes it in before going on.
    const merged = await first.theirsMerged(() => world.snapshot());
    expect(merged).toBeDefined();
    world.adopt(merged!);
    expect(await world.compute.vmState({ site: protectedSite, vm, signal })).toBe('off');
    // Nothing new since: nothing to merge.
    expect(await first.theirsMerged(() => world.snapshot())).toBeUndefined();
  });
});
