import { resolve } from 'node:path';
import { checkConfiguration, countFindings } from '@drctl/domain';
import { readEnvironment, settingsFor } from '@drctl/runtime';
import { printJson, println, type CliIo } from '../cli/io.js';
import { EXIT_CODES } from '../cli/exit-codes.js';
import type { CommonOptions } from '../cli/options.js';

/** `drctl validate ENV.yaml`: schema and cross-reference checks; errors name their path (exit 2). */
export async function validateCommand(io: CliIo, file: string, options: CommonOptions): Promise<number> {
  const env = readEnvironment(resolve(io.cwd, file));
  const counts = {
    sites: env.sites.length,
    hosts: env.sites.reduce((n, s) => n + s.clusters.reduce((m, c) => m + c.hosts.length, 0), 0),
    vms: env.vms.length,
    volumes: env.volumes.length,
    liveVolumes: env.volumes.filter((v) => v.liveVolume).length,
    datastores: env.datastores.length,
    protectionGroups: env.protectionGroups.length,
    plans: env.plans.length,
  };
  // A valid file can still break the guide's rules: say how many, and where to read them.
  const findings = countFindings(checkConfiguration(env, settingsFor(env, {}).values));
  if (options.json) {
    printJson(io, {
      valid: true,
      file,
      name: env.name,
      counts,
      findings,
      plans: env.plans.map((p) => ({
        name: p.name,
        protectedSite: p.protectedSite,
        recoverySite: p.recoverySite,
        vms: p.vms.length,
      })),
    });
  } else {
    println(io, `${file}: valid — environment "${env.name}"`);
    println(
      io,
      `  ${counts.sites} sites, ${counts.hosts} hosts, ${counts.vms} VMs, ${counts.volumes} replicated volumes (${counts.liveVolumes} Live Volume), ${counts.datastores} datastores, ${counts.protectionGroups} protection groups`,
    );
    println(
      io,
      findings.total === 0
        ? '  drctl check: no findings'
        : `  drctl check: ${findings.error} error(s), ${findings.warning} warning(s), ${findings.info} advice — run drctl check --env ${file}`,
    );
    for (const plan of env.plans)
      println(
        io,
        `  plan "${plan.name}": ${plan.protectedSite} → ${plan.recoverySite}, ${plan.vms.length} VMs with recovery settings`,
      );
  }
  return EXIT_CODES.success;
}
