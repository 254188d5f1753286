// Properties that mapping/typing.test.ts and mapping/row-encoder.test.ts did not state: timestamps written in any ISO
// form or as epoch numbers read back to their instant; typed values are consistent with their text;
// NPS scores; and whole rows mapped for every object type against an independent model of the rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../electron/shared/config';
import { createRowMapper } from '../support/row-mapper';
import { parseNpsScore, parseTimestamp, typeTraitValue } from '../../electron/core/mapping/typing';

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('property: timestamps', () => {
  // Instants whose local time, in any zone, still has a four-digit year.
  const instant = fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9998, 11, 30) });
  const zoneMinutes = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });

  it('reads an instant written as local date-time plus zone, in every form, back to that instant (fraction truncated to ms)', () => {
    const form = fc.record({
      separator: fc.constantFrom('T', ' '),
      precision: fc.constantFrom('minutes', 'seconds', 'ms', 'micros'),
      zone: fc.constantFrom('none', 'Z', 'z', '+HH:MM', '+HHMM', '+HH'),
      spaceBeforeZone: fc.boolean(),
      extraDigits: fc.integer({ min: 0, max: 999 }),
    });
    fc.assert(
      fc.property(instant, zoneMinutes, form, (ms, offset, f) => {
        // A zone written as +HH has no minutes; no zone means UTC.
        const minutes =
          f.zone === '+HH' ? offset - (offset % 60) : f.zone === '+HH:MM' || f.zone === '+HHMM' ? offset : 0;
        const local = new Date(ms + minutes * 60_000);
        let text = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}${f.separator}${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
        const floorTo = (unit: number) => Math.floor(ms / unit) * unit; // instants before 1970 are negative
        let expected = floorTo(60_000);
        if (f.precision !== 'minutes') {
          text += `:${pad(local.getUTCSeconds())}`;
          expected = floorTo(1000);
        }
        if (f.precision === 'ms' || f.precision === 'micros') {
          text += `.${pad(local.getUTCMilliseconds(), 3)}${f.precision === 'micros' ? pad(f.extraDigits, 3) : ''}`;
          expected = ms;
        }
        const sign = minutes < 0 ? '-' : '+';
        const zone = {
          none: '',
          Z: 'Z',
          z: 'z',
          '+HH:MM': `${sign}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`,
          '+HHMM': `${sign}${pad(Math.trunc(minutes / 60))}${pad(minutes % 60)}`,
          '+HH': `${sign}${pad(Math.trunc(minutes / 60))}`,
        }[f.zone];
        if (zone) text += (f.spaceBeforeZone ? ' ' : '') + zone;
        expect(parseTimestamp(text)).toBe(new Date(expected).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('reads epoch numbers below 100000000000 as seconds and from there on as milliseconds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -99_999_999_999, max: 99_999_999_999 }),
        fc.integer({ min: 100_000_000_000, max: 253402300799999 }),
        (seconds, millis) => {
          expect(parseTimestamp(String(seconds))).toBe(new Date(seconds * 1000).toISOString());
          expect(parseTimestamp(String(millis))).toBe(new Date(millis).toISOString());
          expect(parseTimestamp(` ${millis}\t`)).toBe(new Date(millis).toISOString());
        },
      ),
    );
  });

  it('for any text gives null or the canonical form, and reading its own answer again gives the same answer', () => {
    const timestampish = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '-', ':', 'T', ' ', '.', 'Z', '+') }),
      fc
        .tuple(instant, fc.integer({ min: 4, max: 24 }))
        .map(([ms, length]) => new Date(ms).toISOString().slice(0, length)),
    );
    fc.assert(
      fc.property(timestampish, (text) => {
        const read = parseTimestamp(text);
        if (read === null) return;
        if (read.startsWith('-') || read.startsWith('+')) return; // epoch numbers far before year 0 (expanded years)
        expect(read).toMatch(CANONICAL);
        expect(parseTimestamp(read)).toBe(read);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('property: typed values', () => {
  it('types any cell consistently with its text', () => {
    const cell = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.double().map(String),
      fc.bigInt().map(String),
      fc.constantFrom('TRUE', 'False', 'null', 'NULL', '[]', '[1,"a"]', '["x"', '-0', '0.50', '01'),
    );
    fc.assert(
      fc.property(cell, (text) => {
        const value = typeTraitValue(text);
        if (text === '') {
          expect(value).toBeUndefined();
        } else if (text === 'null') {
          expect(value).toBeNull();
        } else if (typeof value === 'boolean') {
          expect(text.toLowerCase()).toBe(String(value));
        } else if (typeof value === 'number') {
          // Only plain decimals become numbers, and only when no digit is lost.
          expect(text).toMatch(/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/);
          expect(Number(text)).toBe(value);
          if (!text.includes('.')) expect(Number.isSafeInteger(value)).toBe(true);
        } else if (Array.isArray(value)) {
          expect(value).toEqual(JSON.parse(text));
        } else {
          expect(value).toBe(text); // anything else stays the text itself
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads an NPS score exactly when it is a whole number from 0 to 10', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom('', ' ', '\t'), (n, space) => {
        expect(parseNpsScore(`${space}${n}${space}`)).toBe(n >= 0 && n <= 10 ? n : null);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const score = parseNpsScore(text);
        if (score !== null) expect(String(score)).toBe(text.trim().replace(/^0(?=\d)/, ''));
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Row mapping against a model: which columns are mapped, what the record holds, what becomes traits.

const columnName = fc.string({ minLength: 1, maxLength: 8 }).filter((name) => name.trim() === name && name !== '');
const cellText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '',
      'null',
      'true',
      'FALSE',
      '42',
      '-1.5',
      '007',
      '[1,2]',
      '1e5',
      '2024-05-01T10:00:00Z',
      '1704067200',
      '9',
      '11',
    ),
  },
);

const TYPES_WITH_TRAITS = ['organizations', 'accounts', 'users'] as const;
const FIELDS: Record<(typeof TYPES_WITH_TRAITS)[number], { required: string[]; optional: string[] }> = {
  organizations: { required: ['idColumn', 'nameColumn'], optional: [] },
  accounts: { required: ['idColumn', 'nameColumn'], optional: ['organizationIdColumn'] },
  users: { required: ['idColumn'], optional: ['nameColumn', 'emailColumn', 'organizationIdColumn', 'accountIdColumn'] },
};
const RECORD_FIELD: Record<string, string> = {
  idColumn: 'id',
  nameColumn: 'name',
  emailColumn: 'email',
  organizationIdColumn: 'organizationId',
  accountIdColumn: 'accountId',
};

const rowCase = fc
  .record({
    type: fc.constantFrom(...TYPES_WITH_TRAITS),
    header: fc.uniqueArray(columnName, { minLength: 6, maxLength: 10 }),
    useOptional: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  })
  .chain(({ type, header, useOptional }) =>
    fc.record({
      type: fc.constant(type),
      header: fc.constant(header),
      // Distinct columns for the mapped fields, drawn from the header.
      picks: fc.shuffledSubarray(
        header.map((_, i) => i),
        { minLength: 5, maxLength: 5 },
      ),
      useOptional: fc.constant(useOptional),
      cells: fc.array(cellText, { minLength: header.length, maxLength: header.length }),
    }),
  );

describe('property: row mapping', () => {
  it('maps any row as the model says: mapped fields from their columns (empty → null), every other column a typed trait, no ID → rejected', () => {
    fc.assert(
      fc.property(rowCase, ({ type, header, picks, useOptional, cells }) => {
        const { required, optional } = FIELDS[type];
        const fields: Record<string, string> = {};
        let p = 0;
        for (const field of required) fields[field] = header[picks[p++]!]!;
        optional.forEach((field, i) => {
          if (useOptional[i]) fields[field] = header[picks[p++]!]!;
        });
        const config = parseConfig({
          connection: { bucket: 'acme', region: 'us-east-1', accessKeyId: 'AKIA' },
          objects: { [type]: { fileRegex: '.', mode: 'create_update', ...fields } },
        });
        const map = createRowMapper(type, config.objects[type]!, header);
        const result = map(cells);
        const cellOf = (field: string) => cells[header.indexOf(fields[field]!)]!;

        if (cellOf('idColumn') === '') {
          expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^missing .*ID$/) });
          return;
        }
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const record = result.record as unknown as Record<string, unknown>;
        expect(record.type).toBe(type);
        expect(record.id).toBe(cellOf('idColumn'));
        for (const field of [...required, ...optional].filter((f) => f !== 'idColumn')) {
          const expected = fields[field] === undefined ? null : cellOf(field) === '' ? null : cellOf(field);
          expect(record[RECORD_FIELD[field]!]).toBe(expected);
        }
        const mapped = new Set(Object.values(fields));
        const expectedTraits = Object.fromEntries(
          header.flatMap((name, i) => {
            if (mapped.has(name)) return [];
            const value = typeTraitValue(cells[i]!);
            return value === undefined ? [] : [[name, value]];
          }),
        );
        expect(JSON.parse(record.traits as string)).toEqual(expectedTraits);
      }),
      { numRuns: 1500 },
    );
  });
});
