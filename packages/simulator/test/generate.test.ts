import { describe, expect, it } from '@jest/globals';
import { DrError, VirtualClock, findCycle, resolvePlanVms, validateEnvironment } from '@drctl/domain';
import { SimulatedWorld, generateEnvironment } from '../src/index.js';

describe('generateEnvironment', () => {
  it.each([
    { vms: 0, hosts: 2, clusters: 2, datastores: 1, liveVolumes: 0 },
    { vms: 1, hosts: 1, clusters: 1, datastores: 1, liveVolumes: 1 },
    {
      vms: 50,
      hosts: 6,
      clusters: 3,
      datastores: 7,
      liveVolumes: 2,
      dependencies: 0.5,
      hostLimit: 4,
      clusterLimit: 16,
    },
    { vms: 500, hosts: 40, clusters: 8, datastores: 100, liveVolumes: 10, dependencies: 0.3, seed: 42 },
  ])('passes validateEnvironment for %j', (options) => {
    const env = validateEnvironment(generateEnvironment(options));
    expect(env.vms).toHaveLength(options.vms);
    expect(env.datastores).toHaveLength(options.datastores);
    expect(env.volumes.filter((v) => v.liveVolume)).toHaveLength(options.liveVolumes);
    expect(env.sites.map((s) => s.name)).toEqual(['site-a', 'site-b']);
    expect(env.sites.every((s) => s.clusters.length >= 1 && s.clusters.every((c) => c.hosts.length >= 1))).toBe(true);
    const plan = env.plans[0]!;
    expect(plan).toMatchObject({ name: 'generated', protectedSite: 'site-a', recoverySite: 'site-b' });
    expect(plan.protectionGroups).toEqual(env.protectionGroups.map((g) => g.name));
    expect(resolvePlanVms(env, plan)).toHaveLength(options.vms);
    for (const vm of env.vms) {
      expect(vm.bootSeconds).toBeGreaterThanOrEqual(30);
      expect(vm.bootSeconds).toBeLessThanOrEqual(180);
      expect(vm.toolsSeconds).toBeGreaterThanOrEqual(vm.bootSeconds);
      expect(vm.toolsSeconds).toBeLessThanOrEqual(180);
    }
    if (options.hostLimit !== undefined)
      expect(env.settings).toEqual({
        defaultMaxBootAndShutdownOpsPerHost: 4,
        defaultMaxBootAndShutdownOpsPerCluster: 16,
      });
  });

  it('splits hosts and clusters over both sites', () => {
    const env = validateEnvironment(generateEnvironment({ vms: 10, hosts: 9, clusters: 3, datastores: 2 }));
    const count = (site: number) => env.sites[site]!.clusters.map((c) => c.hosts.length);
    expect(count(0)).toEqual([3, 2]);
    expect(count(1)).toEqual([4]);
    expect(env.resourceMappings).toEqual([{ from: 'cluster-a-01', to: 'cluster-b-01' }]);
  });

  it('keeps dependencies within a priority and acyclic', () => {
    const env = validateEnvironment(
      generateEnvironment({ vms: 1_000, hosts: 10, clusters: 2, datastores: 30, dependencies: 1, seed: 3 }),
    );
    const plan = env.plans[0]!;
    const priority = new Map(plan.vms.map((v) => [v.vm, v.priority]));
    const withDependency = plan.vms.filter((v) => v.dependsOn.length > 0);
    // Every VM but the first of each priority gets one.
    expect(withDependency.length).toBe(1_000 - 5);
    for (const v of withDependency) expect(priority.get(v.dependsOn[0]!)).toBe(v.priority);
    expect(findCycle(plan.vms.map((v) => [v.vm, v.dependsOn] as const))).toBeUndefined();
    expect(new Set(plan.vms.map((v) => v.priority))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('is fixed by its seed', () => {
    const options = { vms: 500, hosts: 8, clusters: 2, datastores: 20, dependencies: 0.2 };
    expect(generateEnvironment({ ...options, seed: 9 })).toEqual(generateEnvironment({ ...options, seed: 9 }));
    expect(generateEnvironment({ ...options, seed: 9 }).vms).not.toEqual(
      generateEnvironment({ ...options, seed: 10 }).vms,
    );
  });

  it('generates 20,000 VMs in well under a second, valid, and a world can be built on them', () => {
    const options = {
      vms: 20_000,
      hosts: 200,
      clusters: 10,
      datastores: 1_000,
      liveVolumes: 20,
      dependencies: 0.2,
      seed: 5,
    };
    // Best of three, so a busy machine (other test workers) does not decide the result.
    let fastest = Number.POSITIVE_INFINITY;
    let input = generateEnvironment(options);
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      input = generateEnvironment(options);
      fastest = Math.min(fastest, performance.now() - started);
    }
    expect(fastest).toBeLessThan(1_000);
    const env = validateEnvironment(input);
    expect(env.vms).toHaveLength(20_000);
    const world = new SimulatedWorld(env, { clock: new VirtualClock() });
    const state = world.snapshot();
    expect(state.sites.find((s) => s.name === 'site-b')!.vms.filter((v) => v.kind === 'placeholder')).toHaveLength(
      20_000,
    );
  });

  it('rejects bad options, naming them', () => {
    let error: unknown;
    try {
      generateEnvironment({ vms: -1, hosts: 2, clusters: 0, datastores: 2, liveVolumes: 3, dependencies: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DrError);
    expect((error as DrError).issues.map((i) => i.path)).toEqual(['vms', 'clusters', 'liveVolumes', 'dependencies']);
  });
});
