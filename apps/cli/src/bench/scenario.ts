import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatYaml } from '@drctl/domain';
import { generateEnvironment, type GenerateEnvironmentOptions } from '@drctl/simulator';

/**
 * The benchmark's generated plans: 25 VMs per host at the protected site, 10 hosts per cluster,
 * 50 VMs per datastore, two Live Volumes, a fifth of the VMs depending on another of their
 * priority, and boot limits that bind (4 per host, 32 per cluster).
 */
export function benchmarkEnvironment(vms: number, seed = 42): GenerateEnvironmentOptions {
  const hostsPerSite = Math.max(2, Math.ceil(vms / 25));
  const clustersPerSite = Math.max(1, Math.ceil(hostsPerSite / 10));
  return {
    vms,
    hosts: hostsPerSite * 2,
    clusters: clustersPerSite * 2,
    datastores: Math.max(2, Math.ceil(vms / 50)),
    liveVolumes: 2,
    seed,
    dependencies: 0.2,
    hostLimit: 4,
    clusterLimit: 32,
  };
}

export const BENCHMARK_SIZES = [1_000, 10_000, 20_000] as const;

/** Writes the benchmark environment of a size as YAML. The bench's parent process does it, so a
 * measuring child's peak RSS is loading and running, not generating. */
export function writeBenchmarkEnvironment(vms: number, dir: string): string {
  const path = join(dir, `environment-${vms}.yaml`);
  writeFileSync(path, formatYaml(generateEnvironment(benchmarkEnvironment(vms))));
  return path;
}
