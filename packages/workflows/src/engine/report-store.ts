import type { DocumentStore, RunReport, VmRecord } from '@drctl/domain';

/** The run report's document: everything but the VM records written after it. */
export const reportKey = (runId: string) => `runs/${runId}/report`;
/**
 * The VM records, as a log: each line holds the records changed since the line before. A
 * 10,000-VM report is megabytes of VM records, of which a step changes a fraction; rewriting all
 * of them at every step boundary cost more than the step.
 */
export const reportVmsKey = (runId: string) => `runs/${runId}/report-vms`;

/**
 * A run's report as one document. A stored document with VM records is whole (a finished run's,
 * or one written before the log existed); one without takes them from the log: each record at
 * its latest, in the order the records first appeared.
 */
export async function readRunReport(store: DocumentStore, runId: string): Promise<RunReport | undefined> {
  const report = await store.read<RunReport>(reportKey(runId));
  if (report === undefined || report.vms.length > 0) return report;
  const byName = new Map<string, VmRecord>();
  for (const line of await store.readLog<VmRecord[]>(reportVmsKey(runId))) {
    for (const vm of line) byName.set(vm.name, vm);
  }
  report.vms = [...byName.values()];
  return report;
}

/** Every run report in the store, in no particular order. */
export async function readAllRunReports(store: DocumentStore): Promise<RunReport[]> {
  const keys = await store.list('runs/');
  const reports = await Promise.all(keys.map((key) => readRunReport(store, key.slice(key.lastIndexOf('/') + 1))));
  return reports.filter((r): r is RunReport => r !== undefined);
}
