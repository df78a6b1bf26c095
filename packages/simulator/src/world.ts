import type { ComputeAdapter, Environment, StorageAdapter, StorageCommand } from '@drctl/domain';
import { SimulatedCompute } from './compute.js';
import { WorldCore, checkWorldState, tallyKey, type SimulatedWorldOptions } from './core.js';
import { validateFaults, type Fault } from './faults.js';
import {
  initialWorldState,
  type CallTally,
  type DeviceState,
  type HostState,
  type MountState,
  type StorageEffect,
  type VmState,
  type WorldState,
} from './state.js';
import { SimulatedStorage } from './storage.js';

/**
 * Both sites' vCenters and all arrays of an environment, simulated in memory under an injected
 * clock. The engine drives it only through `compute` and `storage` (the ports), and persists it
 * with `snapshot()` / `SimulatedWorld.restore()` so separate processes continue on one world.
 */
export class SimulatedWorld {
  /** The simulated vCenters (compute port). */
  readonly compute: ComputeAdapter;
  /** The simulated arrays (storage port, kind `simulated`). */
  readonly storage: StorageAdapter;
  private readonly core: WorldCore;

  /**
   * A fresh world as the environment describes it (see `initialWorldState`), or — given `state`
   * — the same as `SimulatedWorld.restore`. Fault names are checked against the environment.
   */
  constructor(env: Environment, options: SimulatedWorldOptions, state?: WorldState) {
    if (options.faults) validateFaults(env, options.faults);
    this.core =
      state === undefined
        ? new WorldCore(env, initialWorldState(env, options.seed ?? env.seed, options.clock.now()), options, true)
        : new WorldCore(env, checkWorldState(env, state), options);
    this.compute = new SimulatedCompute(this.core);
    this.storage = new SimulatedStorage(this.core);
  }

  /**
   * A world continued from a snapshot. The state must belong to this environment (checked,
   * DR_INPUT_INVALID naming the path otherwise); faults and durations come from `options` since
   * they are not persisted. The seed is the saved one.
   */
  static restore(env: Environment, state: WorldState, options: SimulatedWorldOptions): SimulatedWorld {
    return new SimulatedWorld(env, options, state);
  }

  /** The whole state as plain JSON (a deep copy). */
  snapshot(): WorldState {
    return this.core.snapshot();
  }

  /**
   * The state without the copy `snapshot()` makes, for a store that serialises it at once (a
   * 10,000-VM world is megabytes: a checkpoint should not copy it twice). Do not keep or change it.
   */
  snapshotForStore(): Readonly<WorldState> {
    return this.core.liveState();
  }

  /**
   * `JSON.stringify(snapshotForStore())`, reusing the text of what did not change since the last
   * call: a step that touched one site or only the arrays does not re-encode the rest.
   */
  stateJson(): string {
    return this.core.stateJson();
  }

  /**
   * The same text in pieces a store can keep apart, so a step that touched one site writes that
   * site alone: `arrays` is everything but the sites (its `sites` list empty), `sites` each site's
   * state (`WorldState['sites'][number]`) in the state's order. Each piece is the same string
   * until a change touches it; the arrays' `savedAt` is the time of their last change.
   */
  stateJsonParts(): { arrays: string; sites: Array<{ name: string; json: string }> } {
    return this.core.stateJsonParts();
  }

  /**
   * Grows with every change to the state (not with time passing): equal counts mean nothing
   * changed, so a checkpoint can skip writing the world.
   */
  get changeCount(): number {
    return this.core.changeCount;
  }

  /**
   * Takes in, in place, a state another process saved (typically this world's changes merged
   * into it): what differs is replaced, the adapters keep working. Checked like `restore`.
   */
  adopt(state: WorldState): void {
    this.core.adopt(state);
  }

  get environment(): Environment {
    return this.core.env;
  }

  get seed(): number {
    return this.core.seed;
  }

  // ---- faults -------------------------------------------------------------------------------

  get faults(): readonly Fault[] {
    return this.core.faults;
  }

  /** Replaces the faults in force (checked against the environment); resets rescan-failure counts. */
  setFaults(faults: readonly Fault[]): void {
    validateFaults(this.core.env, faults);
    this.core.setFaults(faults);
  }

  // ---- effect and call counters ---------------------------------------------------------------

  /** Every state change a storage command made, in order (kept across snapshot/restore). */
  get effects(): readonly StorageEffect[] {
    return this.core.effects;
  }

  /** State changes `command` made (on `device` only, when given). */
  effectCount(command: StorageCommand, device?: string): number {
    let n = 0;
    for (const e of this.core.effects) if (e.command === command && (device === undefined || e.device === device)) n++;
    return n;
  }

  /** Calls of `command`; device commands count once per device named in the call. */
  callCount(command: StorageCommand, device?: string): number {
    return this.sumTallies(command, device, (t) => t.calls);
  }

  /** Calls that found their change already made and changed nothing (the idempotent repeats). */
  noOpCount(command: StorageCommand, device?: string): number {
    return this.sumTallies(command, device, (t) => t.noOps);
  }

  /** Per-device calls that ended in an error result (or a thrown injected error). */
  errorCount(command: StorageCommand, device?: string): number {
    return this.sumTallies(command, device, (t) => t.errors);
  }

  private sumTallies(command: StorageCommand, device: string | undefined, pick: (t: CallTally) => number): number {
    if (device !== undefined) {
      const t = this.core.tallies.get(tallyKey(command, device));
      return t ? pick(t) : 0;
    }
    let n = 0;
    for (const t of this.core.tallies.values()) if (t.command === command) n += pick(t);
    return n;
  }

  // ---- inspection (tests, CLI status) ---------------------------------------------------------

  /** A copy of one device's storage state, or undefined for an unknown id. */
  device(id: string): DeviceState | undefined {
    const d = this.core.devices.get(id);
    return d && structuredClone(d);
  }

  /** A copy of a VM's presence at a site; undefined when it is absent there. */
  vmAt(site: string, vm: string): VmState | undefined {
    const v = this.core.sites.get(site)?.vms.get(vm);
    return v && structuredClone(v);
  }

  /** A copy of a datastore's mount at a site; undefined when it is not mounted there. */
  mountAt(site: string, datastore: string): MountState | undefined {
    const m = this.core.sites.get(site)?.mounts.get(datastore);
    return m && structuredClone(m);
  }

  /** Rescan counters of a host. */
  host(name: string): HostState | undefined {
    for (const s of this.core.sites.values()) {
      const h = s.hosts.get(name);
      if (h) return { ...h };
    }
    return undefined;
  }
}
