import type { Clock } from '@drctl/domain';
import type { Logger } from 'pino';
import { VimClient, type VimClientOptions } from './soap/client.js';
import { child, moref, morefs, text, type MoRef } from './soap/xml.js';
import { readAll } from './vim/properties.js';
import { PropertyWatch } from './vim/watch.js';

/** How drctl reaches one site's vCenter. */
export interface VcenterConnection {
  host: string;
  /** @default 443 */
  port?: number;
  username: string;
  password: string;
  caPem?: string;
  thumbprint?: string;
  /** @default true */
  verifyTls?: boolean;
}

export interface HostInfo {
  ref: MoRef;
  name: string;
  /** The host's cluster or standalone compute resource. */
  computeResource: MoRef;
  storageSystem: MoRef;
  datastoreSystem: MoRef;
}

export interface DatastoreInfo {
  ref: MoRef;
  name: string;
  url: string;
  browser: MoRef | undefined;
  /** Hosts the datastore is mounted on. */
  hosts: MoRef[];
  /** NAA ids of its VMFS extents. */
  extents: string[];
}

/** One site: its vCenter client, its property watch, and name lookups (read once, again on a miss). */
export class SiteConnection {
  readonly client: VimClient;
  readonly watch: PropertyWatch;
  private hosts: Map<string, HostInfo> | undefined;
  private pools = new Map<string, MoRef>();
  private vmFolder: MoRef | undefined;

  constructor(
    readonly site: string,
    connection: VcenterConnection,
    clock: Clock,
    logger: Logger,
    intervalMs: number,
  ) {
    const options: VimClientOptions = {
      host: connection.host,
      username: connection.username,
      password: connection.password,
      clock,
      logger,
      ...(connection.port !== undefined ? { port: connection.port } : {}),
      ...(connection.caPem !== undefined ? { caPem: connection.caPem } : {}),
      ...(connection.thumbprint !== undefined ? { thumbprint: connection.thumbprint } : {}),
      ...(connection.verifyTls !== undefined ? { verifyTls: connection.verifyTls } : {}),
    };
    this.client = new VimClient(options);
    this.watch = new PropertyWatch({ client: this.client, clock, intervalMs, batchSize: 500 });
  }

  async host(name: string, signal: AbortSignal): Promise<HostInfo | undefined> {
    if (!this.hosts?.has(name)) {
      const all = await readAll(
        this.client,
        'HostSystem',
        ['name', 'parent', 'configManager.storageSystem', 'configManager.datastoreSystem'],
        signal,
      );
      this.hosts = new Map();
      for (const h of all) {
        const hostName = text(h.props.get('name'));
        const computeResource = moref(h.props.get('parent'));
        const cm = (path: string) => moref(h.props.get(path));
        const storageSystem = cm('configManager.storageSystem');
        const datastoreSystem = cm('configManager.datastoreSystem');
        if (!computeResource || !storageSystem || !datastoreSystem) continue;
        this.hosts.set(hostName, { ref: h.ref, name: hostName, computeResource, storageSystem, datastoreSystem });
      }
    }
    return this.hosts.get(name);
  }

  async allHosts(signal: AbortSignal): Promise<HostInfo[]> {
    await this.host('', signal);
    return [...(this.hosts?.values() ?? [])];
  }

  /** The root resource pool of a host's cluster (or standalone host). */
  async poolOf(host: HostInfo, signal: AbortSignal): Promise<MoRef> {
    const cached = this.pools.get(host.computeResource.value);
    if (cached) return cached;
    const props = await this.watch.read(host.computeResource, ['resourcePool'], signal);
    const pool = moref(props.get('resourcePool'));
    if (!pool) throw new Error(`${host.computeResource.value} has no resource pool`);
    this.pools.set(host.computeResource.value, pool);
    return pool;
  }

  /** The vCenter's datacenters. */
  async datacenters(signal: AbortSignal): Promise<MoRef[]> {
    return (await readAll(this.client, 'Datacenter', ['name'], signal)).map((d) => d.ref);
  }

  async defaultVmFolder(signal: AbortSignal): Promise<MoRef> {
    if (this.vmFolder) return this.vmFolder;
    const dcs = await readAll(this.client, 'Datacenter', ['vmFolder'], signal);
    const folder = moref(dcs[0]?.props.get('vmFolder'));
    if (!folder) throw new Error('the vCenter has no datacenter');
    this.vmFolder = folder;
    return folder;
  }

  async datastores(signal: AbortSignal): Promise<DatastoreInfo[]> {
    const all = await readAll(this.client, 'Datastore', ['name', 'summary.url', 'browser', 'host', 'info'], signal);
    return all.map((d) => {
      const info = d.props.get('info');
      const extents = [child(child(info, 'vmfs'), 'extent')]
        .flat()
        .flatMap((e) => (Array.isArray(e) ? e : e === undefined ? [] : [e]))
        .map((e) => text(child(e, 'diskName')))
        .filter((n) => n !== '');
      const mounts = child(d.props.get('host'), 'DatastoreHostMount');
      return {
        ref: d.ref,
        name: text(d.props.get('name')),
        url: text(d.props.get('summary.url')),
        browser: moref(d.props.get('browser')),
        hosts: (Array.isArray(mounts) ? mounts : mounts === undefined ? [] : [mounts]).flatMap((m) =>
          morefs(child(m, 'key')),
        ),
        extents,
      };
    });
  }

  async close(): Promise<void> {
    this.watch.close();
    await this.client.close();
  }
}
