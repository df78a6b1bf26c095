import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { VirtualClock, type RunReport, type VmRecord } from '@drctl/domain';
import { MemoryStore } from '@drctl/store';
import { ReportBuilder } from '../src/engine/report-builder.js';
import { reportVmsKey } from '../src/engine/report-store.js';
import { readRunReport, reportKey } from '../src/index.js';

const RUN = 'r1';

function emptyReport(vms: VmRecord[] = []): RunReport {
  return {
    runId: RUN,
    plan: 'p',
    workflow: 'test',
    mode: 'test',
    result: 'running',
    startedAt: '2026-01-01T00:00:00.000Z',
    protectedSite: 'a',
    recoverySite: 'b',
    settings: {} as RunReport['settings'],
    steps: [],
    vms,
    storageCommands: [],
    prompts: [],
    notes: [],
  };
}

const vm = (name: string, status: VmRecord['status'] = 'pending'): VmRecord => ({
  name,
  priority: 3,
  host: 'esx1',
  cluster: 'c1',
  status,
  callouts: [],
});

const builderOn = (store: MemoryStore, report: RunReport) => new ReportBuilder(report, store, new VirtualClock());

describe('run report storage: the document, and the VM records as a log of changes', () => {
  it('reads a report written whole, as state folders before the log hold it', async () => {
    const store = new MemoryStore();
    await store.write(reportKey(RUN), emptyReport([vm('a', 'recovered'), vm('b')]));
    expect((await readRunReport(store, RUN))?.vms.map((v) => [v.name, v.status])).toEqual([
      ['a', 'recovered'],
      ['b', 'pending'],
    ]);
  });

  it('folds the log: each record at its latest, in the order the records first appeared', async () => {
    const store = new MemoryStore();
    await store.write(reportKey(RUN), emptyReport());
    await store.append(reportVmsKey(RUN), [vm('a'), vm('b')]);
    await store.append(reportVmsKey(RUN), [vm('b'), vm('a', 'powering-on')]);
    await store.append(reportVmsKey(RUN), [vm('c'), vm('a', 'recovered')]);
    expect((await readRunReport(store, RUN))?.vms.map((v) => [v.name, v.status])).toEqual([
      ['a', 'recovered'],
      ['b', 'pending'],
      ['c', 'pending'],
    ]);
    expect(await readRunReport(store, 'other')).toBeUndefined();
  });

  it('writes a record changed after a save inside its step (a prompt) when the step ends', async () => {
    const store = new MemoryStore();
    const builder = builderOn(store, emptyReport());
    const record = builder.vm('a', () => vm('a'));
    record.status = 'powering-on';
    await builder.save();
    // The VM's task still holds its record and finishes after the prompt's save.
    record.status = 'recovered';
    await builder.saveAtStepEnd();
    expect((await readRunReport(store, RUN))?.vms).toEqual([{ ...vm('a'), status: 'recovered' }]);
    // A step that touches nothing adds no line for the VMs.
    await builder.saveAtStepEnd();
    expect(await store.readLog(reportVmsKey(RUN))).toHaveLength(2);
  });

  it('keeps every record of a run resumed from a report written whole', async () => {
    const store = new MemoryStore();
    await store.write(reportKey(RUN), emptyReport([vm('a', 'recovered'), vm('b', 'error')]));
    const builder = builderOn(store, (await readRunReport(store, RUN))!);
    builder.vm('c', () => vm('c')).status = 'recovered';
    await builder.saveAtStepEnd();
    expect((await readRunReport(store, RUN))?.vms.map((v) => [v.name, v.status])).toEqual([
      ['a', 'recovered'],
      ['b', 'error'],
      ['c', 'recovered'],
    ]);
  });

  it("writes a finished run's document whole, and it reads the same with the log", async () => {
    const store = new MemoryStore();
    const builder = builderOn(store, emptyReport());
    builder.vm('a', () => vm('a')).status = 'recovered';
    await builder.saveAtStepEnd();
    builder.vm('b', () => vm('b')).status = 'error';
    builder.report.result = 'errors';
    await builder.saveFinal();
    const document = await store.read<RunReport>(reportKey(RUN));
    expect(document?.vms.map((v) => [v.name, v.status])).toEqual([
      ['a', 'recovered'],
      ['b', 'error'],
    ]);
    expect(await readRunReport(store, RUN)).toEqual(document);
  });

  it('takes a document written whole over the log (history corrected by hand reads as corrected)', async () => {
    const store = new MemoryStore();
    const builder = builderOn(store, emptyReport());
    builder.vm('a', () => vm('a')).status = 'recovered';
    await builder.saveAtStepEnd();
    const corrected = (await readRunReport(store, RUN))!;
    corrected.vms[0]!.message = 'booted by hand';
    await store.write(reportKey(RUN), corrected);
    expect((await readRunReport(store, RUN))?.vms[0]?.message).toBe('booted by hand');
  });

  it('reads back what is in memory after every step, whatever the steps touch and when they save', async () => {
    // A step: VMs it asks for (by index), changes to them (some after a save inside the step).
    const step = fc.record({
      touched: fc.array(fc.nat(7), { maxLength: 6 }),
      savesInside: fc.nat(2),
      lateChanges: fc.array(fc.nat(5), { maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), fc.boolean(), async (steps, resumed) => {
        const store = new MemoryStore();
        let builder = builderOn(store, emptyReport());
        let stamp = 0;
        for (const [index, s] of steps.entries()) {
          if (resumed && index > 0 && index === Math.ceil(steps.length / 2)) {
            builder = builderOn(store, (await readRunReport(store, RUN))!);
          }
          const records = s.touched.map((i) => builder.vm(`vm-${i}`, () => vm(`vm-${i}`)));
          for (const record of records) record.message = `change ${++stamp}`;
          for (let n = 0; n < s.savesInside; n++) await builder.save();
          for (const i of s.lateChanges) if (records[i]) records[i].message = `late ${++stamp}`;
          await builder.saveAtStepEnd();
          expect((await readRunReport(store, RUN))?.vms).toEqual(builder.report.vms);
        }
      }),
      { numRuns: 150 },
    );
  });
});
