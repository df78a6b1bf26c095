import { join } from 'node:path';
import { compareSettings, predict, readEnvironment } from '@drctl/runtime';

/** How long `drctl predict` takes on a benchmark plan: one prediction and a three-way `--compare`. */
export interface PredictFigure {
  vms: number;
  /** One prediction: real seconds, and CPU seconds of this process. */
  wallSeconds: number;
  cpuSeconds: number;
  /** `--compare defaultMaxBootAndShutdownOpsPerHost=2,4,8`. */
  compareWallSeconds: number;
  compareCpuSeconds: number;
  /** The predicted disaster recovery, minutes. */
  predictedMinutes: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return Math.round((used.user + used.system) / 1000) / 1000;
};

/**
 * Predicts the disaster recovery of a benchmark environment as `drctl predict` does (file read and
 * validated, dry run, prediction), then the three-variant what-if, each timed in this process.
 */
export async function measurePredict(vms: number, environmentPath: string, scratch: string): Promise<PredictFigure> {
  const stateDir = join(scratch, 'predict-state');
  let cpu = process.cpuUsage();
  let began = performance.now();
  const environment = readEnvironment(environmentPath);
  const options = {
    environmentPath,
    environment,
    stateDir,
    plan: environment.plans[0]!.name,
    workflow: 'disaster-recovery' as const,
  };
  const prediction = await predict(options);
  const wallSeconds = Math.round(performance.now() - began) / 1000;
  const oneCpu = cpuSeconds(cpu);
  cpu = process.cpuUsage();
  began = performance.now();
  await compareSettings(
    { ...options, environment: readEnvironment(environmentPath) },
    'defaultMaxBootAndShutdownOpsPerHost=2,4,8',
  );
  return {
    vms,
    wallSeconds,
    cpuSeconds: oneCpu,
    compareWallSeconds: Math.round(performance.now() - began) / 1000,
    compareCpuSeconds: cpuSeconds(cpu),
    predictedMinutes: Math.round(prediction.totalMs / 600) / 100,
  };
}

export function predictLine(f: PredictFigure): string {
  return (
    `predict (${f.vms.toLocaleString('en-US')} VMs, disaster recovery, ${f.predictedMinutes} min predicted): ` +
    `${f.wallSeconds} s wall / ${f.cpuSeconds} s CPU; --compare with 3 values: ${f.compareWallSeconds} s wall / ${f.compareCpuSeconds} s CPU`
  );
}
