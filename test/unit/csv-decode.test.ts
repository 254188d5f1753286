// The chunk decoder: its ASCII fast path must decode exactly as one streaming TextDecoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChunkDecoder } from '../../electron/core/csv/decode';

describe('createChunkDecoder: the ASCII fast path', () => {
  // Mostly ASCII, with now and then a byte of a multi-byte character, an invalid byte or a BOM, so
  // that chunks go both ways and multi-byte sequences straddle chunk boundaries.
  const bytes = fc
    .array(
      fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 0x7f }).map((b) => [b]) },
        { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((b) => [b]) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            [0xef, 0xbb, 0xbf],
            [0xc3, 0xa9],
            [0xe2, 0x9c, 0x93],
            [0xf0, 0x9f, 0x98, 0x80],
            [0xef, 0xbf, 0xbd],
          ),
        },
      ),
      { maxLength: 200 },
    )
    .map((parts) => Uint8Array.from(parts.flat()));
  const cuts = fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 12 });

  it('decodes any bytes, in any chunking, exactly as one streaming TextDecoder', () => {
    fc.assert(
      fc.property(bytes, cuts, fc.constantFrom('utf-8', 'windows-1252', 'utf-16le'), (data, at, encoding) => {
        const bounds = [0, ...at.map((n) => Math.min(n, data.length)).sort((a, b) => a - b), data.length];
        const reference = new TextDecoder(encoding);
        const decoder = createChunkDecoder(encoding);
        let expected = '';
        let actual = '';
        for (let i = 0; i + 1 < bounds.length; i++) {
          const chunk = data.subarray(bounds[i], bounds[i + 1]);
          expected += reference.decode(chunk, { stream: true });
          actual += decoder.decode(chunk);
        }
        expect(actual + decoder.end()).toBe(expected + reference.decode());
      }),
      { numRuns: 2000 },
    );
  });
});
