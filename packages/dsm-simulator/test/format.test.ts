import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isoDateString, javaDoubleString, parseSize, sizeString, usDateString } from '../src/index.js';

describe('wire formats of sizes and dates', () => {
  it("writes sizes like Java's Double.toString (EM 15.x fixtures) or as whole bytes (API 4.2)", () => {
    expect(sizeString(1073741824, 'java-double')).toBe('1.073741824E9 Bytes');
    expect(sizeString(13302310633472, 'java-double')).toBe('1.3302310633472E13 Bytes');
    expect(sizeString(0, 'java-double')).toBe('0.0 Bytes');
    expect(sizeString(1024, 'java-double')).toBe('1024.0 Bytes');
    expect(sizeString(1e10, 'java-double')).toBe('1.0E10 Bytes');
    expect(sizeString(2748779069440, 'integer')).toBe('2748779069440 Bytes');
  });

  it('reads the sizes clients send', () => {
    expect(parseSize('1 GB')).toBe(1024 ** 3);
    expect(parseSize('10GB')).toBe(10 * 1024 ** 3);
    expect(parseSize('1.5 TB')).toBe(1.5 * 1024 ** 4);
    expect(parseSize('1.073741824E9 Bytes')).toBe(1073741824);
    expect(parseSize('500 MB')).toBe(500 * 1024 ** 2);
    expect(parseSize('ten GB')).toBeUndefined();
    expect(parseSize('10 XB')).toBeUndefined();
  });

  it("round-trips any whole byte count through the Java-double form (what Cinder's float() parsing relies on)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (bytes) => {
        expect(Number(javaDoubleString(bytes))).toBe(bytes);
        expect(parseSize(sizeString(bytes, 'java-double'))).toBe(bytes);
      }),
    );
  });

  it("writes dates in the two generations' forms; unset dates are the epoch", () => {
    const at = Date.parse('2014-12-09T15:52:08Z');
    expect(usDateString(at)).toBe('12/09/2014 03:52:08 PM');
    expect(usDateString(Date.parse('2014-12-09T00:05:00Z'))).toBe('12/09/2014 12:05:00 AM');
    expect(isoDateString(at)).toBe('2014-12-09T15:52:08+00:00');
    expect(isoDateString(0)).toBe('1970-01-01T00:00:00+00:00');
  });
});
