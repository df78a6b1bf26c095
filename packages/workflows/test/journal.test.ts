import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MemoryStore } from '@drctl/store';
import { Journal, type JournalEntry } from '../src/engine/journal.js';

const KEY = 'operations/p/1/journal';

/** Everything a journal answers about an entry, to compare a reopened journal with the one written. */
function answers(journal: Journal, entry: JournalEntry) {
  switch (entry.t) {
    case 'vm':
      return journal.vm(entry.key, entry.vm);
    case 'step-end':
      return journal.stepEntry(entry.key);
    case 'effect':
      return journal.hasEffect(entry.key);
    default:
      return undefined;
  }
}

const entryArb: fc.Arbitrary<JournalEntry> = fc.oneof(
  fc.record({
    t: fc.constant('vm' as const),
    key: fc.constantFrom('dr/power-on-priority-1', 'dr/shutdown-protected-vms'),
    vm: fc.constantFrom('vm-1', 'vm-2', 'vm-3', 'vm-4'),
    status: fc.constantFrom('recovered', 'failed', 'shut-down'),
    runId: fc.constantFrom('run-a', 'run-b'),
    at: fc.constantFrom('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z'),
  }),
  fc.record({
    t: fc.constant('step-end' as const),
    key: fc.constantFrom('dr/power-on-priority-1', 'dr/sync-storage'),
    runId: fc.constantFrom('run-a', 'run-b'),
    status: fc.constantFrom('success', 'error'),
    at: fc.constant('2026-01-01T00:00:02.000Z'),
  }),
  fc.record({
    t: fc.constant('effect' as const),
    key: fc.constantFrom('dr/callout/a', 'dr/callout/b'),
    runId: fc.constantFrom('run-a', 'run-b'),
    at: fc.constant('2026-01-01T00:00:03.000Z'),
  }),
);

describe('journal batches', () => {
  it('reopens to the same answers, however the entries of a batch share their run, key, type and status', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(entryArb, { minLength: 1, maxLength: 12 }), { maxLength: 4 }),
        async (batches) => {
          const store = new MemoryStore();
          const written = await Journal.open(store, KEY);
          for (const batch of batches) {
            for (const entry of batch) written.note(entry);
            await written.flush();
          }
          const reopened = await Journal.open(store, KEY);
          for (const entry of batches.flat()) expect(answers(reopened, entry)).toEqual(answers(written, entry));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('says the shared run and key once per batch, and reads batches written with them in every entry', async () => {
    const store = new MemoryStore();
    const journal = await Journal.open(store, KEY);
    const at = '2026-01-01T00:00:00.000Z';
    for (const vm of ['vm-1', 'vm-2'])
      journal.note({ t: 'vm', key: 'dr/power-on', vm, status: 'recovered', runId: 'run-a', at });
    journal.note({ t: 'step-end', key: 'dr/power-on-done', runId: 'run-a', status: 'success', at });
    await journal.flush();
    expect(await store.readLog(KEY)).toEqual([
      {
        t: 'batch',
        runId: 'run-a',
        key: 'dr/power-on',
        entries: [
          { t: 'vm', vm: 'vm-1', status: 'recovered', at },
          { t: 'vm', vm: 'vm-2', status: 'recovered', at },
          { t: 'step-end', key: 'dr/power-on-done', status: 'success', at },
        ],
      },
    ]);
    // As earlier versions wrote it.
    await store.append(KEY, {
      t: 'batch',
      entries: [{ t: 'vm', key: 'dr/power-on', vm: 'vm-3', status: 'failed', runId: 'run-a', at }],
    });
    const reopened = await Journal.open(store, KEY);
    expect(reopened.vm('dr/power-on', 'vm-1')?.runId).toBe('run-a');
    expect(reopened.vm('dr/power-on', 'vm-3')?.status).toBe('failed');
    expect(reopened.stepStatus('dr/power-on-done')).toBe('success');
  });

  it('says an entry type and status every entry of a batch shares once, and reads them back into each entry', async () => {
    const store = new MemoryStore();
    const journal = await Journal.open(store, KEY);
    const at = '2026-01-01T00:00:00.000Z';
    for (const vm of ['vm-1', 'vm-2', 'vm-3'])
      journal.note({ t: 'vm', key: 'dr/shutdown-protected-vms', vm, status: 'shut-down', runId: 'run-a', at });
    await journal.flush();
    expect(await store.readLog(KEY)).toEqual([
      {
        t: 'batch',
        runId: 'run-a',
        key: 'dr/shutdown-protected-vms',
        common: { t: 'vm', status: 'shut-down' },
        entries: [
          { vm: 'vm-1', at },
          { vm: 'vm-2', at },
          { vm: 'vm-3', at },
        ],
      },
    ]);
    const reopened = await Journal.open(store, KEY);
    expect(reopened.vm('dr/shutdown-protected-vms', 'vm-2')).toEqual({
      t: 'vm',
      key: 'dr/shutdown-protected-vms',
      vm: 'vm-2',
      status: 'shut-down',
      runId: 'run-a',
      at,
    });
  });

  it("keeps each run's last workflow snapshot in the line of its transition, with that step's entries", async () => {
    const store = new MemoryStore();
    const journal = await Journal.open(store, KEY);
    const at = '2026-01-01T00:00:00.000Z';
    await journal.withSnapshot('run-a', { value: 'sync' })();
    journal.stage({ t: 'step-end', key: 'dr/sync-storage', runId: 'run-a', status: 'success', at });
    await journal.withSnapshot('run-a', { value: 'failover' })();
    await journal.withSnapshot('run-b', { value: 'test' })();
    const lines = await store.readLog<{ entries: unknown[]; snapshot?: unknown }>(KEY);
    // The step's end and the snapshot after it are one line: a crash keeps both or neither.
    expect(lines[1]).toMatchObject({ runId: 'run-a', snapshot: { value: 'failover' }, entries: [{ t: 'step-end' }] });
    const reopened = await Journal.open(store, KEY);
    expect(reopened.snapshot('run-a')).toEqual({ value: 'failover' });
    expect(reopened.snapshot('run-b')).toEqual({ value: 'test' });
    expect(reopened.snapshot('run-c')).toBeUndefined();
    expect(reopened.stepStatus('dr/sync-storage')).toBe('success');
  });
});
