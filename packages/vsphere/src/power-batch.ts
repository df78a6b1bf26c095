import type { Logger } from 'pino';
import { abortReason } from '@drctl/domain';
import { VimFault } from './soap/faults.js';
import { asArray, child, moref, morefEl, text, type MoRef } from './soap/xml.js';
import { runTask, waitTask } from './vim/tasks.js';
import type { SiteConnection } from './site.js';
import type { VmInfo } from './vms.js';

interface Request {
  vm: VmInfo;
  signal: AbortSignal;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Powers one VM on by itself (`PowerOnVM_Task`), leaving one that is already on alone. */
export type PowerOnOne = (vm: VmInfo, signal: AbortSignal) => Promise<void>;

/**
 * Gathers the power-ons asked for at the same moment at one site into one
 * `Datacenter.PowerOnMultiVM_Task`, as SRM does. It only batches what the scheduler already
 * granted — each request arrives after its VM got its boot slot — so a batch can never go past
 * the per-host or per-cluster limits; it never waits for more requests than are already there
 * (the batch closes at the end of the current turn of the event loop). A batch that vCenter
 * refuses, or a VM it left off, is powered on by itself, so the VM's own fault reaches its caller.
 */
export class PowerOnBatcher {
  private pending: Request[] = [];
  private scheduled = false;
  /** Sizes of the PowerOnMultiVM_Task calls sent, for tests and benchmarks. */
  readonly batchSizes: number[] = [];
  private datacenter: Promise<MoRef | undefined> | undefined;

  constructor(
    private readonly conn: SiteConnection,
    private readonly powerOnOne: PowerOnOne,
    private readonly logger: Logger,
  ) {}

  powerOn(vm: VmInfo, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ vm, signal, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        const batch = this.pending;
        this.pending = [];
        void this.send(batch);
      });
    });
  }

  private async send(batch: Request[]): Promise<void> {
    const live = batch.filter((r) => {
      if (!r.signal.aborted) return true;
      r.reject(abortReason(r.signal));
      return false;
    });
    if (live.length === 0) return;
    const signal = whenAllAborted(live.map((r) => r.signal));
    let alone = live;
    if (live.length > 1) {
      try {
        const datacenter = await this.siteDatacenter(signal);
        if (datacenter) {
          this.batchSizes.push(live.length);
          const result = await runTask(
            this.conn.client,
            this.conn.watch,
            'PowerOnMultiVM_Task',
            datacenter,
            live.map((r) => morefEl('vm', r.vm.ref)).join(''),
            signal,
          );
          // vCenter's ClusterPowerOnVmResult names each attempted VM's own power-on task, which
          // may still run; vcsim returns no result (its power-ons are done). A failed one falls
          // back below, where the VM's own fault reaches its caller.
          const attempted = new Map<string, MoRef>();
          for (const a of asArray(child(result, 'attempted'))) {
            const vm = moref(child(a, 'vm'));
            const task = moref(child(a, 'task'));
            if (vm && task) attempted.set(vm.value, task);
          }
          await Promise.all(
            live.map(async (r) => {
              const task = attempted.get(r.vm.ref.value);
              if (task)
                await waitTask(this.conn.watch, task, 'PowerOnVM_Task', r.vm.ref, signal).catch(() => undefined);
            }),
          );
          const states = await Promise.all(
            live.map((r) => this.conn.watch.read(r.vm.ref, ['runtime.powerState'], signal)),
          );
          alone = live.filter((_, i) => text(states[i]!.get('runtime.powerState')) !== 'poweredOn');
          for (const r of live) if (!alone.includes(r)) r.resolve();
        }
      } catch (error) {
        if (signal.aborted) {
          for (const r of live) r.reject(error);
          return;
        }
        // Each VM on its own gives its own fault to its own caller; each reads its state first,
        // so a VM the refused batch did power on is not powered on again.
        this.logger.warn(
          { site: this.conn.site, vms: live.length, err: error instanceof VimFault ? error.faultType : String(error) },
          'PowerOnMultiVM_Task failed; powering on one VM at a time',
        );
      }
    }
    await Promise.all(
      alone.map((r) =>
        this.powerOnOne(r.vm, r.signal).then(
          () => r.resolve(),
          (error: unknown) => r.reject(error),
        ),
      ),
    );
  }

  /** The site's datacenter; none (one VM at a time) when a vCenter holds several. */
  private siteDatacenter(signal: AbortSignal): Promise<MoRef | undefined> {
    this.datacenter ??= this.conn.datacenters(signal).then(
      (all) => (all.length === 1 ? all[0] : undefined),
      (error: unknown) => {
        this.datacenter = undefined;
        throw error;
      },
    );
    return this.datacenter;
  }
}

/** A signal that aborts once every one of `signals` has (one caller giving up does not stop the others). */
function whenAllAborted(signals: AbortSignal[]): AbortSignal {
  const unique = [...new Set(signals)];
  if (unique.length === 1) return unique[0]!;
  const controller = new AbortController();
  let left = unique.filter((s) => !s.aborted).length;
  for (const s of unique)
    s.addEventListener(
      'abort',
      () => {
        if (--left === 0) controller.abort(abortReason(s));
      },
      { once: true },
    );
  return controller.signal;
}
