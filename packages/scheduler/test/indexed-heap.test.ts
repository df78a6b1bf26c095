import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { IndexedHeap, NOT_IN_HEAP } from '../src/indexed-heap.js';

interface Item {
  heapIndex: number;
  key: number;
  name: number;
}

describe('IndexedHeap', () => {
  it('pops in key order through any mix of pushes, pops, removals and key changes', () => {
    const opArb = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), key: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('rekey' as const), pick: fc.nat(), key: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const heap = new IndexedHeap<Item>((a, b) => a.key < b.key || (a.key === b.key && a.name < b.name));
        let model: Item[] = [];
        let name = 0;
        const smallest = () => [...model].sort((a, b) => a.key - b.key || a.name - b.name)[0];
        for (const op of ops) {
          if (op.kind === 'push') {
            const item = { heapIndex: NOT_IN_HEAP, key: op.key, name: name++ };
            heap.push(item);
            model.push(item);
          } else if (op.kind === 'pop') {
            const expected = smallest();
            expect(heap.pop()).toBe(expected);
            model = model.filter((m) => m !== expected);
          } else if (model.length > 0) {
            const item = model[op.pick % model.length]!;
            if (op.kind === 'remove') {
              heap.remove(item);
              expect(heap.has(item)).toBe(false);
              model = model.filter((m) => m !== item);
            } else {
              item.key = op.key;
              heap.update(item);
            }
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toBe(smallest());
        }
      }),
      { numRuns: 200 },
    );
  });
});
