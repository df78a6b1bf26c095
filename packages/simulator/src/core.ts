import {
  DrError,
  type Clock,
  type Datastore,
  type Environment,
  type InputIssue,
  type Site,
  type StorageArray,
  type StorageCommand,
  type Vm,
  type Volume,
} from '@drctl/domain';
import { sleep } from './abort.js';
import { DEFAULT_DURATIONS_MS, DEFAULT_JITTER, type DurationName } from './durations.js';
import type { Fault } from './faults.js';
import { jittered } from './random.js';
import {
  WORLD_STATE_FORMAT,
  initialDeviceState,
  type CallTally,
  type DeviceState,
  type HostState,
  type MountState,
  type StorageEffect,
  type VmState,
  type WorldState,
} from './state.js';

export interface SimulatedWorldOptions {
  /** Time source for every simulated duration; a VirtualClock runs hours in milliseconds. */
  clock: Clock;
  /** Seed of the timing jitter. @default the environment's `seed` */
  seed?: number;
  /** Faults in force from the start (see `parseFault`); not part of the persisted state. */
  faults?: readonly Fault[];
  /** Spread of the seeded jitter as a fraction: 0.05 scales durations by 0.95–1.05; 0 turns it off. */
  jitter?: number;
  /** Base durations to replace, in milliseconds. */
  durations?: Partial<Record<DurationName, number>>;
}

/** A site's vCenter state, indexed for lookups. */
export interface RuntimeSite {
  name: string;
  mounts: Map<string, MountState>;
  vms: Map<string, VmState>;
  hosts: Map<string, HostState>;
  /** Latest `devicesSeenAt` of any host at the site. */
  latestScanAt: number;
}

/**
 * The shared state and lookups behind the simulated vCenter and arrays. Internal: the public
 * face is SimulatedWorld and the two port adapters.
 */
export class WorldCore {
  readonly env: Environment;
  readonly clock: Clock;
  readonly seed: number;
  readonly createdAt: number;
  readonly devices = new Map<string, DeviceState>();
  readonly sites = new Map<string, RuntimeSite>();
  readonly effects: StorageEffect[];
  readonly tallies = new Map<string, CallTally>();
  readonly arrays: ReadonlyMap<string, StorageArray>;
  readonly volumes: ReadonlyMap<string, Volume>;
  readonly vms: ReadonlyMap<string, Vm>;
  readonly datastores: ReadonlyMap<string, Datastore>;
  readonly siteConfigs: ReadonlyMap<string, Site>;
  /** Host name → site name. */
  readonly hostSite: ReadonlyMap<string, string>;
  /** Datastore → VMs with a disk on it. */
  readonly vmsOnDatastore: ReadonlyMap<string, readonly string[]>;
  private readonly jitter: number;
  private readonly durations: Readonly<Record<DurationName, number>>;
  private faultList: Fault[] = [];
  /**
   * The faults every VM operation asks about, by name: a 10,000-VM run asks hundreds of thousands
   * of times, and a scan of the list allocated a closure each time.
   */
  private readonly sitesDown = new Set<string>();
  private readonly vmFaults = { 'no-tools': new Set<string>(), 'power-on-fails': new Set<string>() };
  /** Injected rescan failures already used, per host (reset by setFaults). */
  private readonly rescanFailuresUsed = new Map<string, number>();
  /**
   * The JSON text of each part of the state (`devices`, `effects`, `calls`, `site:<name>`) as
   * last written by `stateJson`, dropped by every change to that part: a 10,000-VM world is
   * saved after every step, and most steps change one site or only the arrays.
   */
  private readonly partText = new Map<string, string>();
  /** Counts changes to the persisted state (see `changed`). */
  changeCount = 0;

  /** `state` is copied unless `owned` says the caller hands it over (a freshly built one). */
  constructor(env: Environment, state: WorldState, options: SimulatedWorldOptions, owned = false) {
    this.env = env;
    this.clock = options.clock;
    this.seed = state.seed;
    this.createdAt = state.createdAt;
    this.jitter = options.jitter ?? DEFAULT_JITTER;
    this.durations = { ...DEFAULT_DURATIONS_MS, ...options.durations };
    this.arrays = new Map(env.arrays.map((a) => [a.id, a] as const));
    this.volumes = new Map(env.volumes.map((v) => [v.id, v] as const));
    this.vms = new Map(env.vms.map((v) => [v.name, v] as const));
    this.datastores = new Map(env.datastores.map((d) => [d.name, d] as const));
    this.siteConfigs = new Map(env.sites.map((s) => [s.name, s] as const));
    const hostSite = new Map<string, string>();
    for (const site of env.sites)
      for (const c of site.clusters) for (const h of c.hosts) hostSite.set(h.name, site.name);
    this.hostSite = hostSite;
    const onDatastore = new Map<string, string[]>();
    for (const vm of env.vms) {
      for (const ds of vm.datastores) {
        const list = onDatastore.get(ds);
        if (list) list.push(vm.name);
        else onDatastore.set(ds, [vm.name]);
      }
    }
    this.vmsOnDatastore = onDatastore;

    const copy = owned ? state : structuredClone(state);
    for (const device of copy.devices) this.devices.set(device.id, device);
    env.volumes.forEach((volume, i) => {
      if (!this.devices.has(volume.id)) this.devices.set(volume.id, initialDeviceState(env, i, this.createdAt));
    });
    for (const site of env.sites) {
      const saved = copy.sites.find((s) => s.name === site.name);
      const hosts = new Map<string, HostState>();
      for (const c of site.clusters)
        for (const h of c.hosts)
          hosts.set(h.name, { host: h.name, rescans: 0, failedRescans: 0, devicesSeenAt: this.createdAt });
      for (const h of saved?.hosts ?? []) hosts.set(h.host, h);
      this.sites.set(site.name, {
        name: site.name,
        mounts: new Map((saved?.datastores ?? []).map((m) => [m.datastore, m] as const)),
        vms: new Map((saved?.vms ?? []).map((v) => [v.vm, v] as const)),
        hosts,
        latestScanAt: Math.max(...[...hosts.values()].map((h) => h.devicesSeenAt)),
      });
    }
    this.effects = copy.effects;
    for (const tally of copy.calls) this.tallies.set(tallyKey(tally.command, tally.device), tally);
    this.setFaults(options.faults ?? []);
  }

  // ---- faults -------------------------------------------------------------------------------

  get faults(): readonly Fault[] {
    return this.faultList;
  }

  setFaults(faults: readonly Fault[]): void {
    this.faultList = faults.map((f) => ({ ...f }));
    this.rescanFailuresUsed.clear();
    this.sitesDown.clear();
    for (const vms of Object.values(this.vmFaults)) vms.clear();
    for (const f of this.faultList) {
      if (f.kind === 'site-down') this.sitesDown.add(f.site);
      else if (f.kind === 'no-tools' || f.kind === 'power-on-fails') this.vmFaults[f.kind].add(f.vm);
    }
  }

  isSiteDown(site: string): boolean {
    return this.sitesDown.has(site);
  }

  /** A hang or error fault for the command that applies to `device` (or to the whole call). */
  storageFault(kind: 'hang' | 'error', command: StorageCommand, device?: string): Fault | undefined {
    return this.faultList.find(
      (f) =>
        f.kind === kind &&
        f.command === command &&
        (f.device === undefined || device === undefined || f.device === device),
    );
  }

  vmFault(kind: 'no-tools' | 'power-on-fails', vm: string): boolean {
    return this.vmFaults[kind].has(vm);
  }

  /** Whether syncs of `device` stop moving half way. */
  syncStalls(device: string): boolean {
    return this.faultList.some((f) => f.kind === 'sync-stalls' && f.device === device);
  }

  /** Whether this rescan of `host` should fail; counts the failure when it does. */
  takeRescanFailure(host: string): boolean {
    const fault = this.faultList.find(
      (f): f is Extract<Fault, { kind: 'rescan-fails' }> => f.kind === 'rescan-fails' && f.host === host,
    );
    if (!fault) return false;
    const used = this.rescanFailuresUsed.get(host) ?? 0;
    if (fault.times !== undefined && used >= fault.times) return false;
    this.rescanFailuresUsed.set(host, used + 1);
    return true;
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Waits `ms` of the clock's time; rejects with the signal's reason as soon as it fires. */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return sleep(this.clock, ms, signal);
  }

  /** Base duration of an operation, jittered by the seed and the name it is keyed on. */
  duration(name: DurationName, key: string): number {
    return jittered(this.durations[name], this.jitter, this.seed, name, key);
  }

  /** `seconds` of a VM or volume timing, jittered by the seed and the name it is keyed on. */
  timing(seconds: number, purpose: string, key: string): number {
    return jittered(seconds * 1000, this.jitter, this.seed, purpose, key);
  }

  // ---- storage bookkeeping ------------------------------------------------------------------

  arraySite(arrayId: string): string | undefined {
    return this.arrays.get(arrayId)?.site;
  }

  recordEffect(command: StorageCommand, device: string, array: string): void {
    this.changed('effects');
    this.effects.push({ command, device, array, at: this.clock.now() });
  }

  /** Counts a call (`call`, per device for device commands) or how it ended when it changed nothing. */
  tally(command: StorageCommand, device: string | undefined, what: 'call' | 'no-op' | 'error'): void {
    this.changed('calls');
    const key = tallyKey(command, device);
    let tally = this.tallies.get(key);
    if (!tally) {
      tally =
        device === undefined
          ? { command, calls: 0, noOps: 0, errors: 0 }
          : { command, device, calls: 0, noOps: 0, errors: 0 };
      this.tallies.set(key, tally);
    }
    if (what === 'call') tally.calls++;
    else if (what === 'no-op') tally.noOps++;
    else tally.errors++;
  }

  // ---- snapshot -----------------------------------------------------------------------------

  /**
   * Every change to the persisted state goes through here first (a device replaced, an effect or
   * call recorded, anything at a site's vCenter), so `stateJson` and `changeCount` stay true.
   */
  changed(part: WorldPart): void {
    this.changeCount++;
    this.partText.delete(part);
    if (!part.startsWith('site:')) this.partText.delete(ARRAYS_PART);
  }

  /**
   * `JSON.stringify(liveState())`, built from the text of the parts no change touched since the
   * last call and the fresh text of the others.
   */
  stateJson(): string {
    const sites = this.siteTexts().map((s) => s.json);
    return this.arraysText(`,"sites":[${sites.join(',')}]`);
  }

  /**
   * The same text in the pieces a store may keep apart: everything but the sites (with an empty
   * `sites` list), and each site's own, each reused while no change touched it.
   */
  stateJsonParts(): { arrays: string; sites: Array<{ name: string; json: string }> } {
    // The arrays' text is kept too, with the time it was made: while only sites change, the
    // same text (its `savedAt` the arrays' last change) tells a store there is nothing to write.
    let arrays = this.partText.get(ARRAYS_PART);
    if (arrays === undefined) {
      arrays = this.arraysText(',"sites":[]');
      this.partText.set(ARRAYS_PART, arrays);
    }
    return { arrays, sites: this.siteTexts() };
  }

  /** A part's text, encoded afresh only when a change touched the part since. */
  private partJson(part: WorldPart, value: () => unknown): string {
    let cached = this.partText.get(part);
    if (cached === undefined) {
      cached = JSON.stringify(value());
      this.partText.set(part, cached);
    }
    return cached;
  }

  private siteTexts(): Array<{ name: string; json: string }> {
    return [...this.sites.values()].map((s) => ({
      name: s.name,
      json: this.partJson(`site:${s.name}`, () => siteState(s)),
    }));
  }

  /** Everything but the sites, with `sites` (the field as text) where they go. */
  private arraysText(sites: string): string {
    // The scalar fields encoded as liveState has them, then the parts in the same order.
    const header = JSON.stringify(this.header()).slice(0, -1);
    const devices = this.partJson('devices', () => [...this.devices.values()]);
    const effects = this.partJson('effects', () => this.effects);
    const calls = this.partJson('calls', () => [...this.tallies.values()]);
    return `${header},"devices":${devices}${sites},"effects":${effects},"calls":${calls}}`;
  }

  snapshot(): WorldState {
    return structuredClone(this.liveState());
  }

  /**
   * Takes in a state another process wrote (merged with this one's changes) in place: records
   * that differ are replaced, the rest stay the same objects, and the adapters keep working.
   * `state` is handed over (not copied).
   */
  adopt(state: WorldState): void {
    const checked = checkWorldState(this.env, state);
    // Whatever came in, every part is written afresh next time.
    this.changeCount++;
    this.partText.clear();
    const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
    for (const device of checked.devices) {
      if (this.devices.has(device.id) && differs(this.devices.get(device.id), device))
        this.devices.set(device.id, device);
    }
    const replaceAll = <V>(map: Map<string, V>, items: readonly V[], keyOf: (item: V) => string) => {
      const wanted = new Map(items.map((item) => [keyOf(item), item] as const));
      for (const key of [...map.keys()]) if (!wanted.has(key)) map.delete(key);
      for (const [key, item] of wanted) if (differs(map.get(key), item)) map.set(key, item);
    };
    for (const saved of checked.sites) {
      const site = this.sites.get(saved.name);
      if (!site) continue;
      replaceAll(site.mounts, saved.datastores, (m) => m.datastore);
      replaceAll(site.vms, saved.vms, (v) => v.vm);
      for (const host of saved.hosts) if (site.hosts.has(host.host)) site.hosts.set(host.host, host);
      site.latestScanAt = Math.max(...[...site.hosts.values()].map((h) => h.devicesSeenAt));
    }
    // Copied first: the merged state may hold this very list when only this process added to it.
    const effects = [...checked.effects];
    this.effects.length = 0;
    for (const effect of effects) this.effects.push(effect);
    this.tallies.clear();
    for (const tally of checked.calls) this.tallies.set(tallyKey(tally.command, tally.device), tally);
  }

  /** The state as it is now, sharing the live objects: only for a caller that serialises it at once. */
  liveState(): WorldState {
    return {
      ...this.header(),
      devices: [...this.devices.values()],
      sites: [...this.sites.values()].map(siteState),
      effects: this.effects,
      calls: [...this.tallies.values()],
    };
  }

  /** The state's fields other than its parts, first in its saved form. */
  private header(): Omit<WorldState, 'devices' | 'sites' | 'effects' | 'calls'> {
    return {
      format: WORLD_STATE_FORMAT,
      version: 1,
      environment: this.env.name,
      seed: this.seed,
      createdAt: this.createdAt,
      savedAt: this.clock.now(),
    };
  }
}

/** The key of the arrays' whole text (everything but the sites) among the parts' texts. */
const ARRAYS_PART = 'arrays';

/** The parts of the persisted state whose text `stateJson` keeps between changes. */
export type WorldPart = 'devices' | 'effects' | 'calls' | `site:${string}`;

function siteState(site: RuntimeSite): WorldState['sites'][number] {
  return {
    name: site.name,
    datastores: [...site.mounts.values()],
    vms: [...site.vms.values()],
    hosts: [...site.hosts.values()],
  };
}

export function tallyKey(command: StorageCommand, device: string | undefined): string {
  return device === undefined ? command : `${command}\u0000${device}`;
}

/**
 * Checks that a saved state belongs to this environment before it is trusted. Throws
 * DR_INPUT_INVALID naming the offending path; devices the environment gained since start fresh.
 */
export function checkWorldState(env: Environment, state: unknown): WorldState {
  const issues: InputIssue[] = [];
  const fail = (): never => {
    throw new DrError('DR_INPUT_INVALID', `The saved simulated world does not fit environment ${env.name}.`, {
      issues,
    });
  };
  if (state === null || typeof state !== 'object') {
    issues.push({ path: '', message: 'expected a saved simulated world (an object)' });
    return fail();
  }
  const s = state as Partial<WorldState>;
  if (s.format !== WORLD_STATE_FORMAT) issues.push({ path: 'format', message: `expected ${WORLD_STATE_FORMAT}` });
  if (s.version !== 1) issues.push({ path: 'version', message: 'expected version 1' });
  if (s.environment !== env.name)
    issues.push({
      path: 'environment',
      message: `the state belongs to environment ${String(s.environment)}, not ${env.name}`,
    });
  for (const key of ['seed', 'createdAt', 'savedAt'] as const) {
    if (typeof s[key] !== 'number') issues.push({ path: key, message: 'expected a number' });
  }
  for (const key of ['devices', 'sites', 'effects', 'calls'] as const) {
    if (!Array.isArray(s[key])) issues.push({ path: key, message: 'expected a list' });
  }
  if (issues.length > 0) return fail();
  const volumeById = new Map(env.volumes.map((v) => [v.id, v] as const));
  s.devices!.forEach((d, i) => {
    const volume = volumeById.get(d?.id);
    if (!volume) return issues.push({ path: `devices[${i}].id`, message: `unknown device ${String(d?.id)}` });
    const arrays = [volume.sourceArray, volume.targetArray];
    if (!arrays.includes(d.source) || !arrays.includes(d.target) || d.source === d.target) {
      issues.push({ path: `devices[${i}]`, message: `device ${d.id} must replicate between ${arrays.join(' and ')}` });
    }
    return undefined;
  });
  const vms = new Set(env.vms.map((v) => v.name));
  const datastores = new Set(env.datastores.map((d) => d.name));
  s.sites!.forEach((site, i) => {
    const config = env.sites.find((x) => x.name === site?.name);
    if (!config) {
      issues.push({ path: `sites[${i}].name`, message: `unknown site ${String(site?.name)}` });
      return;
    }
    const hosts = new Set(config.clusters.flatMap((c) => c.hosts.map((h) => h.name)));
    (site.hosts ?? []).forEach((h, j) => {
      if (!hosts.has(h?.host))
        issues.push({
          path: `sites[${i}].hosts[${j}].host`,
          message: `unknown host ${String(h?.host)} at ${config.name}`,
        });
    });
    (site.vms ?? []).forEach((v, j) => {
      if (!vms.has(v?.vm)) issues.push({ path: `sites[${i}].vms[${j}].vm`, message: `unknown VM ${String(v?.vm)}` });
      else if (!hosts.has(v.host))
        issues.push({
          path: `sites[${i}].vms[${j}].host`,
          message: `unknown host ${String(v.host)} at ${config.name}`,
        });
    });
    (site.datastores ?? []).forEach((m, j) => {
      if (!datastores.has(m?.datastore))
        issues.push({
          path: `sites[${i}].datastores[${j}].datastore`,
          message: `unknown datastore ${String(m?.datastore)}`,
        });
    });
  });
  if (issues.length > 0) return fail();
  return s as WorldState;
}
