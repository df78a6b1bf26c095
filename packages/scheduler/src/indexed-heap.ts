/** An item that can sit in at most one IndexedHeap; the heap keeps its position here. */
export interface HeapSlot {
  heapIndex: number;
}

/** Position of an item that is in no heap. */
export const NOT_IN_HEAP = -1;

/**
 * Binary min-heap whose items know their own position, so any item can be removed or re-ordered
 * in O(log n) when its key changes. The slot pool needs that: a waiter whose signal aborts leaves
 * the middle of its host's queue, and a host's place among its cluster's hosts moves with its
 * best waiter.
 */
export class IndexedHeap<T extends HeapSlot> {
  private readonly items: T[] = [];

  /** `before(a, b)` is true when `a` must come out before `b`. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return item.heapIndex !== NOT_IN_HEAP && this.items[item.heapIndex] === item;
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.siftUp(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item`, wherever it is; a no-op when it is not in this heap. */
  remove(item: T): void {
    if (!this.has(item)) return;
    const index = item.heapIndex;
    const last = this.items.pop()!;
    item.heapIndex = NOT_IN_HEAP;
    if (last === item) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.reposition(index);
  }

  /** Restores order after `item`'s key changed. */
  update(item: T): void {
    if (this.has(item)) this.reposition(item.heapIndex);
  }

  private reposition(index: number): void {
    if (index > 0 && this.before(this.items[index]!, this.items[(index - 1) >> 1]!)) this.siftUp(index);
    else this.siftDown(index);
  }

  private siftUp(index: number): void {
    const items = this.items;
    const item = items[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex]!;
      if (!this.before(item, parent)) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  private siftDown(index: number): void {
    const items = this.items;
    const item = items[index]!;
    const count = items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= count) break;
      const right = left + 1;
      const child = right < count && this.before(items[right]!, items[left]!) ? right : left;
      if (!this.before(items[child]!, item)) break;
      items[index] = items[child]!;
      items[index]!.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}
