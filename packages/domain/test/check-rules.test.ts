import { describe, expect, it } from '@jest/globals';
import {
  CHECK_RULES,
  checkConfiguration,
  checkRule,
  defaultSettings,
  DrError,
  findingsFromIssues,
  formatYaml,
  loadEnvironment,
  type DiscoveredDevice,
  type Finding,
  type ObservedFacts,
  type ObservedSite,
  type Settings,
} from '../src/index.js';
import { baseEnvironment, type BaseEnvironment } from './support/base-environment.js';

type Fixture = BaseEnvironment;

/** `count` datastores on their own volumes, all in the plan's protection group. */
function manyDatastores(env: Fixture, count: number): void {
  env.volumes = Array.from({ length: count }, (_, i) => ({
    id: `v${i + 1}`,
    sourceArray: 'sc12',
    targetArray: 'sc13',
  }));
  env.datastores = env.volumes.map((v, i) => ({ name: `ds${i + 1}`, site: 's1', devices: [v.id] }));
  env.protectionGroups = [
    { name: 'pg', type: 'array', arrayPair: 'pair', datastores: env.datastores.map((d) => d.name) },
  ];
}

const liveVolume = (env: Fixture, extra: Record<string, unknown> = {}) => {
  env.volumes[0] = { ...env.volumes[0]!, liveVolume: {}, ...extra };
};

const device = (over: Partial<DiscoveredDevice> = {}): DiscoveredDevice => ({
  id: 'v1',
  arrayId: 'sc12',
  peerArrayId: 'sc13',
  role: 'source',
  state: 'read-write',
  replicationType: 'async',
  replicateActiveSnapshot: false,
  ...over,
});

/** What the vCenter of s1 reports: both hosts see ds1 and ph1; every VM has Tools. */
const s1 = (over: Partial<ObservedSite> = {}): ObservedSite => ({
  site: 's1',
  hosts: [
    { name: 'h11', cluster: 'c1', devices: [] },
    { name: 'h12', cluster: 'c1', devices: [] },
  ],
  datastores: [
    { name: 'ds1', extents: [], hosts: ['h11', 'h12'] },
    { name: 'ph1', extents: [], hosts: ['h11', 'h12'] },
  ],
  vms: [
    { name: 'db', toolsInstalled: true, toolsStatus: 'toolsOk' },
    { name: 'app', toolsInstalled: true, toolsStatus: 'toolsOk' },
    { name: 'web', toolsInstalled: true, toolsStatus: 'toolsOk' },
  ],
  ...over,
});

interface Case {
  code: string;
  /** What the fixture breaks, in words. */
  fixture: string;
  arrange: (env: Fixture) => void;
  settings?: Partial<Settings>;
  observed?: ObservedFacts;
  path: string;
}

/** One row per rule of the catalogue: rule → fixture → expected finding (code, path). */
const CASES: Case[] = [
  {
    code: 'DC_AT_PROTECTED_SITE',
    fixture: 'Data Collector at the protected site s1',
    arrange: (e) => {
      e.arrayManagers = [
        {
          name: 'dsm',
          site: 's2',
          adapter: 'sc-series',
          connection: { host: 'dsm', username: 'srm', dataCollectorSite: 's1' },
        },
      ];
    },
    path: 'arrayManagers[0].connection.dataCollectorSite',
  },
  {
    code: 'DUAL_SITE_NO_REMOTE_DC',
    fixture: 'plans both ways between s1 and s2, one Data Collector (simulated adapter: rules apply whatever the kind)',
    arrange: (e) => {
      e.volumes.push({ id: 'v2', sourceArray: 'sc13', targetArray: 'sc12' });
      e.datastores!.push({ name: 'ds2', site: 's2', devices: ['v2'] });
      e.vms.push({ name: 'erp', site: 's2', cluster: 'c2', host: 'h21', datastores: ['ds2'] });
      e.protectionGroups!.push({ name: 'pg2', type: 'array', arrayPair: 'pair', datastores: ['ds2'] });
      e.plans.push({ name: 'back', protectedSite: 's2', recoverySite: 's1', protectionGroups: ['pg2'] });
    },
    path: 'arrayManagers',
  },
  {
    code: 'DC_NOT_THIRD_SITE',
    fixture: 'a Live Volume, Data Collector at s2',
    arrange: (e) => {
      liveVolume(e);
      e.arrayManagers = [
        {
          name: 'dsm',
          site: 's2',
          adapter: 'simulated',
          connection: { host: 'dsm', username: 'srm', dataCollectorSite: 's2' },
        },
      ];
    },
    path: 'arrayManagers[0].connection.dataCollectorSite',
  },
  {
    code: 'REMOTE_DC_WITH_LIVE_VOLUME',
    fixture: 'a Live Volume served by a Remote Data Collector',
    arrange: (e) => {
      liveVolume(e);
      e.arrayManagers = [
        {
          name: 'dsm',
          site: 's2',
          adapter: 'sc-series',
          connection: { host: 'dsm', username: 'srm', remoteDataCollector: true },
        },
      ];
    },
    path: 'arrayManagers[0].connection.remoteDataCollector',
  },
  {
    code: 'SRA_ACCOUNT_RIGHTS',
    fixture: 'SRA account without rights on sc13',
    arrange: (e) => {
      e.arrays[1]!.sraAccountHasRights = false;
    },
    path: 'arrayPairs[0].arrays[1]',
  },
  {
    code: 'AUTO_RESTORE_POINTS',
    fixture: 'automatic restore-point saving on sc12',
    arrange: (e) => {
      e.arrays[0]!.autoSaveRestorePoints = true;
    },
    path: 'arrays[0].autoSaveRestorePoints',
  },
  {
    code: 'COMMAND_TIMEOUT_LIVE_VOLUMES',
    fixture: 'one protected Live Volume',
    arrange: (e) => liveVolume(e),
    path: 'settings.storage.commandTimeout',
  },
  {
    code: 'COMMAND_TIMEOUT_LARGE_PLAN',
    fixture: '60 datastores with the default 300 s commandTimeout',
    arrange: (e) => manyDatastores(e, 60),
    path: 'settings.storage.commandTimeout',
  },
  {
    code: 'HOST_RESCAN_TIMEOUT',
    fixture: '60 datastores with the default 300 s rescan timeout',
    arrange: (e) => manyDatastores(e, 60),
    path: 'settings.storageProvider.hostRescanTimeoutSec',
  },
  {
    code: 'HOST_RESCAN_REPEAT',
    fixture: '60 datastores with one extra rescan',
    arrange: (e) => manyDatastores(e, 60),
    path: 'settings.storageProvider.hostRescanRepeatCnt',
  },
  {
    code: 'STRETCHED_MATCH_TIMEOUT',
    fixture: 'a Live Volume with the default 300 s match timeout',
    arrange: (e) => liveVolume(e),
    path: 'settings.storageProvider.stretchedDevicesMatchTimeout',
  },
  {
    code: 'CLUSTER_LIMIT_BELOW_HOSTS',
    fixture: 'recovery cluster c2 (2 hosts) limited to 1 boot',
    arrange: (e) => {
      e.sites[1]!.clusters[0]!.srmMaxBootShutdownOps = 1;
    },
    path: 'sites[1].clusters[0].srmMaxBootShutdownOps',
  },
  {
    code: 'CLUSTER_LIMIT_BELOW_HOST_LIMIT',
    fixture: 'cluster limit 2 under a per-host limit of 4',
    arrange: () => undefined,
    settings: { defaultMaxBootAndShutdownOpsPerCluster: 2, defaultMaxBootAndShutdownOpsPerHost: 4 },
    path: 'settings.defaultMaxBootAndShutdownOpsPerCluster',
  },
  {
    code: 'BOOT_LIMITS_OFF',
    fixture: '120 VMs in one plan, no boot limit',
    arrange: (e) => {
      e.vms = Array.from({ length: 120 }, (_, i) => ({
        name: `vm${i}`,
        site: 's1',
        cluster: 'c1',
        host: 'h11',
        datastores: ['ds1'],
      }));
      e.plans[0]!.vms = [];
    },
    path: 'settings.defaultMaxBootAndShutdownOpsPerHost',
  },
  {
    code: 'QOS_MISMATCH',
    fixture: 'v1 gold on its source, silver on its target',
    arrange: (e) => {
      e.volumes[0] = { ...e.volumes[0]!, qosProfile: 'gold', targetQosProfile: 'silver' };
    },
    path: 'volumes[0].targetQosProfile',
  },
  {
    code: 'QOS_ARRAY_MISMATCH',
    fixture: 'sc12 gold, sc13 silver',
    arrange: (e) => {
      e.arrays[0]!.qosProfile = 'gold';
      e.arrays[1]!.qosProfile = 'silver';
    },
    path: 'arrays[1].qosProfile',
  },
  {
    code: 'LV_SYNC_HIGH_CONSISTENCY',
    fixture: 'a Live Volume replicating sync high-consistency',
    arrange: (e) => liveVolume(e, { replication: 'sync-high-consistency' }),
    path: 'volumes[0].replication',
  },
  {
    code: 'LV_AUTO_FAILOVER',
    fixture: 'a Live Volume with automatic failover',
    arrange: (e) => liveVolume(e, { liveVolume: { autoFailover: true } }),
    path: 'volumes[0].liveVolume.autoFailover',
  },
  {
    code: 'LV_AUTO_ROLE_SWAP',
    fixture: 'a Live Volume with automatic role swap',
    arrange: (e) => liveVolume(e, { liveVolume: { autoRoleSwap: true } }),
    path: 'volumes[0].liveVolume.autoRoleSwap',
  },
  {
    code: 'LV_UNIFORM_MAPPING',
    fixture: 'a Live Volume mapped uniformly',
    arrange: (e) => liveVolume(e, { liveVolume: { uniformMapping: true } }),
    path: 'volumes[0].liveVolume.uniformMapping',
  },
  {
    code: 'LV_MANAGED_REPLICATION',
    fixture: 'a Live Volume managing a replication to a third Storage Center',
    arrange: (e) => liveVolume(e, { liveVolume: { managedReplication: true } }),
    path: 'volumes[0].liveVolume.managedReplication',
  },
  {
    code: 'LV_CONSISTENCY_GROUP',
    fixture: 'a Live Volume in a consistency group',
    arrange: (e) => liveVolume(e, { consistencyGroup: 'cg1' }),
    path: 'volumes[0].consistencyGroup',
  },
  {
    code: 'ACTIVE_SNAPSHOT_CRASH_CONSISTENT',
    fixture: 'application erp on a volume replicating the active snapshot',
    arrange: (e) => {
      e.volumes[0]!.replicateActiveSnapshot = true;
      e.vms[0]!.application = 'erp';
    },
    path: 'arrayManagers[0].selectableSnapshot',
  },
  {
    code: 'INCONSISTENT_REPLICATION_POINTS',
    fixture: 'application erp on v1 (16:00) and v2 (15:00)',
    arrange: (e) => {
      e.volumes = [
        { id: 'v1', sourceArray: 'sc12', targetArray: 'sc13', lastReplicatedAt: '2026-01-01T16:00:00Z' },
        { id: 'v2', sourceArray: 'sc12', targetArray: 'sc13', lastReplicatedAt: '2026-01-01T15:00:00Z' },
      ];
      e.datastores = [{ name: 'ds1', site: 's1', devices: ['v1', 'v2'] }];
      e.vms[0]!.application = 'erp';
    },
    path: 'vms[application=erp]',
  },
  {
    code: 'PER_RESTORE_POINT_UNSET',
    fixture: 'selectableSnapshot per-restore-point, no restore point for v1',
    arrange: (e) => {
      e.arrayManagers![0]!.selectableSnapshot = 'per-restore-point';
    },
    path: 'plans[0].restorePoints',
  },
  {
    code: 'CONSISTENCY_GROUP_TOO_LARGE',
    fixture: '41 volumes in one consistency group',
    arrange: (e) => {
      manyDatastores(e, 41);
      for (const v of e.volumes) v.consistencyGroup = 'cg';
    },
    path: 'volumes[0].consistencyGroup',
  },
  {
    code: 'ARRAY_PAIR_DISABLED',
    fixture: 'the protection group’s array pair disabled',
    arrange: (e) => {
      e.arrayPairs![0]!.enabled = false;
    },
    path: 'arrayPairs[0].enabled',
  },
  {
    code: 'PLAN_DIRECTION',
    fixture: 'v1 replicating from s2 while the plan protects s1',
    arrange: (e) => {
      e.volumes[0] = { id: 'v1', sourceArray: 'sc13', targetArray: 'sc12' };
    },
    path: 'plans[0].protectedSite',
  },
  {
    code: 'NO_PLACEHOLDER_DATASTORE',
    fixture: 'recovery site s2 without a placeholder datastore',
    arrange: (e) => {
      delete e.sites[1]!.placeholderDatastore;
    },
    path: 'sites[1].placeholderDatastore',
  },
  {
    code: 'NO_REPROTECT_PLACEHOLDER',
    fixture: 'protected site s1 without a placeholder datastore',
    arrange: (e) => {
      delete e.sites[0]!.placeholderDatastore;
    },
    path: 'sites[0].placeholderDatastore',
  },
  {
    code: 'PLACEHOLDER_REPLICATED',
    fixture: 'the placeholder datastore of s1 is replicated datastore ds1',
    arrange: (e) => {
      e.sites[0]!.placeholderDatastore = 'ds1';
    },
    path: 'sites[0].placeholderDatastore',
  },
  {
    code: 'VM_DATASTORE_NOT_RECOVERED',
    fixture: 'db also on ds2, which no protection group holds',
    arrange: (e) => {
      e.volumes.push({ id: 'v2', sourceArray: 'sc12', targetArray: 'sc13' });
      e.datastores!.push({ name: 'ds2', site: 's1', devices: ['v2'] });
      e.vms[0]!.datastores = ['ds1', 'ds2'];
    },
    path: 'vms[0].datastores',
  },
  {
    code: 'TOOLS_WAIT_SHORTER_THAN_BOOT',
    fixture: 'db answers Tools after 400 s, the plan waits 300 s',
    arrange: (e) => {
      e.vms[0]!.toolsSeconds = 400;
    },
    path: 'plans[0].vms[0].toolsWaitSeconds',
  },
  {
    code: 'TOOLS_WAIT_OFF_WITH_DEPENDENTS',
    fixture: 'app depends on web, which does not wait for Tools',
    arrange: (e) => {
      e.plans[0]!.vms = [
        { vm: 'db', priority: 1 },
        { vm: 'app', priority: 2, dependsOn: ['web'] },
        { vm: 'web', priority: 2, toolsWaitSeconds: 0 },
      ];
    },
    path: 'plans[0].vms[2].toolsWaitSeconds',
  },
  {
    code: 'LIVE_DEVICE_MISSING',
    fixture: 'sc12 reports no device v1',
    arrange: () => undefined,
    observed: { arrays: [{ arrayManager: 'dsm', arrayId: 'sc12', devices: [] }] },
    path: 'volumes[0].id',
  },
  {
    code: 'LIVE_REPLICATION_DIFFERS',
    fixture: 'sc12 reports v1 as sync high-availability, the file says async',
    arrange: () => undefined,
    observed: {
      arrays: [
        { arrayManager: 'dsm', arrayId: 'sc12', devices: [device({ replicationType: 'sync-high-availability' })] },
      ],
    },
    path: 'volumes[0]',
  },
  {
    code: 'LIVE_QOS_NODE_MISSING',
    fixture: 'sc12 names QoS Gold, its Data Collector has only Default',
    arrange: (e) => {
      e.arrays[0]!.qosProfile = 'Gold';
    },
    observed: { qosNodes: [{ arrayManager: 'dsm', arrayId: 'sc12', nodes: [{ name: 'Default' }] }] },
    path: 'arrays[0].qosProfile',
  },
  {
    code: 'LIVE_QOS_NODE_DIFFERS',
    fixture: 'QoS node Q runs at 1 Gbps on sc12 and 100 Mbps on sc13',
    arrange: () => undefined,
    observed: {
      qosNodes: [
        { arrayManager: 'dsm', arrayId: 'sc12', nodes: [{ name: 'Q', linkSpeed: '1 Gbps' }] },
        { arrayManager: 'dsm', arrayId: 'sc13', nodes: [{ name: 'Q', linkSpeed: '100 Mbps' }] },
      ],
    },
    path: 'arrayPairs[0]',
  },
  {
    code: 'LIVE_VM_NO_TOOLS',
    fixture: 'vCenter reports db without VMware Tools',
    arrange: () => undefined,
    observed: {
      sites: [
        s1({
          vms: [
            { name: 'db', toolsInstalled: false, toolsStatus: 'toolsNotInstalled' },
            { name: 'app', toolsInstalled: true },
            { name: 'web', toolsInstalled: true },
          ],
        }),
      ],
    },
    path: 'vms[0]',
  },
  {
    code: 'LIVE_HOST_CANNOT_SEE_DATASTORE',
    fixture: 'h12 does not mount ds1, which h11 mounts',
    arrange: () => undefined,
    observed: {
      sites: [
        s1({
          datastores: [
            { name: 'ds1', extents: [], hosts: ['h11'] },
            { name: 'ph1', extents: [], hosts: ['h11', 'h12'] },
          ],
        }),
      ],
    },
    path: 'sites[0].clusters[0].hosts[1].name',
  },
  {
    code: 'LIVE_NOT_IN_VCENTER',
    fixture: 'the vCenter of s1 has no VM app',
    arrange: () => undefined,
    observed: { sites: [s1({ vms: [{ name: 'db', toolsInstalled: true }, { name: 'web' }] })] },
    path: 'vms[1].name',
  },
];

/** Rules whose findings come from the loader, not from a loaded environment. */
const LOAD_CASES: Array<{ code: string; fixture: string; arrange: (env: Fixture) => void; path: string }> = [
  {
    code: 'DEPENDENCY_CROSSES_PRIORITY',
    fixture: 'db (priority 1) depends on app (priority 2)',
    arrange: (e) => {
      e.plans[0]!.vms = [
        { vm: 'db', priority: 1, dependsOn: ['app'] },
        { vm: 'app', priority: 2 },
      ];
    },
    path: 'plans[0].vms[0].dependsOn[0]',
  },
  {
    code: 'ENVIRONMENT_INVALID',
    fixture: 'a VM on an unknown datastore',
    arrange: (e) => {
      e.vms[0]!.datastores = ['nope'];
    },
    path: 'vms[0].datastores[0]',
  },
];

function run(c: Case): Finding[] {
  const env = baseEnvironment();
  c.arrange(env);
  return checkConfiguration(loadEnvironment(formatYaml(env)), { ...defaultSettings(), ...c.settings }, c.observed);
}

function loadFindings(arrange: (env: Fixture) => void): Finding[] {
  const env = baseEnvironment();
  arrange(env);
  try {
    loadEnvironment(formatYaml(env));
  } catch (error) {
    if (error instanceof DrError) return findingsFromIssues(error.issues);
    throw error;
  }
  throw new Error('the fixture loaded');
}

describe('drctl check: the rule table (rule → fixture → expected finding)', () => {
  it('has a row for every rule of the catalogue, and no row for an unknown rule', () => {
    const rows = [...CASES, ...LOAD_CASES].map((c) => c.code).sort();
    expect(rows).toEqual(CHECK_RULES.map((r) => r.code).sort());
  });

  it('finds nothing on the clean fixture', () => {
    expect(checkConfiguration(loadEnvironment(formatYaml(baseEnvironment())), defaultSettings())).toEqual([]);
  });

  it.each(CASES.map((c) => [c.code, c.fixture, c] as const))('%s: %s', (code, _fixture, c) => {
    const rule = checkRule(code);
    const found = run(c).filter((f) => f.code === code);
    expect(found).toEqual([
      expect.objectContaining({
        code,
        path: c.path,
        severity: rule.severity,
        source: rule.source,
        fix: rule.fix,
        scope: c.observed ? 'live' : 'static',
      }),
    ]);
    expect(found[0]!.message.length).toBeGreaterThan(20);
  });

  it.each(LOAD_CASES.map((c) => [c.code, c.fixture, c] as const))('%s: %s (from the loader)', (code, _fixture, c) => {
    expect(loadFindings(c.arrange)).toContainEqual(
      expect.objectContaining({ code, path: c.path, severity: 'error', fix: checkRule(code).fix }),
    );
  });

  it('cites a section of the guide for every guide rule', () => {
    for (const r of CHECK_RULES) expect(r.source).toMatch(/§\d|SRM|drctl/);
  });
});

describe('drctl check: the rules the issue named', () => {
  it('does not flag synchronous high-consistency replication of an ordinary volume (§5.4 excludes it for Live Volumes only)', () => {
    const env = baseEnvironment();
    env.volumes[0]!.replication = 'sync-high-consistency';
    expect(checkConfiguration(loadEnvironment(formatYaml(env)), defaultSettings())).toEqual([]);
  });

  it('applies the Data Collector rules whatever the adapter kind', () => {
    for (const adapter of ['simulated', 'sc-series'] as const) {
      const env = baseEnvironment();
      env.arrayManagers = [
        { name: 'dsm', site: 's2', adapter, connection: { host: 'dsm', username: 'srm', dataCollectorSite: 's1' } },
      ];
      const codes = checkConfiguration(loadEnvironment(formatYaml(env)), defaultSettings()).map((f) => f.code);
      expect(codes).toContain('DC_AT_PROTECTED_SITE');
    }
  });

  it('is quiet on dual-protected sites that have a Remote Data Collector', () => {
    const env = baseEnvironment();
    CASES.find((c) => c.code === 'DUAL_SITE_NO_REMOTE_DC')!.arrange(env);
    env.arrayManagers = [
      {
        name: 'dsm',
        site: 's2',
        adapter: 'sc-series',
        connection: { host: 'dsm', username: 'srm', dataCollectorSite: 's2' },
      },
      {
        name: 'dsm-remote',
        site: 's1',
        adapter: 'sc-series',
        connection: { host: 'rdc', username: 'srm', dataCollectorSite: 's1', remoteDataCollector: true },
      },
    ];
    env.arrays[0]!.arrayManager = 'dsm-remote';
    const codes = checkConfiguration(loadEnvironment(formatYaml(env)), defaultSettings()).map((f) => f.code);
    expect(codes).not.toContain('DUAL_SITE_NO_REMOTE_DC');
  });

  it('applies the Live Volume rules to what the array reports, naming the reported device', () => {
    const findings = checkConfiguration(loadEnvironment(formatYaml(baseEnvironment())), defaultSettings(), {
      arrays: [
        {
          arrayManager: 'dsm',
          arrayId: 'sc12',
          devices: [device({ liveVolume: { autoFailover: true, autoRoleSwap: false, uniformMapping: false } })],
        },
      ],
    });
    expect(findings).toContainEqual(
      expect.objectContaining({
        code: 'LV_AUTO_FAILOVER',
        path: 'live.arrays[sc12].devices[v1].liveVolume.autoFailover',
        scope: 'live',
      }),
    );
    expect(findings).toContainEqual(expect.objectContaining({ code: 'LIVE_REPLICATION_DIFFERS', scope: 'live' }));
  });

  it('finds nothing live when the vCenter and the Data Collector agree with the file', () => {
    const findings = checkConfiguration(loadEnvironment(formatYaml(baseEnvironment())), defaultSettings(), {
      sites: [s1()],
      qosNodes: [
        { arrayManager: 'dsm', arrayId: 'sc12', nodes: [{ name: 'Q', linkSpeed: '1 Gbps' }] },
        { arrayManager: 'dsm', arrayId: 'sc13', nodes: [{ name: 'Q', linkSpeed: '1 Gbps' }] },
      ],
    });
    expect(findings).toEqual([]);
  });

  it('judges recovery hosts by the devices they see, and a resignatured copy by its name', () => {
    const env = baseEnvironment();
    const naa = '6000d31000abcdef0000000000000101';
    env.volumes[0]!.id = naa;
    env.datastores = [{ name: 'ds1', site: 's1', devices: [naa] }];
    const recovery: ObservedSite = {
      site: 's2',
      hosts: [
        { name: 'h21', cluster: 'c2', devices: [`naa.${naa}`] },
        { name: 'h22', cluster: 'c2', devices: [] },
      ],
      datastores: [{ name: 'ph2', extents: [], hosts: ['h21', 'h22'] }],
      vms: [],
    };
    const paths = (site: ObservedSite) =>
      checkConfiguration(loadEnvironment(formatYaml(env)), defaultSettings(), { sites: [site] })
        .filter((f) => f.code === 'LIVE_HOST_CANNOT_SEE_DATASTORE')
        .map((f) => f.path);
    // The replica's device is presented to h21 but not to h22.
    expect(paths(recovery)).toEqual(['sites[1].clusters[0].hosts[1].name']);
    // Nobody sees it before a failover: nothing to say.
    expect(paths({ ...recovery, hosts: recovery.hosts.map((h) => ({ ...h, devices: [] })) })).toEqual([]);
    // After a test recovery, snap-…-ds1 is mounted on h22 only.
    expect(
      paths({
        ...recovery,
        hosts: recovery.hosts.map((h) => ({ ...h, devices: [] })),
        datastores: [...recovery.datastores, { name: 'snap-0a1b2c3d-ds1', extents: [], hosts: ['h22'] }],
      }),
    ).toEqual(['sites[1].clusters[0].hosts[0].name']);
    // A placeholder datastore no host sees.
    expect(paths({ ...recovery, hosts: recovery.hosts.map((h) => ({ ...h, devices: [] })), datastores: [] })).toEqual([
      'sites[1].clusters[0].hosts[0].name',
      'sites[1].clusters[0].hosts[1].name',
    ]);
  });

  it('sorts errors first', () => {
    const env = baseEnvironment();
    env.arrays[0]!.autoSaveRestorePoints = true;
    env.arrays[1]!.sraAccountHasRights = false;
    const severities = checkConfiguration(loadEnvironment(formatYaml(env)), defaultSettings()).map((f) => f.severity);
    expect(severities).toEqual(['error', 'warning']);
  });
});

describe('docs/check-rules.md', () => {
  it('lists every rule of the catalogue with its source', async () => {
    const { readFileSync } = await import('node:fs');
    const page = readFileSync(new URL('../../../docs/check-rules.md', import.meta.url), 'utf8');
    for (const r of CHECK_RULES)
      expect(page).toContain(`| \`${r.code}\` | ${r.severity === 'info' ? 'advice' : r.severity} | ${r.source} |`);
  });
});
