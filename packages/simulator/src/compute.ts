import { DrError, type ComputeAdapter, type ComputeRequest } from '@drctl/domain';
import { throwIfAborted } from './abort.js';
import type { RuntimeSite, WorldCore } from './core.js';
import type { ComputeOperation } from './durations.js';
import type { MountState, VmState } from './state.js';
import { accessOn } from './transitions.js';

type VmPowerState = 'on' | 'off' | 'suspended' | 'placeholder' | 'absent';

/** What an operation finds when it looks at the world: go ahead, or nothing left to do. */
type Readiness = 'proceed' | 'done';

function computeError(message: string, details: Record<string, unknown>): DrError {
  return new DrError('DR_COMPUTE_ERROR', message, { details });
}

/**
 * The simulated vCenters of both sites. Operations take virtual time (jittered by the name they
 * act on, never by call order), check real preconditions before and again when they finish,
 * and are forgiving of repeats: asking for a state that already holds (mounted, registered,
 * on, off…) succeeds at once without changing anything, so a resumed run can simply redo a step.
 */
export class SimulatedCompute implements ComputeAdapter {
  /** VMs protected by vSphere Replication: their disks reach the recovery site without an array. */
  private readonly vmReplicated: ReadonlySet<string>;

  constructor(private readonly core: WorldCore) {
    this.vmReplicated = new Set(
      core.env.protectionGroups.flatMap((g) => (g.type === 'vsphere-replication' ? g.vms : [])),
    );
  }

  async isSiteReachable(site: string, signal: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    this.siteState(site);
    return !this.core.isSiteDown(site);
  }

  async rescanHost({ site, host, signal }: ComputeRequest<'rescanHost'>): Promise<void> {
    const state = this.reachableSite(site, signal);
    const hostState = state.hosts.get(host);
    if (!hostState) throw computeError(`Host ${host} is not at site ${site}.`, { site, host });
    const startedAt = this.core.clock.now();
    await this.core.sleep(this.core.duration('rescanHost', host), signal);
    this.reachableSite(site, signal);
    this.core.changed(`site:${site}`);
    if (this.core.takeRescanFailure(host)) {
      hostState.failedRescans++;
      throw computeError(`Storage rescan of host ${host} at ${site} failed (injected fault).`, { site, host });
    }
    hostState.rescans++;
    // The scan sees what was presented when it started.
    hostState.devicesSeenAt = Math.max(hostState.devicesSeenAt, startedAt);
    state.latestScanAt = Math.max(state.latestScanAt, hostState.devicesSeenAt);
  }

  async matchStretchedDevices({ site, devices, signal }: ComputeRequest<'matchStretchedDevices'>): Promise<void> {
    const check = (): Readiness => {
      for (const id of devices) {
        const volume = this.core.volumes.get(id);
        if (!volume) throw computeError(`Device ${id} is not known at site ${site}.`, { site, device: id });
        if (!volume.liveVolume)
          throw computeError(
            `Device ${id} is not a stretched (Live Volume) device; there is nothing to match at ${site}.`,
            { site, device: id },
          );
        const device = this.core.devices.get(id)!;
        if (this.arrayAt(device.source, device.target, site) === undefined) {
          throw computeError(`Live Volume ${id} has no array at site ${site}.`, { site, device: id });
        }
      }
      return 'proceed';
    };
    return this.operation(site, 'matchStretchedDevices', devices.join(','), signal, check, () => undefined);
  }

  async mountDatastore(request: {
    site: string;
    datastore: string;
    devices: string[];
    test: boolean;
    signal: AbortSignal;
  }): Promise<void> {
    const { site, datastore, test, signal } = request;
    const config = this.core.datastores.get(datastore);
    if (!config) throw computeError(`Datastore ${datastore} is not in the environment.`, { site, datastore });
    const devices = request.devices.length > 0 ? request.devices : config.devices;
    const check = (state: RuntimeSite): Readiness => {
      const mounted = state.mounts.get(datastore);
      if (mounted) {
        if (mounted.test === test) return 'done';
        throw computeError(
          `Datastore ${datastore} is already mounted at ${site} as a ${mounted.test ? 'test copy' : 'production datastore'}; unmount it first.`,
          { site, datastore },
        );
      }
      for (const id of devices) this.checkDeviceVisible(state, id, test, datastore);
      return 'proceed';
    };
    return this.operation(site, 'mountDatastore', datastore, signal, check, (state) => {
      state.mounts.set(datastore, { datastore, test, devices: [...devices], mountedAt: this.core.clock.now() });
    });
  }

  async unmountDatastore({ site, datastore, test, signal }: ComputeRequest<'unmountDatastore'>): Promise<void> {
    const check = (state: RuntimeSite): Readiness => {
      const mounted = state.mounts.get(datastore);
      if (!mounted) return 'done';
      if (mounted.test !== test) {
        throw computeError(
          `Datastore ${datastore} is mounted at ${site} as a ${mounted.test ? 'test copy' : 'production datastore'}, not as ${test ? 'a test copy' : 'production'}.`,
          { site, datastore },
        );
      }
      for (const vm of this.core.vmsOnDatastore.get(datastore) ?? []) {
        const v = state.vms.get(vm);
        if (v && v.kind === 'registered' && v.power !== 'off') {
          throw computeError(
            `Datastore ${datastore} at ${site} is in use: VM ${vm} is ${v.power === 'on' ? 'powered on' : 'suspended'} on it.`,
            { site, datastore, vm },
          );
        }
      }
      return 'proceed';
    };
    return this.operation(site, 'unmountDatastore', datastore, signal, check, (state) => {
      state.mounts.delete(datastore);
    });
  }

  async registerVm({ site, vm, host, test, signal }: ComputeRequest<'registerVm'>): Promise<void> {
    const config = this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => {
      this.hostAt(state, host);
      const current = state.vms.get(vm);
      if (current?.kind === 'registered') {
        if (current.test === test) return 'done';
        throw computeError(
          `VM ${vm} is already registered at ${site} as a ${current.test ? 'test' : 'production'} VM.`,
          { site, vm, host },
        );
      }
      for (const ds of this.vmReplicated.has(vm) ? [] : config.datastores) {
        const mounted = state.mounts.get(ds);
        if (!mounted || mounted.test !== test) {
          throw computeError(
            `Cannot register VM ${vm} at ${site}: datastore ${ds} is not mounted there${test ? ' as a test copy' : ''}.`,
            { site, vm, host, datastore: ds },
          );
        }
        this.checkHostSeesMount(state, host, mounted, vm);
      }
      return 'proceed';
    };
    return this.operation(site, 'registerVm', vm, signal, check, (state) => {
      const current = state.vms.get(vm);
      const replaced = test && current?.kind === 'placeholder' ? { replacedPlaceholderHost: current.host } : {};
      state.vms.set(vm, { vm, kind: 'registered', test, host, power: 'off', ...replaced });
    });
  }

  async unregisterVm({ site, vm, test, signal }: ComputeRequest<'unregisterVm'>): Promise<void> {
    this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => {
      const current = state.vms.get(vm);
      if (!current) return 'done';
      if (current.kind === 'placeholder')
        throw computeError(`VM ${vm} at ${site} is a placeholder; delete the placeholder instead.`, { site, vm });
      if (current.test !== test)
        throw computeError(
          `VM ${vm} at ${site} is a ${current.test ? 'test' : 'production'} VM, not a ${test ? 'test' : 'production'} one.`,
          { site, vm },
        );
      if (current.power !== 'off')
        throw computeError(
          `VM ${vm} at ${site} is ${current.power === 'on' ? 'powered on' : 'suspended'}; power it off before unregistering it.`,
          { site, vm },
        );
      return 'proceed';
    };
    return this.operation(site, 'unregisterVm', vm, signal, check, (state) => {
      const current = state.vms.get(vm)!;
      // A test VM gives the recovery site its placeholder back.
      if (current.replacedPlaceholderHost !== undefined)
        state.vms.set(vm, {
          vm,
          kind: 'placeholder',
          test: false,
          host: current.replacedPlaceholderHost,
          power: 'off',
        });
      else state.vms.delete(vm);
    });
  }

  async createPlaceholder({ site, vm, host, datastore, signal }: ComputeRequest<'createPlaceholder'>): Promise<void> {
    this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => {
      this.hostAt(state, host);
      const current = state.vms.get(vm);
      if (!current) return 'proceed';
      if (current.kind === 'placeholder') return 'done';
      // Reprotect replaces the old, powered-off protected VM with a placeholder.
      if (current.power !== 'off')
        throw computeError(
          `VM ${vm} is ${current.power === 'on' ? 'powered on' : 'suspended'} at ${site}; a placeholder cannot replace it.`,
          { site, vm, host },
        );
      if (current.test)
        throw computeError(`A test VM ${vm} is registered at ${site}; clean up the test first.`, { site, vm, host });
      return 'proceed';
    };
    return this.operation(site, 'createPlaceholder', vm, signal, check, (state) => {
      state.vms.set(vm, {
        vm,
        kind: 'placeholder',
        test: false,
        host,
        power: 'off',
        ...(datastore !== undefined ? { datastore } : {}),
      });
    });
  }

  async deletePlaceholder({ site, vm, signal }: ComputeRequest<'deletePlaceholder'>): Promise<void> {
    this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => {
      const current = state.vms.get(vm);
      if (!current) return 'done';
      if (current.kind !== 'placeholder')
        throw computeError(`VM ${vm} at ${site} is a registered VM, not a placeholder.`, { site, vm });
      return 'proceed';
    };
    return this.operation(site, 'deletePlaceholder', vm, signal, check, (state) => {
      state.vms.delete(vm);
    });
  }

  async configureNetworks({ site, vm, mapping, signal }: ComputeRequest<'configureNetworks'>): Promise<void> {
    this.knownVm(vm, site);
    const config = this.core.siteConfigs.get(site);
    const known = new Set([...(config?.networks.production ?? []), ...(config?.networks.test ?? [])]);
    const check = (state: RuntimeSite): Readiness => {
      this.registered(state, vm);
      for (const [from, to] of Object.entries(mapping)) {
        if (known.size > 0 && !known.has(to))
          throw computeError(
            `Network ${to} (for ${from}) does not exist at ${site}; VM ${vm} cannot be connected to it.`,
            { site, vm, network: to },
          );
      }
      return 'proceed';
    };
    return this.operation(site, 'configureNetworks', vm, signal, check, (state) => {
      state.vms.get(vm)!.networks = { ...mapping };
    });
  }

  async powerOn({ site, vm, signal }: ComputeRequest<'powerOn'>): Promise<void> {
    const config = this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => {
      const current = this.registered(state, vm);
      if (current.power === 'on') return 'done';
      for (const ds of this.vmReplicated.has(vm) ? [] : config.datastores) {
        if (state.mounts.get(ds)?.test !== current.test) {
          throw computeError(`Cannot power on VM ${vm} at ${site}: datastore ${ds} is not mounted there.`, {
            site,
            vm,
            host: current.host,
            datastore: ds,
          });
        }
      }
      return 'proceed';
    };
    const host = () => this.core.sites.get(site)?.vms.get(vm)?.host;
    return this.operation(site, 'powerOn', vm, signal, check, (state) => {
      if (this.core.vmFault('power-on-fails', vm)) {
        throw computeError(`Power-on of VM ${vm} on host ${host()} at ${site} failed (injected fault).`, {
          site,
          vm,
          host: host(),
        });
      }
      const current = state.vms.get(vm)!;
      // Resuming a suspended VM keeps its guest (and Tools) running.
      if (current.power === 'off') current.poweredOnAt = this.core.clock.now();
      current.power = 'on';
    });
  }

  async powerOff({ site, vm, signal }: ComputeRequest<'powerOff'>): Promise<void> {
    this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => (this.registered(state, vm).power === 'off' ? 'done' : 'proceed');
    return this.operation(site, 'powerOff', vm, signal, check, (state) => {
      powerDown(state.vms.get(vm)!);
    });
  }

  /**
   * Guest shutdown needs VMware Tools running. It takes the VM's `shutdownSeconds`; past
   * `timeoutMs` (0 = no limit) it rejects and leaves the VM on.
   */
  async shutdownGuest({ site, vm, timeoutMs, signal }: ComputeRequest<'shutdownGuest'>): Promise<void> {
    const config = this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => {
      const current = this.registered(state, vm);
      if (current.power === 'off') return 'done';
      if (current.power === 'suspended')
        throw computeError(`VM ${vm} at ${site} is suspended; its guest cannot be shut down.`, {
          site,
          vm,
          host: current.host,
        });
      if (this.toolsReadyAt(current) > this.core.clock.now()) {
        throw computeError(`VMware Tools is not running in VM ${vm} at ${site}; a guest shutdown needs it.`, {
          site,
          vm,
          host: current.host,
        });
      }
      return 'proceed';
    };
    const state = this.reachableSite(site, signal);
    if (check(state) === 'done') return;
    const needed = this.core.timing(config.shutdownSeconds, 'shutdown', vm);
    if (timeoutMs > 0 && needed > timeoutMs) {
      await this.core.sleep(timeoutMs, signal);
      this.reachableSite(site, signal);
      throw computeError(
        `Guest shutdown of VM ${vm} at ${site} did not finish within ${Math.round(timeoutMs / 1000)} s.`,
        { site, vm, timeoutMs },
      );
    }
    return this.task(site, needed, signal, check, (after) => powerDown(after.vms.get(vm)!));
  }

  async suspend({ site, vm, signal }: ComputeRequest<'suspend'>): Promise<void> {
    this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => {
      const current = this.registered(state, vm);
      if (current.power === 'suspended') return 'done';
      if (current.power === 'off')
        throw computeError(`VM ${vm} at ${site} is powered off; only a running VM can be suspended.`, {
          site,
          vm,
          host: current.host,
        });
      return 'proceed';
    };
    return this.operation(site, 'suspend', vm, signal, check, (state) => {
      state.vms.get(vm)!.power = 'suspended';
    });
  }

  async resume({ site, vm, signal }: ComputeRequest<'resume'>): Promise<void> {
    this.knownVm(vm, site);
    const check = (state: RuntimeSite): Readiness => {
      const current = this.registered(state, vm);
      if (current.power === 'on') return 'done';
      if (current.power === 'off')
        throw computeError(`VM ${vm} at ${site} is powered off, not suspended; it cannot be resumed.`, {
          site,
          vm,
          host: current.host,
        });
      return 'proceed';
    };
    return this.operation(site, 'resume', vm, signal, check, (state) => {
      state.vms.get(vm)!.power = 'on';
    });
  }

  /**
   * `ready` once the Tools heartbeat is there (the VM's `toolsSeconds` after power-on, never with
   * a no-tools fault), else `timeout` after `timeoutMs` (0 = answer at once).
   */
  async waitForTools({ site, vm, timeoutMs, signal }: ComputeRequest<'waitForTools'>): Promise<'ready' | 'timeout'> {
    this.knownVm(vm, site);
    const state = this.reachableSite(site, signal);
    const current = this.registered(state, vm);
    if (current.power !== 'on')
      throw computeError(`VM ${vm} at ${site} is not powered on; there is no Tools heartbeat to wait for.`, {
        site,
        vm,
        host: current.host,
      });
    const now = this.core.clock.now();
    const readyAt = this.toolsReadyAt(current);
    if (readyAt <= now) return 'ready';
    if (timeoutMs <= 0) return 'timeout';
    if (readyAt - now <= timeoutMs) {
      await this.core.sleep(readyAt - now, signal);
      return 'ready';
    }
    await this.core.sleep(timeoutMs, signal);
    return 'timeout';
  }

  async vmState({ site, vm, signal }: ComputeRequest<'vmState'>): Promise<VmPowerState> {
    this.knownVm(vm, site);
    const state = this.reachableSite(site, signal);
    const current = state.vms.get(vm);
    if (!current) return 'absent';
    return current.kind === 'placeholder' ? 'placeholder' : current.power;
  }

  // ---- machinery ----------------------------------------------------------------------------

  /**
   * One vCenter task: check preconditions (fail fast), wait its virtual time, check again
   * against the world as it is then, and apply. A check that finds the work already done
   * returns at once (or, after the wait, skips the apply).
   */
  private operation(
    site: string,
    name: ComputeOperation,
    key: string,
    signal: AbortSignal,
    check: (state: RuntimeSite) => Readiness,
    apply: (state: RuntimeSite) => void,
  ): Promise<void> {
    return this.task(site, this.core.duration(name, key), signal, check, apply);
  }

  /**
   * `operation` for a task whose time the caller worked out. Not an async function, and its
   * callers return its promise rather than await it: ten thousand VMs wait here at once, and a
   * suspended async frame per VM and level was most of what a scavenge had to copy. A
   * precondition failing before the wait throws in the caller's async frame, which turns it into
   * a rejection.
   */
  private task(
    site: string,
    ms: number,
    signal: AbortSignal,
    check: (state: RuntimeSite) => Readiness,
    apply: (state: RuntimeSite) => void,
  ): Promise<void> {
    if (check(this.reachableSite(site, signal)) === 'done') return Promise.resolve();
    return this.core.sleep(ms, signal).then(() => {
      const state = this.reachableSite(site, signal);
      if (check(state) === 'done') return;
      this.core.changed(`site:${site}`);
      apply(state);
    });
  }

  private siteState(site: string): RuntimeSite {
    const state = this.core.sites.get(site);
    if (!state)
      throw computeError(`Site ${site} is not in the environment.`, { site, known: [...this.core.sites.keys()] });
    return state;
  }

  private reachableSite(site: string, signal: AbortSignal): RuntimeSite {
    throwIfAborted(signal);
    const state = this.siteState(site);
    if (this.core.isSiteDown(site))
      throw new DrError('DR_SITE_UNREACHABLE', `The vCenter of site ${site} does not answer.`, { details: { site } });
    return state;
  }

  private knownVm(vm: string, site: string) {
    const config = this.core.vms.get(vm);
    if (!config) throw computeError(`VM ${vm} is not in the environment.`, { site, vm });
    return config;
  }

  private hostAt(state: RuntimeSite, host: string): void {
    if (!state.hosts.has(host))
      throw computeError(`Host ${host} is not at site ${state.name}.`, { site: state.name, host });
  }

  private registered(state: RuntimeSite, vm: string): VmState {
    const current = state.vms.get(vm);
    if (!current) throw computeError(`VM ${vm} is not registered at ${state.name}.`, { site: state.name, vm });
    if (current.kind === 'placeholder')
      throw computeError(`VM ${vm} is only a placeholder at ${state.name} (on ${current.host}); register it first.`, {
        site: state.name,
        vm,
        host: current.host,
      });
    return current;
  }

  private toolsReadyAt(vm: VmState): number {
    if (vm.power !== 'on' || vm.poweredOnAt === undefined || this.core.vmFault('no-tools', vm.vm))
      return Number.POSITIVE_INFINITY;
    const config = this.core.vms.get(vm.vm)!;
    return vm.poweredOnAt + this.core.timing(config.toolsSeconds, 'tools', vm.vm);
  }

  private arrayAt(a: string, b: string, site: string): string | undefined {
    if (this.core.arraySite(a) === site) return a;
    if (this.core.arraySite(b) === site) return b;
    return undefined;
  }

  /**
   * A host sees a mounted datastore only once it has rescanned since the datastore's devices
   * were presented: a host whose rescans all failed cannot run a VM from it.
   */
  private checkHostSeesMount(state: RuntimeSite, host: string, mount: MountState, vm: string): void {
    const seenAt = state.hosts.get(host)?.devicesSeenAt ?? this.core.createdAt;
    for (const id of mount.devices) {
      const device = this.core.devices.get(id);
      const array = device ? this.arrayAt(device.source, device.target, state.name) : undefined;
      if (!device || array === undefined) continue;
      const presentedAt = mount.test
        ? (device.testCopy?.createdAt ?? this.core.createdAt)
        : (device.presentedAt[array] ?? this.core.createdAt);
      if (seenAt < presentedAt) {
        throw computeError(
          `Cannot register VM ${vm} on host ${host} at ${state.name}: the host has not rescanned its storage since device ${id} of datastore ${mount.datastore} was presented.`,
          { site: state.name, vm, host, datastore: mount.datastore, device: id },
        );
      }
    }
  }

  /**
   * A device can back a mount at a site when the array there holds it read-write (production)
   * or holds its test copy (test), and a host at the site has rescanned since it was presented.
   */
  private checkDeviceVisible(state: RuntimeSite, id: string, test: boolean, datastore: string): void {
    const site = state.name;
    const device = this.core.devices.get(id);
    if (!device)
      throw computeError(`Cannot mount datastore ${datastore} at ${site}: device ${id} is not known.`, {
        site,
        datastore,
        device: id,
      });
    const array = this.arrayAt(device.source, device.target, site);
    if (array === undefined)
      throw computeError(`Cannot mount datastore ${datastore} at ${site}: device ${id} has no array there.`, {
        site,
        datastore,
        device: id,
      });
    let presentedAt: number;
    if (test) {
      if (device.testCopy?.array !== array) {
        throw computeError(
          `Cannot mount datastore ${datastore} at ${site}: there is no test copy of device ${id} on ${array} (run testFailoverStart).`,
          { site, datastore, device: id },
        );
      }
      presentedAt = device.testCopy.createdAt;
    } else {
      if (accessOn(device, array) !== 'read-write') {
        throw computeError(
          `Cannot mount datastore ${datastore} at ${site}: device ${id} is read-only on ${array} (not failed over to ${site}).`,
          { site, datastore, device: id },
        );
      }
      presentedAt = device.presentedAt[array] ?? this.core.createdAt;
    }
    if (state.latestScanAt < presentedAt) {
      throw computeError(
        `Cannot mount datastore ${datastore} at ${site}: no host there has rescanned its storage since device ${id} was presented; rescan the hosts first.`,
        { site, datastore, device: id },
      );
    }
  }
}

function powerDown(vm: VmState): void {
  vm.power = 'off';
  delete vm.poweredOnAt;
}
