import type { Logger } from 'pino';
import { SystemClock, type Environment, type Site } from '@drctl/domain';
import {
  PropertyWatch,
  VimClient,
  el,
  moref,
  morefEl,
  readAll,
  runTask,
  text,
  textEl,
  type MoRef,
} from '@drctl/vsphere';

/** The network every generated VM has, and the lab VMs' first NIC. */
const STOCK_NETWORK = 'VM Network';

/** How a site's lab vCenter is shaped: vcsim's model flags, and the names that make it the site. */
export function siteInventory(site: Site): { flags: string[]; renames: Record<string, string> } {
  const renames: Record<string, string> = {};
  const hostsPerCluster = Math.max(1, ...site.clusters.map((c) => c.hosts.length));
  site.clusters.forEach((cluster, c) => {
    renames[`DC0_C${c}`] = cluster.name;
    cluster.hosts.forEach((host, h) => (renames[`DC0_C${c}_H${h}`] = host.name));
  });
  const networks = [...new Set([...site.networks.production, ...site.networks.test])].filter(
    (n) => n !== STOCK_NETWORK,
  );
  networks.forEach((network, n) => (renames[`DC0_DVPG${n}`] = network));
  if (site.placeholderDatastore) renames.LocalDS_0 = site.placeholderDatastore;
  renames.DC0 = site.name;
  const flags = [
    '-dc',
    '1',
    '-cluster',
    String(site.clusters.length),
    '-host',
    String(hostsPerCluster),
    '-standalone-host',
    '0',
    '-vm',
    '0',
    '-ds',
    '1',
    '-pg',
    String(Math.max(1, networks.length)),
  ];
  return { flags, renames };
}

export interface LabVcenterLogin {
  host: string;
  port: number;
  username: string;
  password: string;
  thumbprint: string;
}

/**
 * Creates the site's protected VMs in its lab vCenter, through the vSphere API as an
 * administrator would: each on its host and cluster, its files on its first datastore (a LUN the
 * lab's SAN presents), one NIC on the stock network, powered on. Returns how many were created.
 */
export async function createSiteVms(
  login: LabVcenterLogin,
  env: Environment,
  site: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<number> {
  const clock = new SystemClock();
  const client = new VimClient({ ...login, clock, logger });
  const watch = new PropertyWatch({ client, clock, intervalMs: 100, batchSize: 500 });
  try {
    const [dc] = await readAll(client, 'Datacenter', ['vmFolder'], signal);
    const folder = moref(dc?.props.get('vmFolder'));
    if (!folder) throw new Error(`the lab vCenter of ${site} has no datacenter`);
    const byName = async (type: string, paths: string[]) =>
      new Map((await readAll(client, type, ['name', ...paths], signal)).map((o) => [text(o.props.get('name')), o]));
    const clusters = await byName('ClusterComputeResource', ['resourcePool']);
    const hosts = await byName('HostSystem', []);
    const created: MoRef[] = [];
    for (const vm of env.vms.filter((v) => v.site === site)) {
      const pool = moref(clusters.get(vm.cluster)?.props.get('resourcePool'));
      const host = hosts.get(vm.host)?.ref;
      const datastore = vm.datastores[0];
      if (!pool || !host || !datastore) throw new Error(`VM ${vm.name}: cluster, host or datastore missing in the lab`);
      const nic = el(
        'deviceChange',
        textEl('operation', 'add') +
          el(
            'device',
            textEl('key', -1) +
              el('backing', textEl('deviceName', STOCK_NETWORK), 'VirtualEthernetCardNetworkBackingInfo'),
            'VirtualVmxnet3',
          ),
      );
      const spec =
        textEl('name', vm.name) +
        textEl('guestId', 'otherGuest') +
        el('files', textEl('vmPathName', `[${datastore}] ${vm.name}/${vm.name}.vmx`)) +
        nic;
      const result = await runTask(
        client,
        watch,
        'CreateVM_Task',
        folder,
        el('config', spec) + morefEl('pool', pool) + morefEl('host', host),
        signal,
      );
      const ref = moref(result);
      if (ref) created.push(ref);
    }
    for (const ref of created) await runTask(client, watch, 'PowerOnVM_Task', ref, '', signal);
    return created.length;
  } finally {
    watch.close();
    await client.close();
  }
}
