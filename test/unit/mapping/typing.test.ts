import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseNpsScore,
  parseTimestamp,
  parseTimestampInGeneral,
  stringJson,
  traitValueJson,
  typeTraitValue,
} from '../../../electron/core/mapping/typing';

describe('typeTraitValue', () => {
  it('treats an empty cell as "not set" (undefined), so an update keeps the stored value', () => {
    expect(typeTraitValue('')).toBeUndefined();
  });

  it('reads the literal null as an explicit null', () => {
    expect(typeTraitValue('null')).toBeNull();
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['tRuE', true],
    ['false', false],
    ['FALSE', false],
    ['False', false],
    ['fAlSe', false],
  ])('reads %j as the boolean %j, whatever the case', (cell, expected) => {
    expect(typeTraitValue(cell)).toBe(expected);
  });

  it.each([
    ['-7', -7],
    ['0', 0],
    ['42', 42],
    ['1200.50', 1200.5],
    ['-0.25', -0.25],
    ['3.14159', 3.14159],
    ['9007199254740991', 9007199254740991], // 2^53 - 1: still exact
  ])('reads the plain decimal %j as the number %j', (cell, expected) => {
    const value = typeTraitValue(cell);
    expect(typeof value).toBe('number');
    expect(value).toBe(expected);
  });

  it.each([
    '00501', // zip code: leading zeros
    '007',
    '-01',
    '1,000', // thousands separator
    '1e5', // exponent notation
    '1E5',
    '+5',
    '.5',
    '5.',
    '0x1F',
    ' 5',
    '5 ',
    '1 000',
    '-',
    'NaN',
    'Infinity',
  ])('keeps %j as a string (not a plain decimal)', (cell) => {
    expect(typeTraitValue(cell)).toBe(cell);
  });

  it.each([
    '9007199254740992', // 2^53
    '9007199254740993', // would round to ...992 as a number
    '12345678901234567890',
    '-98765432109876543210',
    '12345678901234567890.5',
  ])('keeps the integer %j beyond 2^53 as a string so no digit is lost', (cell) => {
    expect(typeTraitValue(cell)).toBe(cell);
  });

  it('reads every safe integer written plainly as that number, and every zero-padded one as text', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 5 }), (n, pad) => {
        expect(typeTraitValue(String(n))).toBe(n);
        const padded = `${n < 0 ? '-' : ''}${'0'.repeat(pad)}${Math.abs(n)}`;
        expect(typeTraitValue(padded)).toBe(padded);
      }),
    );
  });

  it('reads a JSON array as an array', () => {
    expect(typeTraitValue('["a","b"]')).toEqual(['a', 'b']);
    expect(typeTraitValue('[1, 2, 3]')).toEqual([1, 2, 3]);
    expect(typeTraitValue('[]')).toEqual([]);
    expect(typeTraitValue('[{"k":null},["x"]]')).toEqual([{ k: null }, ['x']]);
    expect(Array.isArray(typeTraitValue('["a","b"]'))).toBe(true);
  });

  it.each([
    '[a, b]', // not JSON
    "['a']",
    '[1,2',
    '[1,2] ',
    '{"a":1}', // a JSON object is not an array: stays text
    '"quoted"',
  ])('keeps %j as a string (not a JSON array)', (cell) => {
    expect(typeTraitValue(cell)).toBe(cell);
  });

  it.each(['hello', 'NULL', 'Null', 'none', 'yes', 'no', 't', 'f', '  ', ' true', 'truee', '2024-01-01', 'café ☕'])(
    'keeps anything else (%j) as the string itself',
    (cell) => {
      expect(typeTraitValue(cell)).toBe(cell);
    },
  );
});

describe('parseTimestamp', () => {
  it.each([
    ['2024-01-01', '2024-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'], // leap year
    ['2000-02-29', '2000-02-29T00:00:00.000Z'], // divisible by 400
    ['1999-12-31', '1999-12-31T00:00:00.000Z'],
  ])('reads the ISO date %j as midnight UTC', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    ['2024-03-05T14:07:09', '2024-03-05T14:07:09.000Z'],
    ['2024-03-05 14:07:09', '2024-03-05T14:07:09.000Z'],
    ['2024-03-05T14:07', '2024-03-05T14:07:00.000Z'],
    ['2024-03-05 14:07', '2024-03-05T14:07:00.000Z'],
    ['2024-03-05T14:07:09.123', '2024-03-05T14:07:09.123Z'],
    ['2024-03-05T14:07:09.5', '2024-03-05T14:07:09.500Z'],
    ['2024-03-05T14:07:09.123456', '2024-03-05T14:07:09.123Z'],
    ['2024-03-05T23:59:59.999', '2024-03-05T23:59:59.999Z'],
  ])('reads the zone-less date-time %j as UTC', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    ['2024-03-05T14:07:09Z', '2024-03-05T14:07:09.000Z'],
    ['2024-03-05 14:07:09Z', '2024-03-05T14:07:09.000Z'],
    ['2024-03-05T14:07:09.250Z', '2024-03-05T14:07:09.250Z'],
    ['2024-03-05T14:07:09+02:00', '2024-03-05T12:07:09.000Z'],
    ['2024-03-05T14:07:09+0200', '2024-03-05T12:07:09.000Z'],
    ['2024-03-05T14:07:09+02', '2024-03-05T12:07:09.000Z'],
    ['2024-03-05T14:07:09-05:30', '2024-03-05T19:37:09.000Z'],
    ['2024-03-05 14:07:09.5+05:30', '2024-03-05T08:37:09.500Z'],
    ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00.000Z'], // crosses into the previous year
    ['2024-02-28T22:00:00-03:00', '2024-02-29T01:00:00.000Z'], // crosses into a leap day
    ['2024-03-05T14:07:09+00:00', '2024-03-05T14:07:09.000Z'],
  ])('reads the zoned date-time %j and converts it to UTC', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it('gives every millisecond value back exactly (no floating-point drift in the fraction)', () => {
    for (let ms = 0; ms < 1000; ms++) {
      const fraction = String(ms).padStart(3, '0');
      expect(parseTimestamp(`2024-06-15T10:20:30.${fraction}Z`)).toBe(`2024-06-15T10:20:30.${fraction}Z`);
    }
  });

  it('trims surrounding whitespace', () => {
    expect(parseTimestamp('  2024-01-01T10:00:00Z \t')).toBe('2024-01-01T10:00:00.000Z');
    expect(parseTimestamp(' 1700000000 ')).toBe('2023-11-14T22:13:20.000Z');
  });

  it.each([
    ['0', '1970-01-01T00:00:00.000Z'],
    ['1700000000', '2023-11-14T22:13:20.000Z'],
    ['1704067200', '2024-01-01T00:00:00.000Z'],
    ['1704067200.5', '2024-01-01T00:00:00.500Z'],
    ['-86400', '1969-12-31T00:00:00.000Z'],
    ['99999999999', '5138-11-16T09:46:39.000Z'], // the largest value read as seconds
  ])('reads the epoch number %j (below 100000000000) as seconds', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    ['100000000000', '1973-03-03T09:46:40.000Z'], // the smallest value read as milliseconds
    ['1700000000000', '2023-11-14T22:13:20.000Z'],
    ['1704067200123', '2024-01-01T00:00:00.123Z'],
  ])('reads the epoch number %j (100000000000 and above) as milliseconds', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it('gives the same instant for the seconds and milliseconds forms of one epoch', () => {
    expect(parseTimestamp('1704067200')).toBe(parseTimestamp('1704067200000'));
  });

  it.each([
    '',
    '   ',
    'yesterday',
    'not a date',
    '2024/01/01',
    '01/02/2024',
    '2024-1-1',
    '24-01-01',
    '2024-01-01T',
    '2024-01-01T10',
    '2024-01-01T10:00:00ZZ',
    '2024-01-01 garbage',
    '1e9',
    '0x10',
    '1,700,000,000',
    'null',
  ])('returns null for the unparseable %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it.each([
    '2023-02-29', // not a leap year
    '1900-02-29', // divisible by 100, not by 400
    '2024-02-30',
    '2024-04-31',
    '2024-06-31',
    '2024-09-31',
    '2024-11-31',
    '2024-01-32',
    '2024-13-01', // month 13
    '2024-00-10', // month 0
    '2024-01-00', // day 0
    '2024-01-01T24:00:00', // hour 24
    '2024-01-01T24:00',
    '2024-01-01T23:60:00',
    '2024-01-01T23:59:60',
    '2024-01-01T10:00:00+24:00',
    '2024-01-01T10:00:00+05:60',
    '2023-02-29T12:00:00Z',
  ])('returns null for the impossible date or time %j (not a rolled-over date)', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it('returns null for epoch numbers beyond what a date can hold', () => {
    expect(parseTimestamp('99999999999999999999')).toBeNull();
    expect(parseTimestamp('1700000000000000000')).toBeNull(); // nanoseconds
  });

  it('always returns the UTC ISO format with milliseconds', () => {
    for (const text of ['2024-01-01', '2024-01-01 10:00', '2024-01-01T10:00:00+01:00', '1700000000', '1700000000000']) {
      expect(parseTimestamp(text)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });
});

describe('parseNpsScore', () => {
  it('reads every whole number from 0 to 10', () => {
    for (let score = 0; score <= 10; score++) expect(parseNpsScore(String(score))).toBe(score);
  });

  it('tolerates surrounding whitespace', () => {
    expect(parseNpsScore(' 7 ')).toBe(7);
  });

  it.each(['', ' ', '11', '100', '-1', '-0.5', '7.5', '1e1', 'ten', 'null', '+5', '5/10', '10%', '0x5'])(
    'returns null for %j (not a whole number from 0 to 10)',
    (text) => {
      expect(parseNpsScore(text)).toBeNull();
    },
  );
});

describe('traitValueJson', () => {
  const stringified = (cell: string) => {
    const value = typeTraitValue(cell);
    return value === undefined || value === null ? value : JSON.stringify(value);
  };

  it('is the JSON text of the typed value: undefined when empty, null for "null"', () => {
    for (const cell of [
      '',
      'null',
      'NULL',
      'true',
      'False',
      'TRUE ',
      '0',
      '-0',
      '7',
      '-7',
      '1200.50',
      '00501',
      '1,000',
      '1e5',
      '-',
      '9007199254740993',
      '123456789012345',
      '1234567890123456',
      '["a",1]',
      '[x]',
      'say "hi"',
      'a\\b',
      'tab\there',
      '\ud800',
      'é',
    ]) {
      expect(traitValueJson(cell)).toBe(stringified(cell));
    }
  });

  it('agrees with JSON.stringify(typeTraitValue(cell)) for any cell', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer().map(String), fc.double().map(String)),
        (cell) => {
          expect(traitValueJson(cell)).toBe(stringified(cell));
        },
      ),
    );
  });
});

describe('parseTimestamp, canonical UTC fast path', () => {
  it('returns a canonical UTC timestamp as it is, and refuses impossible dates in that form', () => {
    expect(parseTimestamp('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(parseTimestamp('0000-01-01T00:00:00.000Z')).toBe('0000-01-01T00:00:00.000Z');
    // Year 0 is a leap year (1900, where Date.UTC puts years 0-99, is not): in every form.
    for (const text of [
      '0000-02-29T12:00:00.000Z',
      '0000-02-29 12:00',
      '0000-02-29T12:00:00Z',
      '0000-02-29T13:00:00+01:00',
    ]) {
      expect(parseTimestamp(text)).toBe('0000-02-29T12:00:00.000Z');
    }
    for (const bad of [
      '2023-02-29T00:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T00:60:00.000Z',
      '2024-01-01T00:00:60.000Z',
      '2024-01-0xT00:00:00.000Z',
    ]) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });

  it('agrees with toISOString for any instant JavaScript dates can hold with a four-digit year', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(0, 0, 1) - 1900 * 365.2425 * 864e5, max: 253402300799999 }), (ms) => {
        const iso = new Date(ms).toISOString();
        if (iso.length !== 24) return;
        expect(parseTimestamp(iso)).toBe(iso);
      }),
    );
  });
});

describe('fast paths agree with the general ones', () => {
  it('parseTimestamp: any text in the shape of the canonical form (any digits, now and then a non-digit) reads as without the fast path', () => {
    const digit = fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...'0123456789') },
      { weight: 1, arbitrary: fc.constantFrom('x', ' ', '-', '٣') },
    );
    const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
    // Months and days near the limits are where a wrong check would show.
    const month = fc.oneof(digits(2), fc.constantFrom('00', '01', '02', '04', '06', '09', '11', '12', '13'));
    const day = fc.oneof(digits(2), fc.constantFrom('00', '01', '28', '29', '30', '31', '32'));
    const year = fc.oneof(digits(4), fc.constantFrom('1900', '2000', '2023', '2024', '2100', '0000', '0004'));
    fc.assert(
      fc.property(year, month, day, digits(2), digits(2), digits(2), digits(3), (y, mo, d, h, mi, s, ms) => {
        const text = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
        expect(parseTimestamp(text)).toBe(parseTimestampInGeneral(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('stringJson is JSON.stringify for any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'grapheme' }),
          fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u001f', '\ud800', '\udc00', 'a', 'é') }),
        ),
        (text) => {
          expect(stringJson(text)).toBe(JSON.stringify(text));
        },
      ),
    );
  });
});
