import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDrError, type DocumentStore } from '@drctl/domain';

type StoreWithLock = DocumentStore & Required<Pick<DocumentStore, 'lock' | 'writeAll'>>;

async function rejection(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export const BAD_KEYS = [
  '',
  '/abs/path',
  'runs/../etc',
  '..',
  'runs/./x',
  'runs//x',
  'runs/x/',
  '.hidden',
  'runs/.tmp',
  'a\\b',
  'a\u0000b',
  'a\nb',
  'doc.json',
  'runs/log.jsonl/x',
  'x'.repeat(201),
];

/**
 * The DocumentStore contract, run against every implementation. `makeStore` gives a fresh,
 * empty store each time.
 */
export function describeStoreContract(name: string, makeStore: () => StoreWithLock): void {
  describe(`${name} — DocumentStore contract`, () => {
    it('reads back what was written, and undefined for a missing key', async () => {
      const store = makeStore();
      expect(await store.read('runs/r1/snapshot')).toBeUndefined();
      await store.write('runs/r1/snapshot', { state: 'running', steps: [1, 2, 3], nested: { ok: true } });
      expect(await store.read('runs/r1/snapshot')).toEqual({
        state: 'running',
        steps: [1, 2, 3],
        nested: { ok: true },
      });
      await store.write('runs/r1/snapshot', { state: 'done' });
      expect(await store.read('runs/r1/snapshot')).toEqual({ state: 'done' });
    });

    it('stores scalar JSON values too', async () => {
      const store = makeStore();
      for (const value of [0, 'text', true, null, [1, 'two']]) {
        await store.write('value', value);
        expect(await store.read('value')).toEqual(value);
      }
    });

    it('keeps stored values apart from the caller: mutating after write or after read changes nothing', async () => {
      const store = makeStore();
      const value = { list: [1, 2], inner: { a: 1 } };
      await store.write('doc', value);
      value.list.push(3);
      value.inner.a = 99;
      const first = await store.read<typeof value>('doc');
      expect(first).toEqual({ list: [1, 2], inner: { a: 1 } });
      first!.list.push(4);
      expect(await store.read('doc')).toEqual({ list: [1, 2], inner: { a: 1 } });

      const entry = { n: 1 };
      await store.append('log', entry);
      entry.n = 2;
      const log = await store.readLog<{ n: number }>('log');
      log[0]!.n = 3;
      expect(await store.readLog('log')).toEqual([{ n: 1 }]);
    });

    it('gives values the JSON shape: dates become strings, undefined fields vanish', async () => {
      const store = makeStore();
      await store.write('doc', { at: new Date(Date.UTC(2026, 0, 1)), gone: undefined, kept: 1 });
      expect(await store.read('doc')).toEqual({ at: '2026-01-01T00:00:00.000Z', kept: 1 });
    });

    it('refuses values that are not JSON with DR_INPUT_INVALID', async () => {
      const store = makeStore();
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      for (const value of [undefined, () => 1, 10n, cyclic]) {
        const error = await rejection(() => store.write('doc', value));
        expect(isDrError(error) && error.code).toBe('DR_INPUT_INVALID');
        const appendError = await rejection(() => store.append('log', value));
        expect(isDrError(appendError) && appendError.code).toBe('DR_INPUT_INVALID');
      }
      expect(await store.read('doc')).toBeUndefined();
      expect(await store.readLog('log')).toEqual([]);
    });

    it('writeAll: documents and log entries land together; a refused value writes none of them', async () => {
      const store = makeStore();
      await store.append('runs/r/journal', { t: 'first' });
      await store.writeAll([
        { op: 'append', key: 'runs/r/journal', entry: { t: 'step-end' } },
        { op: 'append', key: 'runs/r/journal', entry: { t: 'vm' } },
        { op: 'write', key: 'runs/r/snapshot', value: { step: 2 } },
      ]);
      expect(await store.readLog('runs/r/journal')).toEqual([{ t: 'first' }, { t: 'step-end' }, { t: 'vm' }]);
      expect(await store.read('runs/r/snapshot')).toEqual({ step: 2 });
      const error = await rejection(() =>
        store.writeAll([
          { op: 'append', key: 'runs/r/journal', entry: { t: 'never' } },
          { op: 'write', key: 'runs/r/snapshot', value: 10n },
        ]),
      );
      expect(isDrError(error) && error.code).toBe('DR_INPUT_INVALID');
      expect(await store.readLog('runs/r/journal')).toHaveLength(3);
      expect(await store.read('runs/r/snapshot')).toEqual({ step: 2 });
    });

    it('appends log entries in order and reads them all back', async () => {
      const store = makeStore();
      expect(await store.readLog('runs/r1/journal')).toEqual([]);
      for (let i = 0; i < 50; i++) await store.append('runs/r1/journal', { i, text: `line\nwith newline ${i}` });
      const log = await store.readLog<{ i: number; text: string }>('runs/r1/journal');
      expect(log.map((e) => e.i)).toEqual([...Array(50).keys()]);
      expect(log[7]!.text).toBe('line\nwith newline 7');
    });

    it('keeps a document and a log under the same key apart', async () => {
      const store = makeStore();
      await store.write('runs/r1/journal', { kind: 'document' });
      await store.append('runs/r1/journal', { kind: 'entry' });
      expect(await store.read('runs/r1/journal')).toEqual({ kind: 'document' });
      expect(await store.readLog('runs/r1/journal')).toEqual([{ kind: 'entry' }]);
    });

    it('lists the keys directly below a prefix, sorted and without duplicates', async () => {
      const store = makeStore();
      await store.write('runs/b/snapshot', 1);
      await store.append('runs/b/journal', 1);
      await store.write('runs/a/snapshot', 1);
      await store.write('runs/a', 'a document next to the folder a');
      await store.append('runs/c', 'a log');
      await store.write('plans/p1', 1);
      await store.write('top', 1);
      expect(await store.list('runs/')).toEqual(['runs/a', 'runs/b', 'runs/c']);
      expect(await store.list('runs')).toEqual(['runs/a', 'runs/b', 'runs/c']);
      expect(await store.list('runs/b')).toEqual(['runs/b/journal', 'runs/b/snapshot']);
      expect(await store.list('')).toEqual(['plans', 'runs', 'top']);
      expect(await store.list('nothing/here')).toEqual([]);
      expect(await store.list('runs/a/snapshot')).toEqual([]);
    });

    it('deletes a key: its document, its log and everything below it, and nothing else', async () => {
      const store = makeStore();
      await store.write('runs/a', 1);
      await store.append('runs/a', 1);
      await store.write('runs/a/snapshot', 1);
      await store.append('runs/a/deep/journal', 1);
      await store.write('runs/ab', 2);
      await store.write('runs/b/snapshot', 3);
      await store.delete('runs/a');
      expect(await store.read('runs/a')).toBeUndefined();
      expect(await store.readLog('runs/a')).toEqual([]);
      expect(await store.read('runs/a/snapshot')).toBeUndefined();
      expect(await store.readLog('runs/a/deep/journal')).toEqual([]);
      expect(await store.read('runs/ab')).toBe(2);
      expect(await store.list('runs')).toEqual(['runs/ab', 'runs/b']);
      await store.delete('runs/never-was');
      await store.delete('runs/a');
      // A deleted log starts afresh.
      await store.append('runs/a', 'again');
      expect(await store.readLog('runs/a')).toEqual(['again']);
    });

    it('accepts ordinary names: spaces, colons, dots inside, unicode', async () => {
      const store = makeStore();
      const keys = ['plans/Protect vcsite1', 'runs/2026-01-01T00:00:00Z-1/snapshot', 'a.b/c-d_e', 'plans/Prüfung'];
      for (const key of keys) await store.write(key, key);
      for (const key of keys) expect(await store.read(key)).toBe(key);
      expect(await store.list('plans')).toEqual(['plans/Protect vcsite1', 'plans/Prüfung']);
    });

    it('refuses bad keys in every operation with DR_INPUT_INVALID, naming the key', async () => {
      const store = makeStore();
      const operations: Array<[string, (key: string) => Promise<unknown>]> = [
        ['read', (k) => store.read(k)],
        ['write', (k) => store.write(k, 1)],
        ['append', (k) => store.append(k, 1)],
        ['readLog', (k) => store.readLog(k)],
        ['delete', (k) => store.delete(k)],
        ['lock', (k) => store.lock(k)],
      ];
      for (const key of BAD_KEYS) {
        for (const [operation, run] of operations) {
          const error = await rejection(() => run(key));
          expect({ operation, key, code: isDrError(error) ? error.code : String(error) }).toEqual({
            operation,
            key,
            code: 'DR_INPUT_INVALID',
          });
          expect((error as Error).message).toContain(JSON.stringify(key));
        }
      }
      for (const prefix of ['/abs', 'runs/../x', '.locks', 'a//b']) {
        const error = await rejection(() => store.list(prefix));
        expect(isDrError(error) && error.code).toBe('DR_INPUT_INVALID');
      }
    });

    it('locks exclusively until released; release is idempotent', async () => {
      const store = makeStore();
      const release = await store.lock('plans/p1');
      const error = await rejection(() => store.lock('plans/p1'));
      expect(isDrError(error) && error.code).toBe('DR_OPERATION_REFUSED');
      expect((error as Error).message).toContain('plans/p1');
      // Other names are independent.
      const other = await store.lock('plans/p2');
      await release();
      await release();
      const again = await store.lock('plans/p1');
      await again();
      await other();
    });

    it('waits for a lock when asked to, and gets it once released', async () => {
      const store = makeStore();
      const release = await store.lock('plans/p1');
      const started = Date.now();
      setTimeout(() => void release(), 100);
      const lock = store.lock as (
        name: string,
        options: { waitMs: number; pollMs: number },
      ) => Promise<() => Promise<void>>;
      const second = await lock.call(store, 'plans/p1', { waitMs: 5000, pollMs: 10 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      await second();
      const held = await store.lock('plans/p1');
      const error = await rejection(() => lock.call(store, 'plans/p1', { waitMs: 60, pollMs: 10 }));
      expect(isDrError(error) && error.code).toBe('DR_OPERATION_REFUSED');
      await held();
    });

    it('behaves like a simple map-and-lists model under random operation sequences', async () => {
      const key = fc.constantFrom('a', 'a/b', 'a/c', 'b', 'b/x/y');
      const operation = fc.oneof(
        fc.record({ op: fc.constant('write' as const), key, value: fc.jsonValue() }),
        fc.record({ op: fc.constant('append' as const), key, value: fc.jsonValue() }),
        fc.record({ op: fc.constant('delete' as const), key }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { maxLength: 25 }), async (operations) => {
          const store = makeStore();
          const documents = new Map<string, unknown>();
          const logs = new Map<string, unknown[]>();
          for (const o of operations) {
            if (o.op === 'write') {
              await store.write(o.key, o.value);
              documents.set(o.key, JSON.parse(JSON.stringify(o.value)));
            } else if (o.op === 'append') {
              await store.append(o.key, o.value);
              logs.set(o.key, [...(logs.get(o.key) ?? []), JSON.parse(JSON.stringify(o.value))]);
            } else {
              await store.delete(o.key);
              for (const map of [documents, logs] as Map<string, unknown>[]) {
                for (const k of [...map.keys()]) if (k === o.key || k.startsWith(`${o.key}/`)) map.delete(k);
              }
            }
          }
          for (const k of ['a', 'a/b', 'a/c', 'b', 'b/x/y']) {
            expect(await store.read(k)).toEqual(documents.get(k));
            expect(await store.readLog(k)).toEqual(logs.get(k) ?? []);
          }
          const all = new Set([...documents.keys(), ...logs.keys()]);
          const top = [...new Set([...all].map((k) => k.split('/')[0]!))].sort();
          expect(await store.list('')).toEqual(top);
          const belowA = [
            ...new Set([...all].filter((k) => k.startsWith('a/')).map((k) => `a/${k.split('/')[1]!}`)),
          ].sort();
          expect(await store.list('a')).toEqual(belowA);
        }),
        { numRuns: 60 },
      );
    });

    it('update: read-modify-write with no lost update among concurrent callers (issue 14 §3)', async () => {
      const store = makeStore();
      expect(await store.update<number>('shared/counter', (n) => (n ?? 0) + 1)).toBe(1);
      // Fifty concurrent increments, each yielding between its read and its write.
      await Promise.all(
        Array.from({ length: 50 }, () =>
          store.update<number>('shared/counter', async (n) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            return (n ?? 0) + 1;
          }),
        ),
      );
      expect(await store.read('shared/counter')).toBe(51);
    });

    it('update: a change that throws writes nothing and frees the key for the next update', async () => {
      const store = makeStore();
      await store.write('shared/doc', { v: 1 });
      const failure = await rejection(() =>
        store.update('shared/doc', () => {
          throw new Error('no');
        }),
      );
      expect((failure as Error).message).toBe('no');
      expect(await store.read('shared/doc')).toEqual({ v: 1 });
      expect(await store.update<{ v: number }>('shared/doc', (d) => ({ v: (d?.v ?? 0) + 1 }))).toEqual({ v: 2 });
      const bad = await rejection(() => store.update('../x', () => 1));
      expect(isDrError(bad) && bad.code).toBe('DR_INPUT_INVALID');
    });

    it('update: the change may write the documents its key guards', async () => {
      const store = makeStore();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.update<{ rev: number }>('shared/big.rev', async (head) => {
            const rev = (head?.rev ?? 0) + 1;
            const big = (await store.read<number[]>('shared/big')) ?? [];
            await store.write('shared/big', [...big, i]);
            return { rev };
          }),
        ),
      );
      expect(await store.read('shared/big.rev')).toEqual({ rev: 20 });
      expect(((await store.read<number[]>('shared/big')) ?? []).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    });
  });
}

type StoreWithWriteJson = DocumentStore & Required<Pick<DocumentStore, 'writeJson'>>;

/** `writeJson`, for the stores that have it: the same document `write` stores for the value. */
export function describeWriteJson(name: string, makeStore: () => StoreWithWriteJson): void {
  describe(`${name} — writeJson`, () => {
    it('stores JSON text as write would store the value it encodes', async () => {
      const store = makeStore();
      const value = { world: [{ vm: 'vm-1', power: 'on' }], savedAt: 1767225600000, note: 'Prüfung "quoted"' };
      await store.writeJson('environments/e/world', JSON.stringify(value));
      expect(await store.read('environments/e/world')).toEqual(value);
      await store.write('environments/e/other', value);
      expect(await store.read('environments/e/other')).toEqual(await store.read('environments/e/world'));
      await store.writeJson('environments/e/world', '[1,2]');
      expect(await store.read('environments/e/world')).toEqual([1, 2]);
      expect(await store.list('environments/e')).toEqual(['environments/e/other', 'environments/e/world']);
    });

    it('refuses bad keys with DR_INPUT_INVALID, naming the key', async () => {
      const store = makeStore();
      for (const key of BAD_KEYS) {
        const error = await rejection(() => store.writeJson(key, '1'));
        expect({ key, code: isDrError(error) ? error.code : String(error) }).toEqual({ key, code: 'DR_INPUT_INVALID' });
        expect((error as Error).message).toContain(JSON.stringify(key));
      }
    });
  });
}
