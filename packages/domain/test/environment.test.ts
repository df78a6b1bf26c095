import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  checkBestPractices,
  defaultSettings,
  DrError,
  environmentJsonSchema,
  findCycle,
  formatYaml,
  loadEnvironment,
  resolvePlanVms,
} from '../src/index.js';
import { baseEnvironment } from './support/base-environment.js';

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    loadEnvironment(typeof input === 'string' ? input : formatYaml(input), { source: 'env.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(DrError);
    return (error as DrError).issues;
  }
  throw new Error('expected the environment to be refused');
}

describe('environment file', () => {
  it('loads a valid file with SRM defaults for unspecified VM settings', () => {
    const env = loadEnvironment(formatYaml(baseEnvironment()));
    const vms = resolvePlanVms(env, env.plans[0]!);
    expect(vms.map((v) => [v.name, v.priority])).toEqual([
      ['db', 1],
      ['app', 2],
      ['web', 3],
    ]);
    const web = vms.find((v) => v.name === 'web')!;
    expect(web).toMatchObject({ startupAction: 'power-on', toolsWaitSeconds: 300, shutdownAction: 'guest-shutdown' });
    // Placeholders are spread round-robin over the mapped cluster's hosts.
    expect(vms.map((v) => v.placements['s2']!.host)).toEqual(['h21', 'h22', 'h21']);
  });

  it("lists a plan's VMs group by group in the plan's order, each group's in file order", () => {
    const env = baseEnvironment();
    env.volumes.push({ id: 'v2', sourceArray: 'sc12', targetArray: 'sc13' });
    env.datastores!.push({ name: 'ds2', site: 's1', devices: ['v2'] });
    env.vms = [
      { name: 'a', site: 's1', cluster: 'c1', host: 'h11', datastores: ['ds1'] },
      { name: 'b', site: 's1', cluster: 'c1', host: 'h11', datastores: ['ds2'] },
      { name: 'c', site: 's1', cluster: 'c1', host: 'h12', datastores: ['ds1'] },
      { name: 'd', site: 's1', cluster: 'c1', host: 'h12', datastores: ['ds2', 'ds2'] },
    ];
    env.protectionGroups = [
      { name: 'pg1', type: 'array', arrayPair: 'pair', datastores: ['ds1'] },
      { name: 'pg2', type: 'array', arrayPair: 'pair', datastores: ['ds2'] },
    ];
    env.plans[0]!.protectionGroups = ['pg2', 'pg1'];
    env.plans[0]!.vms = [];
    const loaded = loadEnvironment(formatYaml(env));
    expect(resolvePlanVms(loaded, loaded.plans[0]!).map((v) => [v.name, v.protectionGroup])).toEqual([
      ['b', 'pg2'],
      ['d', 'pg2'],
      ['a', 'pg1'],
      ['c', 'pg1'],
    ]);
  });

  it('names the path of a bad field', () => {
    const env = baseEnvironment();
    (env.plans[0]!.vms![0] as { priority: number }).priority = 7;
    expect(issuesOf(env)).toEqual([expect.objectContaining({ path: 'plans[0].vms[0].priority' })]);
  });

  it('reports a typo in a field name as an unknown field', () => {
    const env = baseEnvironment() as unknown as { vms: Array<Record<string, unknown>> };
    env.vms[0]!['datastore'] = ['ds1'];
    expect(issuesOf(env)).toContainEqual({ path: 'vms[0].datastore', message: 'unknown field datastore' });
  });

  it('checks cross-references: unknown datastore, host outside its cluster, dependency across priorities, cycles', () => {
    const env = baseEnvironment();
    env.vms[0]!.datastores = ['nope'];
    env.vms[1]!.host = 'h21';
    env.plans[0]!.vms = [
      { vm: 'db', priority: 1, dependsOn: ['app'] },
      { vm: 'app', priority: 2 },
      { vm: 'web', priority: 3, dependsOn: ['web'] },
    ];
    const issues = issuesOf(env);
    expect(issues).toContainEqual({ path: 'vms[0].datastores[0]', message: 'unknown datastore nope (known: ds1)' });
    expect(issues).toContainEqual({
      path: 'vms[1].host',
      message: 'unknown host in cluster c1: h21 (known: h11, h12)',
    });
    expect(issues).toContainEqual({
      path: 'plans[0].vms[0].dependsOn[0]',
      message: 'VM db (priority 1) depends on app (priority 2); dependencies must stay within one priority',
    });
    expect(issues).toContainEqual({ path: 'plans[0].vms[2].dependsOn[0]', message: 'VM web cannot depend on itself' });
  });

  it('finds dependency cycles within a priority', () => {
    const env = baseEnvironment();
    env.plans[0]!.vms = [
      { vm: 'db', priority: 2, dependsOn: ['web'] },
      { vm: 'app', priority: 2, dependsOn: ['db'] },
      { vm: 'web', priority: 2, dependsOn: ['app'] },
    ];
    expect(issuesOf(env)).toContainEqual(
      expect.objectContaining({
        path: 'plans[0].vms[0].dependsOn',
        message: expect.stringMatching(/^dependency cycle: db → web → app → db$/),
      }),
    );
  });

  it('gives YAML syntax errors a line and column', () => {
    const issues = issuesOf('name: lab\nsites: [\n');
    expect(issues[0]!.path).toMatch(/^env.yaml:\d+:\d+$/);
  });

  it('resolves includes through the caller-supplied reader only', () => {
    const { vms, ...rest } = baseEnvironment();
    const text = formatYaml({ ...rest, include: ['vms.yaml'] });
    const env = loadEnvironment(text, { readInclude: (p) => (p === 'vms.yaml' ? formatYaml({ vms }) : '') });
    expect(env.vms).toHaveLength(3);
    expect(() => loadEnvironment(text)).toThrow(/include is not supported here/);
  });

  it('generates a JSON Schema for editors', () => {
    const schema = environmentJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['sites', 'vms', 'plans', 'settings']));
  });

  it('findCycle agrees with a brute-force check on random graphs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        (adj) => {
          const edges = adj.map(
            (targets, i) => [`n${i}`, targets.filter((t) => t < adj.length).map((t) => `n${t}`)] as const,
          );
          const cycle = findCycle(edges);
          // Brute force: a cycle exists iff some node reaches itself.
          const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
            (edges.find(([k]) => k === from)?.[1] ?? []).some(
              (n) => n === to || (!seen.has(n) && (seen.add(n), reaches(n, to, seen))),
            );
          const hasCycle = edges.some(([k]) => reaches(k, k));
          expect(cycle !== undefined).toBe(hasCycle);
          if (cycle) {
            expect(cycle[0]).toBe(cycle[cycle.length - 1]);
            for (let i = 0; i + 1 < cycle.length; i++)
              expect(edges.find(([k]) => k === cycle[i])![1]).toContain(cycle[i + 1]);
          }
        },
      ),
    );
  });
});

describe('an environment file with schema and cross-reference problems', () => {
  it('reports both kinds in one go, at the indexes of the file', () => {
    const env = baseEnvironment() as unknown as { vms: Array<Record<string, unknown>> };
    env.vms[0]!['host'] = 42;
    env.vms[2]!['datastores'] = ['nope'];
    expect(issuesOf(env)).toEqual([
      expect.objectContaining({ path: 'vms[0].host' }),
      { path: 'vms[2].datastores[0]', message: 'unknown datastore nope (known: ds1)' },
    ]);
  });

  it('does not report a reference to an entry that failed the schema a second time', () => {
    const env = baseEnvironment() as unknown as { datastores: Array<Record<string, unknown>> };
    env.datastores[0]!['devices'] = 'v1';
    // The VMs and the protection group all name ds1: only the datastore itself is wrong.
    expect(issuesOf(env)).toEqual([expect.objectContaining({ path: 'datastores[0].devices' })]);
  });

  it('checks no references when a list is not a list', () => {
    const env = baseEnvironment() as unknown as Record<string, unknown>;
    env['vms'] = 'db, app, web';
    expect(issuesOf(env)).toEqual([expect.objectContaining({ path: 'vms' })]);
  });

  it('finds any one broken VM and any other VM with an unknown datastore', () => {
    const vmCount = fc.integer({ min: 2, max: 8 });
    const indexes = vmCount.chain((n) =>
      fc
        .tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }))
        .filter(([broken, typo]) => broken !== typo)
        .map(([broken, typo]) => ({ n, broken, typo })),
    );
    fc.assert(
      fc.property(indexes, ({ n, broken, typo }) => {
        const env = baseEnvironment();
        env.vms = Array.from({ length: n }, (_, i) => ({
          name: `vm${i}`,
          site: 's1',
          cluster: 'c1',
          host: 'h11',
          datastores: [i === typo ? 'nope' : 'ds1'],
          ...(i === broken ? { cpus: 'many' } : {}),
        }));
        env.plans = [];
        expect(issuesOf(env)).toEqual([
          { path: `vms[${broken}].cpus`, message: 'unknown field cpus' },
          { path: `vms[${typo}].datastores[0]`, message: 'unknown datastore nope (known: ds1)' },
        ]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('best-practice checks from the SC Series + SRM guide', () => {
  it('flags unprotectable Live Volumes, QoS mismatch, SRA rights, auto restore points and Data Collector placement', () => {
    const input = baseEnvironment();
    input.volumes = [
      {
        id: 'v1',
        sourceArray: 'sc12',
        targetArray: 'sc13',
        liveVolume: { autoFailover: true },
        qosProfile: 'gold',
        targetQosProfile: 'silver',
      },
    ];
    input.arrays[1]!.sraAccountHasRights = false;
    input.arrays[0]!.autoSaveRestorePoints = true;
    input.arrayManagers = [
      {
        name: 'dsm',
        site: 's2',
        adapter: 'sc-series',
        connection: { host: 'dsm', username: 'srm', dataCollectorSite: 's1', remoteDataCollector: true },
      },
    ];
    const env = loadEnvironment(formatYaml(input));
    const codes = checkBestPractices(env, defaultSettings()).map((f) => `${f.severity}:${f.code}:${f.path}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'error:LV_AUTO_FAILOVER:volumes[0].liveVolume.autoFailover',
        'warning:QOS_MISMATCH:volumes[0].targetQosProfile',
        'error:SRA_ACCOUNT_RIGHTS:arrayPairs[0].arrays[1]',
        'warning:AUTO_RESTORE_POINTS:arrays[0].autoSaveRestorePoints',
        'warning:DC_NOT_THIRD_SITE:arrayManagers[0].connection.dataCollectorSite',
        'warning:REMOTE_DC_WITH_LIVE_VOLUME:arrayManagers[0].connection.remoteDataCollector',
        'info:COMMAND_TIMEOUT_LIVE_VOLUMES:settings.storage.commandTimeout',
        'warning:STRETCHED_MATCH_TIMEOUT:settings.storageProvider.stretchedDevicesMatchTimeout',
      ]),
    );
  });

  it("warns when an application's volumes finished replicating at different times", () => {
    const input = baseEnvironment();
    input.volumes = [
      { id: 'v1', sourceArray: 'sc12', targetArray: 'sc13', lastReplicatedAt: '2026-01-01T16:00:00Z' },
      { id: 'v2', sourceArray: 'sc12', targetArray: 'sc13', lastReplicatedAt: '2026-01-01T15:00:00Z' },
    ];
    input.datastores = [
      { name: 'ds1', site: 's1', devices: ['v1'] },
      { name: 'ds2', site: 's1', devices: ['v2'] },
    ];
    input.protectionGroups = [{ name: 'pg', type: 'array', arrayPair: 'pair', datastores: ['ds1', 'ds2'] }];
    input.vms = [
      { name: 'db', site: 's1', cluster: 'c1', host: 'h11', datastores: ['ds1', 'ds2'], application: 'erp' },
      { name: 'app', site: 's1', cluster: 'c1', host: 'h12', datastores: ['ds1'], application: 'erp' },
      { name: 'web', site: 's1', cluster: 'c1', host: 'h12', datastores: ['ds1'] },
    ];
    const findings = checkBestPractices(loadEnvironment(formatYaml(input)));
    expect(findings).toContainEqual(
      expect.objectContaining({
        code: 'INCONSISTENT_REPLICATION_POINTS',
        message: expect.stringMatching(/common consistent point \(2026-01-01T15:00:00Z\)/),
      }),
    );
  });

  it('is quiet on a clean environment', () => {
    expect(checkBestPractices(loadEnvironment(formatYaml(baseEnvironment())), defaultSettings())).toEqual([]);
  });
});

describe('the published JSON Schema', () => {
  it('docs/environment.schema.json matches the zod schema (regenerate: node scripts/write-schema.mjs)', async () => {
    const { readFileSync } = await import('node:fs');
    const committed = JSON.parse(
      readFileSync(new URL('../../../docs/environment.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(environmentJsonSchema())));
  });
});
