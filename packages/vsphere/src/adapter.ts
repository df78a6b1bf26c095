import {
  DrError,
  onAbort,
  type Clock,
  type ComputeAdapter,
  type ComputeRequest,
  type Environment,
} from '@drctl/domain';
import type { Logger } from 'pino';
import pino from 'pino';
import { VimFault, toDrError } from './soap/faults.js';
import { asArray, child, el, moref, morefEl, text, textEl, type MoRef, type XmlNode } from './soap/xml.js';
import { runTask } from './vim/tasks.js';
import { readAll } from './vim/properties.js';
import { toXml } from './vim/serialize.js';
import { SiteConnection, type DatastoreInfo, type VcenterConnection } from './site.js';
import { PLACEHOLDER_EXTENSION, VmDirectory, vmSourceOf, type VmInfo } from './vms.js';
import { PowerOnBatcher } from './power-batch.js';

export interface VsphereComputeOptions {
  environment: Environment;
  /** Each site's vCenter, by site name. */
  vcenters: Record<string, VcenterConnection>;
  clock: Clock;
  logger?: Logger;
  /** Between two property reads while tasks or VMs are watched. @default 1000 */
  pollIntervalMs?: number;
  /**
   * SRM's `storageProvider.autoResignatureMode`: 0 resignatures only the unresolved volume of the
   * datastore being mounted; 1 every unresolved VMFS snapshot volume the host sees. @default 0
   */
  autoResignatureMode?: number;
  /** NAA id of a replicated device (the SC volume's device id), when the device id is not one. */
  deviceNaa?: (device: string) => string | undefined;
}

/** Whether vCenter says an unresolved volume can be resignatured (all its extents are present). */
function resolvable(volume: XmlNode): boolean {
  return text(child(child(volume, 'resolveStatus'), 'resolvable')) !== 'false';
}

interface Site {
  conn: SiteConnection;
  vms: VmDirectory;
  batcher: PowerOnBatcher;
}

const REDACT = { paths: ['password', '*.password', 'cookie', '*.cookie'], censor: '[redacted]' };

/**
 * The compute port over the vSphere Web Services API, doing each step as SRM does: rescans,
 * VMFS resignature of the recovered device, registration into the placeholder's folder and
 * pool, NIC remapping, power operations and the Tools heartbeat. Every operation finds the state
 * first, so repeating one that already happened changes nothing.
 */
export class VsphereCompute implements ComputeAdapter {
  private readonly sites = new Map<string, Site>();
  private readonly logger: Logger;
  private readonly vmxCache = new Map<string, Map<string, string>>();
  private readonly vmxSearches = new Map<string, Promise<Map<string, string>>>();

  constructor(private readonly options: VsphereComputeOptions) {
    this.logger = (options.logger ?? pino({ level: 'warn' })).child({ component: 'vsphere' }, { redact: REDACT });
    for (const [site, connection] of Object.entries(options.vcenters)) {
      const conn = new SiteConnection(site, connection, options.clock, this.logger, options.pollIntervalMs ?? 1000);
      const placeholder = options.environment.sites.find((s) => s.name === site)?.placeholderDatastore;
      const protectedVms = new Set(options.environment.vms.map((v) => v.name));
      const batcher = new PowerOnBatcher(
        conn,
        (vm, signal) => this.changePower(conn, vm, 'PowerOnVM_Task', 'poweredOn', signal),
        this.logger,
      );
      this.sites.set(site, {
        conn,
        vms: new VmDirectory(vmSourceOf(conn), options.clock, placeholder, protectedVms),
        batcher,
      });
    }
  }

  /** Sizes of the PowerOnMultiVM_Task batches sent, over every site. */
  powerOnBatchSizes(): number[] {
    return [...this.sites.values()].flatMap((s) => s.batcher.batchSizes);
  }

  /** Calls this adapter made, by vim25 method, over every site. */
  callCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { conn } of this.sites.values())
      for (const [method, n] of conn.client.stats.byMethod) out[method] = (out[method] ?? 0) + n;
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sites.values()].map((s) => s.conn.close()));
  }

  /** Names of what a site's vCenter holds (for the preflight); datastores with their extents. */
  async inventory(
    site: string,
    signal: AbortSignal,
  ): Promise<{
    hosts: Set<string>;
    clusters: Set<string>;
    networks: Set<string>;
    datastores: Map<string, DatastoreInfo>;
    vms: Set<string>;
  }> {
    return this.step(site, 'Reading the inventory', async ({ conn }) => {
      const names = async (type: string) =>
        new Set((await readAll(conn.client, type, ['name'], signal)).map((o) => text(o.props.get('name'))));
      const [hosts, clusters, networks, portgroups, vms, datastores] = await Promise.all([
        names('HostSystem'),
        names('ClusterComputeResource'),
        names('Network'),
        names('DistributedVirtualPortgroup'),
        names('VirtualMachine'),
        conn.datastores(signal),
      ]);
      return {
        hosts,
        clusters,
        networks: new Set([...networks, ...portgroups]),
        datastores: new Map(datastores.map((d) => [d.name, d])),
        vms,
      };
    });
  }

  /** The NAA id drctl looks for when recovering `device`, if it has one. */
  naaOf(device: string): string | undefined {
    return this.naa(device);
  }

  async isSiteReachable(site: string, signal: AbortSignal): Promise<boolean> {
    const { conn } = this.site(site);
    try {
      await conn.client.call('CurrentTime', { type: 'ServiceInstance', value: 'ServiceInstance' }, '', {
        signal,
        read: true,
      });
      return true;
    } catch (error) {
      if (signal.aborted) throw error;
      this.logger.warn({ site, err: String(error) }, 'vCenter not reachable');
      return false;
    }
  }

  async rescanHost({ site, host, signal }: ComputeRequest<'rescanHost'>): Promise<void> {
    await this.step(site, `Rescan of host ${host}`, async ({ conn }) => {
      const info = await this.host(site, host, signal);
      await conn.client.call('RescanAllHba', info.storageSystem, '', { signal, read: false });
      await conn.client.call('RescanVmfs', info.storageSystem, '', { signal, read: false });
    });
  }

  async matchStretchedDevices({ site, devices, signal }: ComputeRequest<'matchStretchedDevices'>): Promise<void> {
    // vSphere has no matching call: a stretched device is matched when the hosts see it, which
    // for a Live Volume means a datastore on it is mounted (it never becomes unresolved).
    await this.step(site, `Matching stretched devices ${devices.join(', ')}`, async ({ conn }) => {
      const stores = await conn.datastores(signal);
      const seen = new Set(stores.flatMap((d) => d.extents));
      const missing = devices.filter((d) => {
        const naa = this.naa(d);
        return naa !== undefined && !seen.has(naa);
      });
      if (missing.length > 0)
        throw new DrError(
          'DR_COMPUTE_ERROR',
          `Stretched device(s) ${missing.join(', ')} are not visible to the hosts at ${site}.`,
          {
            details: { site, devices: missing },
          },
        );
    });
  }

  async mountDatastore(request: {
    site: string;
    datastore: string;
    devices: string[];
    test: boolean;
    signal: AbortSignal;
  }): Promise<void> {
    const { site, datastore, signal } = request;
    await this.step(site, `Mounting datastore ${datastore}`, async ({ conn }) => {
      if (await this.recovered(conn, datastore, signal)) return;
      const hosts = await this.siteHosts(site, signal);
      const first = hosts[0];
      if (!first) throw new DrError('DR_COMPUTE_ERROR', `Site ${site} has no host to mount ${datastore} on.`);
      const res = await conn.client.call('QueryUnresolvedVmfsVolumes', first.datastoreSystem, '', {
        signal,
        read: true,
      });
      const wanted = new Set(request.devices.map((d) => this.naa(d)).filter((n): n is string => n !== undefined));
      const volume = asArray(child(res, 'returnval')).find((v) => {
        const extents = asArray(child(v, 'extent'));
        return (
          extents.some((e) => wanted.has(text(child(child(e, 'device'), 'diskName')))) ||
          text(child(v, 'vmfsLabel')) === datastore
        );
      });
      if (!volume) {
        throw new DrError(
          'DR_COMPUTE_ERROR',
          `Datastore ${datastore} (device ${request.devices.join(', ')}) did not appear at ${site} after the rescans: no unresolved VMFS volume carries it.`,
          { details: { site, datastore, devices: request.devices } },
        );
      }
      // SRM resignatures a recovered copy (the original may still be known to vCenter); with
      // autoResignatureMode 1 it resignatures every snapshot volume the host reports, not only ours.
      const all = (this.options.autoResignatureMode ?? 0) === 1;
      const volumes = all
        ? [volume, ...asArray(child(res, 'returnval')).filter((v) => v !== volume && resolvable(v))]
        : [volume];
      for (const v of volumes) {
        const paths = asArray(child(v, 'extent')).map((e) => textEl('extentDevicePath', text(child(e, 'devicePath'))));
        await runTask(
          conn.client,
          conn.watch,
          'ResignatureUnresolvedVmfsVolume_Task',
          first.datastoreSystem,
          el('resolutionSpec', paths.join('')),
          signal,
        );
      }
      this.vmxCache.delete(`${site}/${datastore}`);
    });
  }

  async unmountDatastore({ site, datastore, signal }: ComputeRequest<'unmountDatastore'>): Promise<void> {
    await this.step(site, `Unmounting datastore ${datastore}`, async ({ conn }) => {
      const found = await this.recovered(conn, datastore, signal);
      if (!found) return;
      const hosts = await conn.allHosts(signal);
      for (const mount of found.hosts) {
        const host = hosts.find((h) => h.ref.value === mount.value);
        if (!host) continue;
        await conn.client.call('RemoveDatastore', host.datastoreSystem, morefEl('datastore', found.ref), {
          signal,
          read: false,
        });
      }
      this.vmxCache.delete(`${site}/${datastore}`);
    });
  }

  async registerVm({ site, vm, host, test, signal }: ComputeRequest<'registerVm'>): Promise<void> {
    await this.step(site, `Registering VM ${vm}`, async ({ conn, vms }) => {
      const existing = await vms.find(vm, signal);
      if (existing.some((v) => !v.placeholder)) return;
      const target = await this.host(site, host, signal);
      const placeholder = existing.find((v) => v.placeholder);
      const folder = placeholder?.folder ?? (await conn.defaultVmFolder(signal));
      const pool = placeholder?.pool ?? (await conn.poolOf(target, signal));
      const path = await this.vmxPath(site, vm, signal);
      if (placeholder) {
        // The placeholder's files stay on the placeholder datastore; cleanup registers it again.
        await conn.client.call('UnregisterVM', placeholder.ref, '', { signal, read: false });
        vms.forget(vm, placeholder.ref);
      }
      const result = await runTask(
        conn.client,
        conn.watch,
        'RegisterVM_Task',
        folder,
        textEl('path', path) +
          textEl('name', vm) +
          textEl('asTemplate', false) +
          morefEl('pool', pool) +
          morefEl('host', target.ref),
        signal,
      );
      const ref = moref(result);
      if (ref) vms.remember(vm, ref);
      this.logger.info({ site, vm, test, path }, 'VM registered');
    });
  }

  async unregisterVm({ site, vm, test, signal }: ComputeRequest<'unregisterVm'>): Promise<void> {
    await this.step(site, `Unregistering VM ${vm}`, async ({ conn, vms }) => {
      const found = (await vms.find(vm, signal)).filter((v) => !v.placeholder);
      for (const v of found) {
        await conn.client.call('UnregisterVM', v.ref, '', { signal, read: false });
        vms.forget(vm, v.ref);
      }
      if (test && found.length > 0) await this.restorePlaceholder(site, vm, found[0], signal);
    });
  }

  async createPlaceholder({ site, vm, host, signal }: ComputeRequest<'createPlaceholder'>): Promise<void> {
    await this.step(site, `Creating placeholder VM ${vm}`, async ({ conn, vms }) => {
      if ((await vms.find(vm, signal)).some((v) => v.placeholder)) return;
      const datastore = this.placeholderDatastore(site);
      const target = await this.host(site, host, signal);
      const spec =
        textEl('name', vm) +
        textEl('guestId', 'otherGuest') +
        el('files', textEl('vmPathName', `[${datastore}] ${vm}/${vm}.vmx`)) +
        textEl('numCPUs', 1) +
        textEl('memoryMB', 32) +
        el('managedBy', textEl('extensionKey', PLACEHOLDER_EXTENSION) + textEl('type', 'placeholderVm'));
      const result = await runTask(
        conn.client,
        conn.watch,
        'CreateVM_Task',
        await conn.defaultVmFolder(signal),
        el('config', spec) + morefEl('pool', await conn.poolOf(target, signal)) + morefEl('host', target.ref),
        signal,
      );
      const ref = moref(result);
      if (ref) vms.remember(vm, ref);
    });
  }

  async deletePlaceholder({ site, vm, signal }: ComputeRequest<'deletePlaceholder'>): Promise<void> {
    await this.step(site, `Deleting placeholder VM ${vm}`, async ({ conn, vms }) => {
      for (const v of (await vms.find(vm, signal)).filter((x) => x.placeholder)) {
        await runTask(conn.client, conn.watch, 'Destroy_Task', v.ref, '', signal);
        vms.forget(vm, v.ref);
      }
    });
  }

  async configureNetworks({ site, vm, mapping, signal }: ComputeRequest<'configureNetworks'>): Promise<void> {
    await this.step(site, `Connecting VM ${vm} to test networks`, async ({ conn }) => {
      const target = await this.registered(site, vm, signal);
      const props = await conn.watch.read(target.ref, ['config.hardware.device'], signal);
      const devices = asArray(child(props.get('config.hardware.device'), 'VirtualDevice'));
      const networks = await this.networks(conn, signal);
      const changes: string[] = [];
      for (const device of devices) {
        const backing = child(device, 'backing');
        const current = this.networkOf(backing, networks);
        const wanted = current === undefined ? undefined : mapping[current];
        if (wanted === undefined || wanted === current) continue;
        const network = networks.byName.get(wanted);
        if (!network)
          throw new DrError(
            'DR_COMPUTE_ERROR',
            `Network ${wanted} (for ${current}) does not exist at ${site}; VM ${vm} cannot be connected to it.`,
            {
              details: { site, vm, network: wanted },
            },
          );
        // The whole device as read, with only its backing changed.
        const rest = toXml('device', { ...(device as Record<string, XmlNode>), backing: '' as XmlNode });
        const newBacking = network.dvs
          ? el(
              'backing',
              el('port', textEl('switchUuid', network.dvs) + textEl('portgroupKey', network.key)),
              'VirtualEthernetCardDistributedVirtualPortBackingInfo',
            )
          : el(
              'backing',
              textEl('deviceName', wanted) + morefEl('network', network.ref),
              'VirtualEthernetCardNetworkBackingInfo',
            );
        changes.push(el('deviceChange', textEl('operation', 'edit') + rest.replace('<backing></backing>', newBacking)));
      }
      if (changes.length === 0) return;
      await runTask(conn.client, conn.watch, 'ReconfigVM_Task', target.ref, el('spec', changes.join('')), signal);
    });
  }

  /** VMs powered on at the same moment (each holding its boot slot) share one PowerOnMultiVM_Task. */
  async powerOn({ site, vm, signal }: ComputeRequest<'powerOn'>): Promise<void> {
    await this.step(site, `Powering on VM ${vm}`, async ({ batcher }) => {
      const target = await this.registered(site, vm, signal);
      if (target.power === 'poweredOn') return;
      await batcher.powerOn(target, signal);
    });
  }

  async powerOff({ site, vm, signal }: ComputeRequest<'powerOff'>): Promise<void> {
    await this.power(site, vm, 'PowerOffVM_Task', 'poweredOff', signal, `Powering off VM ${vm}`);
  }

  async suspend({ site, vm, signal }: ComputeRequest<'suspend'>): Promise<void> {
    await this.power(site, vm, 'SuspendVM_Task', 'suspended', signal, `Suspending VM ${vm}`);
  }

  async resume({ site, vm, signal }: ComputeRequest<'resume'>): Promise<void> {
    await this.power(site, vm, 'PowerOnVM_Task', 'poweredOn', signal, `Resuming VM ${vm}`);
  }

  async shutdownGuest({ site, vm, timeoutMs, signal }: ComputeRequest<'shutdownGuest'>): Promise<void> {
    await this.step(site, `Guest shutdown of VM ${vm}`, async ({ conn }) => {
      const target = await this.registered(site, vm, signal);
      if (target.power === 'poweredOff') return;
      await conn.client.call('ShutdownGuest', target.ref, '', { signal, read: false });
      const outcome = await this.waitFor(
        site,
        target.ref,
        ['runtime.powerState'],
        (p) => text(p.get('runtime.powerState')) === 'poweredOff',
        timeoutMs,
        signal,
      );
      if (outcome === 'timeout')
        throw new DrError(
          'DR_COMPUTE_ERROR',
          `The guest of VM ${vm} at ${site} did not shut down within ${Math.round(timeoutMs / 1000)} s.`,
          {
            details: { site, vm },
          },
        );
    });
  }

  async waitForTools({ site, vm, timeoutMs, signal }: ComputeRequest<'waitForTools'>): Promise<'ready' | 'timeout'> {
    return this.step(site, `Waiting for the Tools heartbeat of VM ${vm}`, async () => {
      const target = await this.registered(site, vm, signal);
      return this.waitFor(
        site,
        target.ref,
        ['guestHeartbeatStatus', 'guest.toolsRunningStatus'],
        (p) => text(p.get('guestHeartbeatStatus')) === 'green',
        timeoutMs,
        signal,
      );
    });
  }

  async vmState({
    site,
    vm,
    signal,
  }: ComputeRequest<'vmState'>): Promise<'on' | 'off' | 'suspended' | 'placeholder' | 'absent'> {
    return this.step(site, `Reading the state of VM ${vm}`, async ({ vms }) => {
      const found = await vms.find(vm, signal);
      const real = found.find((v) => !v.placeholder);
      if (real) return real.power === 'poweredOn' ? 'on' : real.power === 'suspended' ? 'suspended' : 'off';
      return found.length > 0 ? 'placeholder' : 'absent';
    });
  }

  // --- helpers ---

  private site(site: string): Site {
    const found = this.sites.get(site);
    if (!found)
      throw new DrError('DR_COMPUTE_ERROR', `No vCenter is configured for site ${site}.`, { details: { site } });
    return found;
  }

  /** Runs one port operation and turns vim faults into DrErrors naming the operation and site. */
  private async step<T>(site: string, what: string, action: (s: Site) => Promise<T>): Promise<T> {
    const s = this.site(site);
    try {
      return await action(s);
    } catch (error) {
      throw toDrError(error, site, what);
    }
  }

  private async power(
    site: string,
    vm: string,
    method: string,
    wanted: VmInfo['power'],
    signal: AbortSignal,
    what: string,
  ): Promise<void> {
    await this.step(site, what, async ({ conn }) => {
      const target = await this.registered(site, vm, signal);
      await this.changePower(conn, target, method, wanted, signal);
    });
  }

  private async changePower(
    conn: SiteConnection,
    target: VmInfo,
    method: string,
    wanted: VmInfo['power'],
    signal: AbortSignal,
  ): Promise<void> {
    if (target.power === wanted) return;
    try {
      await runTask(conn.client, conn.watch, method, target.ref, '', signal);
    } catch (error) {
      // Someone (a resumed run, an operator, a refused batch) got there first: the state is what we want.
      if (error instanceof VimFault && error.faultType === 'InvalidPowerState') {
        const now = await conn.watch.read(target.ref, ['runtime.powerState'], signal);
        if (text(now.get('runtime.powerState')) === wanted) return;
      }
      throw error;
    }
  }

  private async registered(site: string, vm: string, signal: AbortSignal): Promise<VmInfo> {
    const found = (await this.site(site).vms.find(vm, signal)).find((v) => !v.placeholder);
    if (!found)
      throw new DrError('DR_COMPUTE_ERROR', `VM ${vm} is not registered at ${site}.`, { details: { site, vm } });
    return found;
  }

  private waitFor(
    site: string,
    ref: MoRef,
    paths: string[],
    done: (props: Map<string, XmlNode>) => boolean,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<'ready' | 'timeout'> {
    const { conn } = this.site(site);
    const bounded = new AbortController();
    const forget = onAbort(signal, () => bounded.abort(signal.reason));
    let timedOut = false;
    const cancel = this.options.clock.setTimer(timeoutMs, () => {
      timedOut = true;
      bounded.abort(new Error('timeout'));
    });
    return conn.watch
      .until(ref, paths, (p) => (done(p) ? ('ready' as const) : undefined), bounded.signal)
      .catch((error: unknown) => {
        if (timedOut && !signal.aborted) return 'timeout' as const;
        throw error;
      })
      .finally(() => {
        cancel();
        forget();
      });
  }

  private async host(site: string, name: string, signal: AbortSignal) {
    const found = await this.site(site).conn.host(name, signal);
    if (!found)
      throw new DrError('DR_COMPUTE_ERROR', `Host ${name} is not in the vCenter of site ${site}.`, {
        details: { site, host: name },
      });
    return found;
  }

  private async siteHosts(site: string, signal: AbortSignal) {
    const names =
      this.options.environment.sites
        .find((s) => s.name === site)
        ?.clusters.flatMap((c) => c.hosts.map((h) => h.name)) ?? [];
    const hosts = [];
    for (const name of names) hosts.push(await this.host(site, name, signal));
    return hosts;
  }

  private naa(device: string): string | undefined {
    const mapped = this.options.deviceNaa?.(device) ?? device;
    const hex = mapped.toLowerCase().replace(/^naa\./, '');
    return /^[0-9a-f]{16,32}$/.test(hex) ? `naa.${hex}` : undefined;
  }

  /** The datastore recovered for `name`: itself, or its resignatured copy `snap-XXXXXXXX-name`. */
  private async recovered(conn: SiteConnection, name: string, signal: AbortSignal): Promise<DatastoreInfo | undefined> {
    const all = await conn.datastores(signal);
    const snap = new RegExp(`^snap-[0-9a-f]{8}-${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    return all.find((d) => d.name === name) ?? all.find((d) => snap.test(d.name));
  }

  private placeholderDatastore(site: string): string {
    const name = this.options.environment.sites.find((s) => s.name === site)?.placeholderDatastore;
    if (!name)
      throw new DrError('DR_COMPUTE_ERROR', `Site ${site} has no placeholderDatastore in the environment file.`, {
        details: { site },
      });
    return name;
  }

  /** `[datastore] dir/vm.vmx` of a protected VM on its recovered datastore (one search per datastore). */
  private async vmxPath(site: string, vm: string, signal: AbortSignal): Promise<string> {
    const { conn } = this.site(site);
    const home = this.options.environment.vms.find((v) => v.name === vm)?.datastores[0];
    if (!home)
      throw new DrError('DR_COMPUTE_ERROR', `VM ${vm} has no datastore in the environment file.`, {
        details: { site, vm },
      });
    const cacheKey = `${site}/${home}`;
    let files = this.vmxCache.get(cacheKey);
    if (!files?.has(vm)) {
      // Thousands of VMs are registered at once: they share one search per datastore.
      let search = this.vmxSearches.get(cacheKey);
      if (!search) {
        search = this.searchVmx(conn, site, home, vm, signal).finally(() => this.vmxSearches.delete(cacheKey));
        this.vmxSearches.set(cacheKey, search);
      }
      files = await search;
      this.vmxCache.set(cacheKey, files);
    }
    const path = files.get(vm);
    if (!path)
      throw new DrError('DR_COMPUTE_ERROR', `No ${vm}.vmx on datastore ${home} at ${site}.`, {
        details: { site, vm, datastore: home },
      });
    return path;
  }

  private async searchVmx(
    conn: SiteConnection,
    site: string,
    home: string,
    vm: string,
    signal: AbortSignal,
  ): Promise<Map<string, string>> {
    const ds = await this.recovered(conn, home, signal);
    if (!ds?.browser)
      throw new DrError('DR_COMPUTE_ERROR', `Datastore ${home} of VM ${vm} is not mounted at ${site}.`, {
        details: { site, vm, datastore: home },
      });
    const result = await runTask(
      conn.client,
      conn.watch,
      'SearchDatastoreSubFolders_Task',
      ds.browser,
      textEl('datastorePath', `[${ds.name}]`) + el('searchSpec', textEl('matchPattern', '*.vmx')),
      signal,
    );
    const files = new Map<string, string>();
    for (const folder of asArray(child(result, 'HostDatastoreBrowserSearchResults'))) {
      // vCenter writes `[ds] dir`, vcsim `[ds]/dir`.
      const dir = text(child(folder, 'folderPath'))
        .replace(/^\[[^\]]*\]\s*\/?/, '')
        .replace(/\/$/, '');
      for (const file of asArray(child(folder, 'file'))) {
        const fileName = text(child(file, 'path'));
        if (fileName.endsWith('.vmx'))
          files.set(fileName.slice(0, -4), `[${ds.name}] ${dir ? `${dir}/` : ''}${fileName}`);
      }
    }
    return files;
  }

  private async restorePlaceholder(
    site: string,
    vm: string,
    was: VmInfo | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const { conn, vms } = this.site(site);
    const datastore = this.options.environment.sites.find((s) => s.name === site)?.placeholderDatastore;
    if (!datastore || !was?.pool || !was.folder) return;
    try {
      const result = await runTask(
        conn.client,
        conn.watch,
        'RegisterVM_Task',
        was.folder,
        textEl('path', `[${datastore}] ${vm}/${vm}.vmx`) +
          textEl('name', vm) +
          textEl('asTemplate', false) +
          morefEl('pool', was.pool),
        signal,
      );
      const ref = moref(result);
      if (ref) vms.remember(vm, ref);
    } catch (error) {
      // No placeholder files: this site never had a placeholder for the VM.
      if (error instanceof VimFault && error.faultType === 'NotFound') return;
      throw error;
    }
  }

  private async networks(conn: SiteConnection, signal: AbortSignal) {
    const byName = new Map<string, { ref: MoRef; key: string; dvs: string | undefined }>();
    const byKey = new Map<string, string>();
    const nets = await readAll(conn.client, 'Network', ['name'], signal);
    const pgs = await readAll(
      conn.client,
      'DistributedVirtualPortgroup',
      ['name', 'key', 'config.distributedVirtualSwitch'],
      signal,
    );
    const switches = await readAll(conn.client, 'DistributedVirtualSwitch', ['uuid'], signal);
    const uuidOf = new Map(switches.map((s) => [s.ref.value, text(s.props.get('uuid'))]));
    for (const n of nets) byName.set(text(n.props.get('name')), { ref: n.ref, key: '', dvs: undefined });
    for (const pg of pgs) {
      const key = text(pg.props.get('key'));
      const dvs = moref(pg.props.get('config.distributedVirtualSwitch'));
      byName.set(text(pg.props.get('name')), { ref: pg.ref, key, dvs: dvs ? uuidOf.get(dvs.value) : undefined });
      byKey.set(key, text(pg.props.get('name')));
    }
    return { byName, byKey };
  }

  private networkOf(
    backing: XmlNode | XmlNode[] | undefined,
    networks: { byKey: Map<string, string> },
  ): string | undefined {
    if (backing === undefined || Array.isArray(backing)) return undefined;
    const port = child(backing, 'port');
    if (port !== undefined) return networks.byKey.get(text(child(port, 'portgroupKey')));
    const name = text(child(backing, 'deviceName'));
    return name === '' ? undefined : name;
  }
}
