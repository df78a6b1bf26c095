import type { Clock } from '@drctl/domain';
import type { Logger } from 'pino';
import { asArray, child, moref, morefs, text } from './soap/xml.js';
import { readAll } from './vim/properties.js';
import { SiteConnection, type VcenterConnection } from './site.js';

/** What one vCenter holds, by name, as `drctl discover` needs it. */
export interface VcenterInventory {
  /** Clusters with their hosts; a standalone host is a cluster of its own (its compute resource). */
  clusters: Array<{ name: string; hosts: string[] }>;
  /** Standard networks and distributed port groups. */
  networks: string[];
  /** Datastores with the NAA ids of their VMFS extents (none for NFS or local disks without one). */
  datastores: Array<{ name: string; type: string; naa: string[] }>;
  /** VMs (templates left out) with where they run and the datastores they use. */
  vms: Array<{ name: string; cluster: string; host: string; datastores: string[]; poweredOn: boolean }>;
}

/**
 * Reads a vCenter's inventory for `drctl discover`: one ContainerView read per object type
 * (hosts, compute resources, networks, port groups, datastores, VMs), whatever the number of VMs.
 */
export async function readVcenterInventory(
  connection: VcenterConnection,
  options: { clock: Clock; logger: Logger; signal: AbortSignal },
): Promise<VcenterInventory> {
  const { signal } = options;
  const conn = new SiteConnection('discover', connection, options.clock, options.logger, 1000);
  try {
    const [computes, hosts, networks, portgroups, datastores, vms] = await Promise.all([
      readAll(conn.client, 'ComputeResource', ['name'], signal),
      readAll(conn.client, 'HostSystem', ['name', 'parent'], signal),
      readAll(conn.client, 'Network', ['name'], signal),
      readAll(conn.client, 'DistributedVirtualPortgroup', ['name', 'config.uplink'], signal),
      conn.datastores(signal),
      readAll(
        conn.client,
        'VirtualMachine',
        ['name', 'runtime.host', 'runtime.powerState', 'datastore', 'config.template'],
        signal,
      ),
    ]);
    const computeName = new Map(computes.map((c) => [c.ref.value, text(c.props.get('name'))]));
    const hostOf = new Map<string, { name: string; cluster: string }>();
    const clusters = new Map<string, string[]>();
    for (const h of hosts) {
      const name = text(h.props.get('name'));
      const cluster = computeName.get(moref(h.props.get('parent'))?.value ?? '') ?? name;
      hostOf.set(h.ref.value, { name, cluster });
      clusters.set(cluster, [...(clusters.get(cluster) ?? []), name]);
    }
    const datastoreName = new Map(datastores.map((d) => [d.ref.value, d.name]));
    const types = new Map(
      (await readAll(conn.client, 'Datastore', ['summary.type'], signal)).map((d) => [
        d.ref.value,
        text(d.props.get('summary.type')),
      ]),
    );
    return {
      clusters: [...clusters].map(([name, names]) => ({ name, hosts: names.sort() })),
      networks: [
        ...new Set([
          ...networks.map((n) => text(n.props.get('name'))),
          // Uplink port groups carry no VM traffic.
          ...portgroups
            .filter((p) => text(p.props.get('config.uplink')) !== 'true')
            .map((p) => text(p.props.get('name'))),
        ]),
      ],
      datastores: datastores.map((d) => ({ name: d.name, type: types.get(d.ref.value) ?? '', naa: d.extents })),
      vms: vms
        .filter((v) => text(v.props.get('config.template')) !== 'true')
        .map((v) => {
          const host = hostOf.get(moref(v.props.get('runtime.host'))?.value ?? '');
          return {
            name: text(v.props.get('name')),
            cluster: host?.cluster ?? '',
            host: host?.name ?? '',
            datastores: asArray(child(v.props.get('datastore'), 'ManagedObjectReference'))
              .flatMap((r) => morefs(r))
              .map((r) => datastoreName.get(r.value) ?? '')
              .filter((n) => n !== ''),
            poweredOn: text(v.props.get('runtime.powerState')) === 'poweredOn',
          };
        }),
    };
  } finally {
    await conn.close();
  }
}
