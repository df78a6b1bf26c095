import type { Clock } from '@drctl/domain';
import type { Logger } from 'pino';
import pino from 'pino';
import { SiteConnection, type VcenterConnection } from './site.js';
import { asArray, child, moref, morefs, text } from './soap/xml.js';
import { readAll } from './vim/properties.js';

/** One host as its vCenter reports it: its cluster and the SCSI devices (NAA ids) it sees. */
export interface HostFacts {
  name: string;
  /** Name of the host's cluster; undefined for a standalone host. */
  cluster: string | undefined;
  /** Canonical names (`naa.…`) of the SCSI LUNs the host sees, mounted or not. */
  devices: string[];
}

/** One datastore: the devices under it and the hosts that mount it. */
export interface DatastoreFacts {
  name: string;
  /** NAA ids of its VMFS extents. */
  extents: string[];
  /** Names of the hosts it is mounted on. */
  hosts: string[];
}

/** One VM's VMware Tools, as vCenter reports them. */
export interface VmToolsFacts {
  name: string;
  power: string;
  /** `guest.toolsStatus` (e.g. `toolsOk`, `toolsNotRunning`, `toolsNotInstalled`), when reported. */
  toolsStatus: string | undefined;
  /** `guest.toolsVersionStatus2` (e.g. `guestToolsCurrent`, `guestToolsNotInstalled`), when reported. */
  toolsVersionStatus: string | undefined;
  /** False when either property says the Tools are not installed; undefined when neither is reported. */
  toolsInstalled: boolean | undefined;
}

/** What `drctl check --live` reads from one vCenter: hosts and their devices, datastores, VMs' Tools. */
export interface VcenterFacts {
  hosts: HostFacts[];
  datastores: DatastoreFacts[];
  vms: VmToolsFacts[];
}

export interface ReadVcenterFactsOptions {
  clock: Clock;
  logger?: Logger;
  /** Site name, for the logs. */
  site: string;
}

/**
 * Reads, and only reads, the facts the best-practice check needs from one vCenter: which devices
 * and datastores each host sees, and whether each VM has VMware Tools. Four property reads over
 * ContainerViews whatever the inventory's size; the session is closed afterwards.
 */
export async function readVcenterFacts(
  connection: VcenterConnection,
  options: ReadVcenterFactsOptions,
  signal: AbortSignal,
): Promise<VcenterFacts> {
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'vsphere-facts' });
  const conn = new SiteConnection(options.site, connection, options.clock, logger, 1000);
  try {
    const [clusters, hosts, datastores, vms] = await Promise.all([
      readAll(conn.client, 'ClusterComputeResource', ['name'], signal),
      readAll(conn.client, 'HostSystem', ['name', 'parent', 'datastore', 'config.storageDevice.scsiLun'], signal),
      conn.datastores(signal),
      readAll(
        conn.client,
        'VirtualMachine',
        ['name', 'runtime.powerState', 'guest.toolsStatus', 'guest.toolsVersionStatus2'],
        signal,
      ),
    ]);
    const clusterName = new Map(clusters.map((c) => [c.ref.value, text(c.props.get('name'))] as const));
    const hostName = new Map<string, string>();
    // Mounts as each host lists them too: vcsim fills a local datastore's `host` with its last
    // host only, while every host lists it; a real vCenter keeps both sides equal.
    const mountedOn = new Map<string, Set<string>>();
    const hostFacts = hosts.map((h): HostFacts => {
      const name = text(h.props.get('name'));
      hostName.set(h.ref.value, name);
      for (const ds of morefs(child(h.props.get('datastore'), 'ManagedObjectReference')))
        mountedOn.set(ds.value, (mountedOn.get(ds.value) ?? new Set()).add(name));
      const parent = moref(h.props.get('parent'));
      const luns = asArray(child(h.props.get('config.storageDevice.scsiLun'), 'ScsiLun'));
      return {
        name,
        cluster: parent?.type === 'ClusterComputeResource' ? clusterName.get(parent.value) : undefined,
        devices: luns.map((l) => text(child(l, 'canonicalName')).toLowerCase()).filter((n) => n.startsWith('naa.')),
      };
    });
    return {
      hosts: hostFacts,
      datastores: datastores.map((d) => ({
        name: d.name,
        extents: d.extents.map((e) => e.toLowerCase()),
        hosts: [
          ...new Set([
            ...d.hosts.map((ref) => hostName.get(ref.value) ?? ref.value),
            ...(mountedOn.get(d.ref.value) ?? []),
          ]),
        ],
      })),
      vms: vms.map((vm): VmToolsFacts => {
        const toolsStatus = optionalText(vm.props.get('guest.toolsStatus'));
        const toolsVersionStatus = optionalText(vm.props.get('guest.toolsVersionStatus2'));
        const reported = toolsStatus !== undefined || toolsVersionStatus !== undefined;
        return {
          name: text(vm.props.get('name')),
          power: text(vm.props.get('runtime.powerState')),
          toolsStatus,
          toolsVersionStatus,
          toolsInstalled: reported
            ? toolsStatus !== 'toolsNotInstalled' && toolsVersionStatus !== 'guestToolsNotInstalled'
            : undefined,
        };
      }),
    };
  } finally {
    await conn.close();
  }
}

function optionalText(node: Parameters<typeof text>[0]): string | undefined {
  const value = text(node);
  return value === '' ? undefined : value;
}
