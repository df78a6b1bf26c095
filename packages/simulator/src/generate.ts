import { DrError, type EnvironmentInput, type InputIssue } from '@drctl/domain';
import { sequentialRandom } from './random.js';

export interface GenerateEnvironmentOptions {
  /** Protected VMs, all at `site-a`. */
  vms: number;
  /** Hosts over both sites (half each, rounded up at site-a); raised to one per cluster. */
  hosts: number;
  /** Clusters over both sites (half each, rounded up at site-a; at least one per site). */
  clusters: number;
  /** Datastores at site-a, one replicated volume each. */
  datastores: number;
  /** How many of the first volumes are Live Volumes. @default 0 */
  liveVolumes?: number;
  /** @default 1 */
  seed?: number;
  /** Fraction (0..1) of VMs that depend on an earlier VM of the same priority. @default 0 */
  dependencies?: number;
  /** `defaultMaxBootAndShutdownOpsPerHost`. @default off */
  hostLimit?: number;
  /** `defaultMaxBootAndShutdownOpsPerCluster`. @default off */
  clusterLimit?: number;
  /** Datastores per array-based protection group. @default 10 */
  datastoresPerGroup?: number;
}

const pad = (n: number, total: number) => String(n).padStart(Math.max(2, String(total).length), '0');

function checkOptions(o: GenerateEnvironmentOptions): void {
  const issues: InputIssue[] = [];
  const whole = (key: keyof GenerateEnvironmentOptions, min: number) => {
    const value = o[key];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
      issues.push({ path: key, message: `expected a whole number of at least ${min}` });
  };
  whole('vms', 0);
  whole('hosts', 1);
  whole('clusters', 1);
  whole('datastores', 1);
  whole('liveVolumes', 0);
  whole('seed', 0);
  whole('hostLimit', 0);
  whole('clusterLimit', 0);
  whole('datastoresPerGroup', 1);
  if (o.liveVolumes !== undefined && o.liveVolumes > o.datastores)
    issues.push({ path: 'liveVolumes', message: `at most the number of datastores (${o.datastores})` });
  if (o.dependencies !== undefined && !(o.dependencies >= 0 && o.dependencies <= 1))
    issues.push({ path: 'dependencies', message: 'expected a fraction from 0 to 1' });
  if (issues.length > 0)
    throw new DrError(
      'DR_INPUT_INVALID',
      `Cannot generate an environment: ${issues.length} bad option${issues.length > 1 ? 's' : ''}.`,
      { issues },
    );
}

/**
 * A synthetic two-site environment for scale tests and benchmarks, fixed by its options and
 * seed: `site-a` protected, `site-b` recovery, one array per site in one pair, one volume per
 * datastore, VMs spread over the datastores (round-robin) and site-a's hosts (seeded), with
 * seeded timings and priorities, and one plan `generated` protecting every group. Dependencies
 * point at an earlier VM of the same priority, so they never form a cycle.
 */
export function generateEnvironment(options: GenerateEnvironmentOptions): EnvironmentInput {
  checkOptions(options);
  const seed = options.seed ?? 1;
  const random = sequentialRandom(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

  const clustersA = Math.max(1, Math.ceil(options.clusters / 2));
  const clustersB = Math.max(1, Math.floor(options.clusters / 2));
  const hostsA = Math.max(clustersA, Math.ceil(options.hosts / 2));
  const hostsB = Math.max(clustersB, Math.floor(options.hosts / 2));
  const site = (letter: 'a' | 'b', clusterCount: number, hostCount: number) => {
    const clusters = Array.from({ length: clusterCount }, (_, c) => ({
      name: `cluster-${letter}-${pad(c + 1, clusterCount)}`,
      hosts: [] as Array<{ name: string }>,
    }));
    for (let h = 0; h < hostCount; h++)
      clusters[h % clusterCount]!.hosts.push({ name: `esx-${letter}-${pad(h + 1, hostCount)}` });
    return {
      name: `site-${letter}`,
      vcenter: `vcenter-${letter}.drctl.test`,
      clusters,
      networks: { production: ['vm-network'], test: ['test-network'] },
      placeholderDatastore: `placeholder-${letter}`,
    };
  };
  const siteA = site('a', clustersA, hostsA);
  const siteB = site('b', clustersB, hostsB);
  const hostsOfA = siteA.clusters.flatMap((c) => c.hosts.map((h) => ({ host: h.name, cluster: c.name })));

  const liveVolumes = options.liveVolumes ?? 0;
  const volumes = Array.from({ length: options.datastores }, (_, i) => {
    const live = i < liveVolumes;
    return {
      id: `vol-${pad(i + 1, options.datastores)}`,
      sourceArray: 'array-a',
      targetArray: 'array-b',
      replication: live ? ('sync-high-availability' as const) : ('async' as const),
      ...(live ? { liveVolume: { autoFailover: false, autoRoleSwap: false, uniformMapping: false } } : {}),
      syncSeconds: between(10, 60),
    };
  });
  const datastores = volumes.map((v, i) => ({
    name: `ds-${pad(i + 1, options.datastores)}`,
    site: 'site-a',
    devices: [v.id],
  }));

  const perGroup = options.datastoresPerGroup ?? 10;
  const groups = Array.from({ length: Math.ceil(datastores.length / perGroup) }, (_, g) => ({
    name: `pg-${pad(g + 1, Math.ceil(datastores.length / perGroup))}`,
    type: 'array' as const,
    arrayPair: 'pair-a-b',
    datastores: datastores.slice(g * perGroup, (g + 1) * perGroup).map((d) => d.name),
  }));

  const dependencyShare = options.dependencies ?? 0;
  const byPriority: string[][] = [[], [], [], [], [], []];
  const vms: NonNullable<EnvironmentInput['vms']> = [];
  const recovery: Array<{ vm: string; priority: 1 | 2 | 3 | 4 | 5; dependsOn?: string[] }> = [];
  for (let i = 0; i < options.vms; i++) {
    const name = `vm-${pad(i + 1, options.vms)}`;
    const placement = hostsOfA[Math.floor(random() * hostsOfA.length)]!;
    const bootSeconds = between(30, 180);
    vms.push({
      name,
      site: 'site-a',
      cluster: placement.cluster,
      host: placement.host,
      datastores: [datastores[i % datastores.length]!.name],
      bootSeconds,
      toolsSeconds: Math.min(180, bootSeconds + between(5, 30)),
      shutdownSeconds: between(10, 60),
      poweredOn: true,
    });
    const priority = between(1, 5) as 1 | 2 | 3 | 4 | 5;
    const earlier = byPriority[priority]!;
    const wantsDependency = random() < dependencyShare;
    if (wantsDependency && earlier.length > 0)
      recovery.push({ vm: name, priority, dependsOn: [earlier[Math.floor(random() * earlier.length)]!] });
    else recovery.push({ vm: name, priority });
    earlier.push(name);
  }

  const settings: Record<string, number> = {};
  if (options.hostLimit !== undefined) settings['defaultMaxBootAndShutdownOpsPerHost'] = options.hostLimit;
  if (options.clusterLimit !== undefined) settings['defaultMaxBootAndShutdownOpsPerCluster'] = options.clusterLimit;

  return {
    version: 1,
    name: `generated-${options.vms}-vms-seed-${seed}`,
    description: `Synthetic environment: ${options.vms} VMs, ${hostsA + hostsB} hosts, ${clustersA + clustersB} clusters, ${options.datastores} datastores (${liveVolumes} Live Volumes).`,
    seed,
    settings,
    sites: [siteA, siteB],
    resourceMappings: Array.from({ length: Math.min(clustersA, clustersB) }, (_, i) => ({
      from: siteA.clusters[i]!.name,
      to: siteB.clusters[i]!.name,
    })),
    arrayManagers: [
      { name: 'dsm-a', site: 'site-a', adapter: 'simulated' },
      { name: 'dsm-b', site: 'site-b', adapter: 'simulated' },
    ],
    arrays: [
      { id: 'array-a', site: 'site-a', serial: 10001, arrayManager: 'dsm-a' },
      { id: 'array-b', site: 'site-b', serial: 10002, arrayManager: 'dsm-b' },
    ],
    arrayPairs: [{ name: 'pair-a-b', arrays: ['array-a', 'array-b'], enabled: true }],
    volumes,
    datastores,
    vms,
    protectionGroups: groups,
    plans: [
      {
        name: 'generated',
        description: 'Protects every generated protection group.',
        protectedSite: 'site-a',
        recoverySite: 'site-b',
        protectionGroups: groups.map((g) => g.name),
        vms: recovery,
        testNetworks: { 'vm-network': 'test-network' },
      },
    ],
  };
}
