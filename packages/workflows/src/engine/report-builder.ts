import {
  STEP_TITLES,
  type Clock,
  type DeviceCommandResult,
  type DeviceResultLine,
  type DocumentStore,
  type RunReport,
  type StepId,
  type StepRecord,
  type StepStatus,
  type StorageCommandRecord,
  type VmRecord,
} from '@drctl/domain';
import { reportKey, reportVmsKey } from './report-store.js';

/** Turns an adapter's per-device results into report lines. */
export function deviceLines(result: DeviceCommandResult): DeviceResultLine[] {
  return result.devices.map((d) => {
    const line: DeviceResultLine = {
      device: d.device,
      status: d.status === 'error' ? 'error' : d.warnings.length > 0 ? 'warning' : 'success',
    };
    if (d.error) {
      line.code = d.error.code;
      line.description = d.error.description;
      if (d.error.fixHint) line.fixHint = d.error.fixHint;
    } else if (d.warnings.length > 0) line.description = d.warnings.join('; ');
    if (d.details) line.details = d.details;
    return line;
  });
}

/**
 * Keeps the run report (the brief's history document) in memory and writes it to the store at
 * every step boundary, so a crashed run still has it: the document without its VM records, and
 * the VM records a step touched added to their log (see report-store.ts).
 */
export class ReportBuilder {
  private readonly vmIndex = new Map<string, VmRecord>();
  /**
   * The VM records handed out since the last step ended: whoever asked may have changed them,
   * and may still change them until its step ends, so a save inside a step keeps them here.
   */
  private readonly touched = new Set<VmRecord>();

  constructor(
    readonly report: RunReport,
    private readonly store: DocumentStore,
    private readonly clock: Clock,
    /** The engine driving the run, stamped on the steps it runs (several engines share a store). */
    private readonly engineId?: string,
  ) {
    for (const vm of report.vms) {
      this.vmIndex.set(vm.name, vm);
      // Logged once more when the run goes on: a report written before the log existed has its
      // records in the document only, which saves here no longer write.
      this.touched.add(vm);
    }
  }

  private lastMs = Number.NaN;
  private lastIso = '';
  /** The minute `minutePrefix` is of, in ms since the epoch. */
  private minuteStart = Number.NaN;
  /** `YYYY-MM-DDTHH:MM:` of that minute. */
  private minutePrefix = '';

  /**
   * The clock's time as ISO-8601. Thousands of VMs ask within the same virtual instant, and a run
   * moves through tens of thousands of instants, mostly within the same minute: only the seconds
   * are formatted anew then, not a Date.
   */
  now(): string {
    const ms = this.clock.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      const intoMinute = ms - this.minuteStart;
      if (intoMinute >= 0 && intoMinute < 60_000 && Number.isInteger(intoMinute)) {
        this.lastIso = `${this.minutePrefix}${String(Math.floor(intoMinute / 1000)).padStart(2, '0')}.${String(intoMinute % 1000).padStart(3, '0')}Z`;
      } else {
        this.lastIso = new Date(ms).toISOString();
        // Only the four-digit years of the usual form; any other time is formatted whole each time.
        const usual = ms >= 0 && Number.isInteger(ms) && this.lastIso.length === 24;
        this.minuteStart = usual ? ms - (ms % 60_000) : Number.NaN;
        this.minutePrefix = this.lastIso.slice(0, 17);
      }
    }
    return this.lastIso;
  }

  /** The top-level entry of a step (per phase in failback), created on first use; a resumed run reuses it. */
  step(id: StepId, phase?: string): StepRecord {
    const title = phase && phase !== this.report.workflow ? `${STEP_TITLES[id]} (${phase})` : STEP_TITLES[id];
    let record = this.report.steps.find((s) => s.id === id && s.target === undefined && s.title === title);
    if (!record) {
      record = { id, title, ...(phase ? { phase } : {}), status: 'inactive', messages: [], results: [] };
      this.report.steps.push(record);
    }
    if (this.engineId !== undefined) record.engine = this.engineId;
    return record;
  }

  /** A child entry of a step (per host, datastore, protection group, callout…). */
  child(id: StepId, target: string, title?: string): StepRecord {
    const record: StepRecord = {
      id,
      title: title ?? STEP_TITLES[id],
      target,
      status: 'running',
      startedAt: this.now(),
      messages: [],
      results: [],
    };
    this.report.steps.push(record);
    return record;
  }

  start(record: StepRecord): void {
    record.status = 'running';
    record.startedAt ??= this.now();
  }

  finish(record: StepRecord, status: StepStatus, message?: string): void {
    record.status = status;
    record.finishedAt = this.now();
    if (message) record.messages.push(message);
  }

  /**
   * A VM's record, created by `init` on first use; without `init`, undefined until then. Either
   * way the caller may change it, so it is written at the next save.
   */
  vm(name: string, init: () => VmRecord): VmRecord;
  vm(name: string): VmRecord | undefined;
  vm(name: string, init?: () => VmRecord): VmRecord | undefined {
    let record = this.vmIndex.get(name);
    if (!record) {
      if (!init) return undefined;
      record = init();
      this.vmIndex.set(name, record);
      this.report.vms.push(record);
    }
    this.touched.add(record);
    return record;
  }

  storageCommand(record: StorageCommandRecord): StorageCommandRecord {
    this.report.storageCommands.push(record);
    return record;
  }

  note(text: string): void {
    if (!this.report.notes.includes(text)) this.report.notes.push(text);
  }

  /** Writes the report as it is now (a prompt waits, a step is cancelled). */
  async save(): Promise<void> {
    await this.write(false);
  }

  /** Writes the finished run's report whole: the document a run's `Report:` line points at holds every VM record. */
  async saveFinal(): Promise<void> {
    await this.write(true);
  }

  private async write(whole: boolean): Promise<void> {
    const runId = this.report.runId;
    // The records first, even for a whole document: the log alone stays complete, and a crash
    // between the two leaves a log ahead of the document, which reads fine.
    if (this.touched.size > 0) await this.store.append(reportVmsKey(runId), [...this.touched]);
    await this.store.write(reportKey(runId), whole ? this.report : { ...this.report, vms: [] });
  }

  /** Writes the report when a step has ended: its work is over, so what it touched is written for good. */
  async saveAtStepEnd(): Promise<void> {
    await this.save();
    this.touched.clear();
  }
}
