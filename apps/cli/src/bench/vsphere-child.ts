import { measureVsphereRecovery, type VsphereRecoveryFigures } from '@drctl/runtime';

/** The vSphere measurement and the peak RSS of the process that made it (drctl's own). */
export interface VsphereMeasurement extends VsphereRecoveryFigures {
  drctlPeakRssMegabytes: number;
}

// Run in a fresh process by bench/main.ts, so the peak RSS is this measurement's alone.
const vms = Number(process.argv[2] ?? 1000);
measureVsphereRecovery({ vms })
  .then((figures) => {
    const out: VsphereMeasurement = {
      ...figures,
      drctlPeakRssMegabytes: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench vsphere: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  });
