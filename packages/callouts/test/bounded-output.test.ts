import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HeadBuffer, TailBuffer } from '../src/bounded-output.js';

describe('bounded output buffers', () => {
  it('TailBuffer keeps exactly the last maxBytes of any sequence of chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 500 }),
        (chunks, max) => {
          const tail = new TailBuffer(max);
          for (const chunk of chunks) tail.push(Buffer.from(chunk));
          const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
          const text = tail.text();
          if (all.length <= max) {
            expect(text).toBe(all.toString('utf8'));
          } else {
            expect(text.startsWith(`[… ${all.length - max} earlier bytes omitted …]\n`)).toBe(true);
          }
        },
      ),
    );
  });

  it('TailBuffer does not start with half a character when it cuts inside one', () => {
    const tail = new TailBuffer(4);
    tail.push(Buffer.from('ééééé')); // 10 bytes, two per character
    tail.push(Buffer.from('a'));
    // The last 4 bytes are the second half of an é, a whole é and 'a': the half is skipped.
    expect(tail.text()).toBe('[… 7 earlier bytes omitted …]\néa');
  });

  it('HeadBuffer keeps the first maxBytes and says when it is full', () => {
    const head = new HeadBuffer(4);
    expect(head.push(Buffer.from('ab'))).toBe(true);
    expect(head.push(Buffer.from('cdef'))).toBe(false);
    expect(head.text()).toBe('abcd\n[… truncated after 4 bytes …]');
  });
});
