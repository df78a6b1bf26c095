import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { DrError, loadEnvironment, type Clock, type Environment, type VcenterConnectionConfig } from '@drctl/domain';
import { readDsmInventory, resolveDsmPassword, type DsmInventory } from '@drctl/sc-series';
import {
  readVcenterInventory,
  toDrError,
  vcenterConnectionsFromEnvironment,
  type VcenterInventory,
} from '@drctl/vsphere';

/** A Data Collector as `drctl discover` is told about it (the password by reference). */
export interface DiscoverDsm {
  host: string;
  port?: number;
  username: string;
  passwordEnv?: string;
  passwordFile?: string;
  caFile?: string;
  verifyTls?: boolean;
}

/** One site: its vCenter and, usually, its Data Collector. */
export interface DiscoverSite {
  name: string;
  vcenter: VcenterConnectionConfig;
  dsm?: DiscoverDsm;
}

export interface DiscoverOptions {
  /** Name of the environment written. */
  name: string;
  sites: DiscoverSite[];
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** Where passwordEnv is read. @default process.env */
  processEnv?: Record<string, string | undefined>;
}

export interface Discovery {
  /** The starting environment file's content, as written (defaults left out); it validates. */
  document: Record<string, unknown>;
  /** The same, loaded as `drctl validate` loads it. */
  environment: Environment;
  /** What the inventory cannot say, for a person to decide, one sentence each. */
  todo: string[];
  counts: { sites: number; hosts: number; vms: number; datastores: number; volumes: number; liveVolumes: number };
}

interface SiteReading {
  site: DiscoverSite;
  vcenter: VcenterInventory;
  dsm: DsmInventory | undefined;
}

/**
 * `drctl discover`: reads each site's vCenter and Data Collector and composes a starting
 * environment file — sites, clusters, hosts, networks, arrays, replicated volumes and Live Volumes,
 * datastores matched to their volumes by NAA id, the VMs on them, one array protection group and
 * one plan per direction — and the list of what still needs a person.
 */
export async function discoverEnvironment(options: DiscoverOptions): Promise<Discovery> {
  const { clock, logger, signal } = options;
  const processEnv = options.processEnv ?? process.env;
  const { vcenters, issues } = vcenterConnectionsFromEnvironment(
    // Only the sites' names and connections are read.
    { sites: options.sites.map((s) => ({ name: s.name, vcenterConnection: s.vcenter })) } as unknown as Environment,
    processEnv,
  );
  if (issues.length > 0) {
    throw new DrError('DR_INPUT_INVALID', `discover cannot reach every vCenter: ${issues.length} problem(s).`, {
      issues,
    });
  }
  const readings: SiteReading[] = await Promise.all(
    options.sites.map(async (site, index) => {
      const vcenter = await readVcenterInventory(vcenters[site.name]!, { clock, logger, signal }).catch(
        (error: unknown) => {
          throw toDrError(error, site.name, `Reading the inventory of vCenter ${site.vcenter.host}`);
        },
      );
      let dsm: DsmInventory | undefined;
      if (site.dsm) {
        const password = resolveDsmPassword(site.dsm, `sites[${index}].dsm`, processEnv);
        dsm = await readDsmInventory(
          {
            host: site.dsm.host,
            ...(site.dsm.port !== undefined ? { port: site.dsm.port } : {}),
            username: site.dsm.username,
            password,
            ...(site.dsm.caFile ? { caPem: readFileSync(site.dsm.caFile, 'utf8') } : {}),
            verifyTls: site.dsm.verifyTls ?? true,
            clock,
            logger,
          },
          signal,
        ).catch((error: unknown) => {
          throw new DrError(
            'DR_SITE_UNREACHABLE',
            `Reading the Data Collector ${site.dsm!.host} of site ${site.name} failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error, details: { site: site.name, dsm: site.dsm!.host } },
          );
        });
      }
      return { site, vcenter, dsm };
    }),
  );
  return compose(options.name, readings);
}

const arrayId = (serial: number) => `sc-${serial}`;

function compose(name: string, readings: SiteReading[]): Discovery {
  const todo: string[] = [];
  // Every Storage Center and replicated device once, whichever Data Collectors manage it.
  const centers = new Map<number, { name: string; managers: string[] }>();
  const devices = new Map<string, DsmInventory['devices'][number]>();
  for (const r of readings) {
    for (const sc of r.dsm?.storageCenters ?? []) {
      const entry = centers.get(sc.serial) ?? { name: sc.name, managers: [] };
      entry.managers.push(r.site.name);
      centers.set(sc.serial, entry);
    }
    for (const d of r.dsm?.devices ?? []) if (!devices.has(d.device)) devices.set(d.device, d);
  }

  // Which site each NAA id is mounted at (a datastore's extents).
  const naaAt = new Map<string, Array<{ site: string; datastore: string }>>();
  for (const r of readings)
    for (const ds of r.vcenter.datastores)
      for (const naa of ds.naa) naaAt.set(naa, [...(naaAt.get(naa) ?? []), { site: r.site.name, datastore: ds.name }]);

  // A Storage Center is at the site whose hosts mount its volumes. A Live Volume's two sides
  // show the same device id at both sites: a tie goes to a site none of its peers is at; with no
  // mount at all, to its Data Collector's site.
  const arraySite = new Map<number, string>();
  const peersOf = (serial: number) =>
    [...devices.values()].flatMap((d) =>
      d.sourceSerial === serial ? [d.destinationSerial] : d.destinationSerial === serial ? [d.sourceSerial] : [],
    );
  const ties: Array<[number, string[]]> = [];
  for (const [serial, center] of centers) {
    const votes = new Map<string, number>();
    for (const d of devices.values()) {
      const mine =
        d.sourceSerial === serial ? d.naa.source : d.destinationSerial === serial ? d.naa.destination : undefined;
      for (const at of mine ? (naaAt.get(mine) ?? []) : []) votes.set(at.site, (votes.get(at.site) ?? 0) + 1);
    }
    const top = Math.max(0, ...votes.values());
    const best = [...votes].filter(([, n]) => n === top && n > 0).map(([site]) => site);
    if (best.length === 1) arraySite.set(serial, best[0]!);
    else ties.push([serial, best.length > 0 ? best : readings.map((r) => r.site.name)]);
    if (best.length === 0)
      todo.push(
        `Array ${arrayId(serial)} (${center.name}) has no volume any host mounts: its site was guessed; check arrays[].site.`,
      );
  }
  for (const [serial, candidates] of ties) {
    const taken = new Set(peersOf(serial).map((p) => arraySite.get(p)));
    arraySite.set(serial, candidates.find((c) => !taken.has(c)) ?? candidates[0]!);
  }

  const managerName = (site: string) => `dsm-${site}`;
  const arrayManagers = readings
    .filter((r) => r.site.dsm)
    .map((r) => {
      const dsm = r.site.dsm!;
      const serials = [...centers]
        .filter(([serial, c]) => managerOf(serial, c) === r.site.name)
        .map(([serial]) => serial);
      return {
        name: managerName(r.site.name),
        site: r.site.name,
        adapter: 'sc-series' as const,
        connection: {
          host: dsm.host,
          port: dsm.port ?? 3033,
          username: dsm.username,
          ...(dsm.passwordEnv ? { passwordEnv: dsm.passwordEnv } : {}),
          ...(dsm.passwordFile ? { passwordFile: dsm.passwordFile } : {}),
          ...(dsm.caFile ? { caFile: dsm.caFile } : {}),
          verifyTls: dsm.verifyTls ?? true,
          storageCenters: serials,
          dataCollectorSite: r.site.name,
        },
      };
    });
  function managerOf(serial: number, center: { managers: string[] }): string {
    // Each array is driven by the Data Collector of its own site when that one manages it.
    const site = arraySite.get(serial)!;
    return center.managers.includes(site) ? site : center.managers[0]!;
  }
  const arrays = [...centers].map(([serial, center]) => ({
    id: arrayId(serial),
    site: arraySite.get(serial)!,
    serial,
    arrayManager: managerName(managerOf(serial, center)),
  }));

  const volumes = [...devices.values()].map((d) => ({
    id: d.device,
    sourceArray: arrayId(d.sourceSerial),
    targetArray: arrayId(d.destinationSerial),
    replication: d.replicationType,
    replicateActiveSnapshot: d.replicateActiveSnapshot,
    ...(d.liveVolume
      ? { liveVolume: { autoFailover: d.liveVolume.autoFailover, autoRoleSwap: d.liveVolume.autoRoleSwap } }
      : {}),
  }));

  // A replicated datastore: mounted at the site of its volume's source (the protected side).
  const datastores: Array<{ name: string; site: string; devices: string[] }> = [];
  const datastoreDevices = new Map<string, string>();
  for (const d of devices.values()) {
    const sourceSite = arraySite.get(d.sourceSerial);
    const mounted = [d.naa.source, d.naa.destination]
      .flatMap((naa) => (naa ? (naaAt.get(naa) ?? []) : []))
      .find((m) => m.site === sourceSite);
    if (!mounted) {
      todo.push(
        `Replicated volume ${d.device} backs no datastore at site ${sourceSite}: protect it by hand if it should be.`,
      );
      continue;
    }
    if (datastoreDevices.has(mounted.datastore)) continue;
    datastoreDevices.set(mounted.datastore, d.device);
    datastores.push({ name: mounted.datastore, site: mounted.site, devices: [d.device] });
  }
  const datastoreSite = new Map(datastores.map((d) => [d.name, d.site]));

  const vms = readings.flatMap((r) =>
    r.vcenter.vms.flatMap((vm) => {
      const replicated = vm.datastores.filter((ds) => datastoreSite.get(ds) === r.site.name);
      if (replicated.length === 0) return [];
      if (replicated.length < vm.datastores.length) {
        todo.push(
          `VM ${vm.name} at ${r.site.name} also uses datastores that are not replicated (${vm.datastores.filter((d) => !replicated.includes(d)).join(', ')}): it was left out.`,
        );
        return [];
      }
      if (!vm.host) return [];
      return [
        {
          name: vm.name,
          site: r.site.name,
          cluster: vm.cluster,
          host: vm.host,
          datastores: vm.datastores,
          poweredOn: vm.poweredOn,
        },
      ];
    }),
  );

  const sites = readings.map((r) => {
    const local = r.vcenter.datastores.filter((d) => !datastoreDevices.has(d.name)).map((d) => d.name);
    const placeholder = local[0];
    if (placeholder)
      todo.push(
        `Site ${r.site.name}: placeholder datastore ${placeholder} was picked as the first datastore that is not replicated; check sites[].placeholderDatastore.`,
      );
    else todo.push(`Site ${r.site.name} has no datastore that is not replicated: give it a placeholderDatastore.`);
    return {
      name: r.site.name,
      vcenter: r.site.vcenter.host,
      clusters: r.vcenter.clusters.map((c) => ({ name: c.name, hosts: c.hosts.map((h) => ({ name: h })) })),
      networks: { production: r.vcenter.networks, test: [] as string[] },
      ...(placeholder ? { placeholderDatastore: placeholder } : {}),
      vcenterConnection: r.site.vcenter,
    };
  });
  todo.push('Test networks (sites[].networks.test and plans[].testNetworks) are not in any inventory: add them.');

  // Clusters mapped in the order each vCenter lists them.
  const resourceMappings: Array<{ from: string; to: string }> = [];
  for (let i = 0; i + 1 < sites.length; i += 2) {
    const [a, b] = [sites[i]!, sites[i + 1]!];
    const n = Math.min(a.clusters.length, b.clusters.length);
    for (let c = 0; c < n; c++) {
      resourceMappings.push({ from: a.clusters[c]!.name, to: b.clusters[c]!.name });
    }
  }
  const clusterNames = sites.flatMap((s) => s.clusters.map((c) => c.name));
  const ambiguous = clusterNames.length !== new Set(clusterNames).size;
  if (ambiguous) {
    resourceMappings.length = 0;
    todo.push(
      'Both sites have clusters of the same name: write resourceMappings by hand (a mapping joins cluster names).',
    );
  } else if (resourceMappings.length > 0)
    todo.push('resourceMappings pair the clusters in the order each vCenter lists them: check them.');

  const arrayPairs: Array<{ name: string; arrays: [string, string] }> = [];
  const pairOf = (a: string, b: string) => {
    const [x, y] = [a, b].sort() as [string, string];
    const found = arrayPairs.find((p) => p.arrays[0] === x && p.arrays[1] === y);
    if (found) return found.name;
    const pair = { name: `${x}-${y}`, arrays: [x, y] as [string, string] };
    arrayPairs.push(pair);
    return pair.name;
  };
  const groups = new Map<
    string,
    { name: string; type: 'array'; arrayPair: string; datastores: string[]; site: string }
  >();
  for (const ds of datastores) {
    const d = devices.get(ds.devices[0]!)!;
    const pair = pairOf(arrayId(d.sourceSerial), arrayId(d.destinationSerial));
    const key = `${ds.site}/${pair}`;
    const group = groups.get(key) ?? {
      name: `pg-${ds.site}-${pair}`,
      type: 'array' as const,
      arrayPair: pair,
      datastores: [],
      site: ds.site,
    };
    group.datastores.push(ds.name);
    groups.set(key, group);
  }
  const protectionGroups = [...groups.values()].map(({ site: _site, ...g }) => g);
  const plans = sites.flatMap((s) => {
    const mine = [...groups.values()].filter((g) => g.site === s.name).map((g) => g.name);
    const other = sites.find((o) => o.name !== s.name);
    if (mine.length === 0 || !other) return [];
    return [{ name: `Protect ${s.name}`, protectedSite: s.name, recoverySite: other.name, protectionGroups: mine }];
  });
  if (vms.length > 0)
    todo.push(
      `Every one of the ${vms.length} VMs has SRM's defaults (priority 3, no dependencies, no callouts, 300 s Tools wait): set plans[].vms for the ones that need more.`,
    );

  const raw = {
    version: 1,
    name,
    description: 'Written by drctl discover; see the comments at the top for what still needs a person.',
    sites,
    resourceMappings,
    arrayManagers,
    arrays,
    arrayPairs,
    volumes,
    datastores,
    vms,
    protectionGroups,
    plans,
  };
  // What was composed must load as a user's file would: schema and cross-references.
  const environment = loadEnvironment(JSON.stringify(raw), { source: 'discovered environment' });
  return {
    document: raw,
    environment,
    todo,
    counts: {
      sites: sites.length,
      hosts: sites.reduce((n, s) => n + s.clusters.reduce((m, c) => m + c.hosts.length, 0), 0),
      vms: vms.length,
      datastores: datastores.length,
      volumes: volumes.length,
      liveVolumes: volumes.filter((v) => v.liveVolume).length,
    },
  };
}
