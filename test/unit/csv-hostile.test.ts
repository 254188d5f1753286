// Hostile and odd files through the real reader: quotes never closed (at the end, and at the start
// of a huge file), invalid UTF-8 and the encoding option, NUL characters, huge fields, thousands of
// columns, binary files. None may crash, hang or grow without bound.
import { readFileSync } from 'node:fs';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../electron/shared/config';
import { CsvFileError, readCsv, ROW_LIMITS, type CsvReadOptions } from '../../electron/core/csv/rows';
import { describeBinaryFormat } from '../../electron/core/csv/sniff';
import { createRowMapper } from '../support/row-mapper';
import { makeZip, pseudoRandomBytes } from '../support/hostile-files';

async function* chunks(bytes: Uint8Array, size = bytes.length || 1): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

interface Read {
  columns: string[];
  encoding: string;
  rows: { fields: string[]; line: number; raw: string; malformed?: string }[];
  warnings: string[];
}

async function read(source: AsyncIterable<Uint8Array>, options: CsvReadOptions = {}): Promise<Read> {
  const result: Read = { columns: [], encoding: '', rows: [], warnings: [] };
  for await (const event of readCsv(source, { ...options, onWarning: (w) => result.warnings.push(w) })) {
    if (event.kind === 'header') {
      result.columns = event.columns;
      result.encoding = event.encoding;
      continue;
    }
    event.rows.forEach((fields, i) => {
      const malformed = event.malformed.get(i);
      result.rows.push({ fields, line: event.lines[i]!, raw: event.rawText(i), ...(malformed ? { malformed } : {}) });
    });
  }
  return result;
}

const readBytes = (bytes: Uint8Array, options?: CsvReadOptions, size?: number) => read(chunks(bytes, size), options);
const readText = (text: string, options?: CsvReadOptions) => readBytes(new Uint8Array(Buffer.from(text)), options);

async function readError(source: AsyncIterable<Uint8Array>, options?: CsvReadOptions): Promise<CsvFileError> {
  const error = await read(source, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CsvFileError);
  return error as CsvFileError;
}

/** A file made of generated text in 64 KB chunks, never held whole; counts what was read of it. */
function generated(parts: () => Generator<string>): { source: AsyncGenerator<Uint8Array>; bytesRead: () => number } {
  let bytesRead = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    let buffered = '';
    for (const part of parts()) {
      buffered += part;
      if (buffered.length >= 65536) {
        const chunk = Buffer.from(buffered);
        bytesRead += chunk.length;
        buffered = '';
        yield chunk;
      }
    }
    if (buffered) {
      bytesRead += Buffer.byteLength(buffered);
      yield Buffer.from(buffered);
    }
  }
  return { source: source(), bytesRead: () => bytesRead };
}

describe('a quote that is never closed', () => {
  it('at the end of the file: one rejected row naming the line of the opening quote and the lines it swallowed', async () => {
    const result = await readText('id,name\n1,Acme\n2,"Beta\n3,Gamma\n4,Delta\n');
    expect(result.rows.map((row) => [row.fields[0], row.line])).toEqual([
      ['1', 2],
      ['2', 3],
    ]);
    expect(result.rows[1]!.malformed).toBe(
      'a quoted field that opens on line 3 is never closed: it swallowed the 3 lines 3–5 up to the end of the file, ' +
        'which were read as one value and not imported (check the quotes on line 3)',
    );
    expect(result.rows[1]!.raw).toBe('2,"Beta\n3,Gamma\n4,Delta');
  });

  it('on the last line: says so', async () => {
    const result = await readText('id,name\n1,Acme\n2,"Beta');
    expect(result.rows[1]!.malformed).toMatch(/opens on line 3 is never closed \(it is the last line of the file\)/);
  });

  it('gives the same rows and reason whatever the chunking', async () => {
    const bytes = new Uint8Array(Buffer.from('id,name\r\n1,Acme\r\n2,"Beta\r\n3,Gamma\r\n\r\n'));
    const whole = await readBytes(bytes);
    expect(whole.rows[1]!.malformed).toMatch(/opens on line 3 .* the 2 lines 3–4/);
    for (const size of [1, 2, 3, 5, 8]) expect(await readBytes(bytes, {}, size)).toEqual(whole);
  });

  it('near the start of a huge file: fails the file after 50,000 lines, in bounded time, without reading the rest', async () => {
    const lines = 400_000; // about 12 MB
    const file = generated(function* () {
      yield 'id,name,plan\n';
      yield '1,"Acme,pro\n';
      for (let i = 2; i < lines; i++) yield `${i},Company ${i},basic\n`;
    });
    const started = performance.now();
    const error = await readError(file.source);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error.message).toBe(
      'The row that starts on line 2 is still not complete after 50,000 lines: one row may span at most 50,000 lines and 16 MB, ' +
        'so a quoted field in it is probably never closed. Nothing of this file was imported; check the quotes on line 2.',
    );
    expect(file.bytesRead()).toBeLessThan(3 * 1024 * 1024);
  });

  it('in one huge line: fails the file past 16 MB', async () => {
    const file = generated(function* () {
      yield 'id,note\n1,"';
      for (let i = 0; i < 20 * 1024; i++) yield 'y'.repeat(1024);
    });
    const error = await readError(file.source);
    expect(error.message).toMatch(
      /^The row that starts on line 2 is still not complete after 16 MB: one row may span at most 50,000 lines and 16 MB/,
    );
    expect(file.bytesRead()).toBeLessThan(ROW_LIMITS.maxRowChars + 1024 * 1024);
  });

  it('keeps rows that legitimately span many lines, below the limit, whatever the chunking', async () => {
    const note = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n');
    const text = `id,note\n1,"${note}"\n2,after\n`;
    for (const size of [65536, 100, 7]) {
      const result = await readBytes(new Uint8Array(Buffer.from(text)), {}, size);
      expect(result.rows.map((row) => [row.fields[0], row.fields[1]!.length, row.line])).toEqual([
        ['1', note.length, 2],
        ['2', 5, 3002],
      ]);
    }
  });

  it('the limits can be lowered (as the tests of the importer do)', async () => {
    const error = await readError(chunks(new Uint8Array(Buffer.from('id,n\n1,"a\nb\nc\nd\ne\n')), 2), {
      limits: { maxRowLines: 3 },
    });
    expect(error.message).toMatch(/line 2 is still not complete after 3 lines: one row may span at most 3 lines/);
  });
});

describe('invalid UTF-8 and the encoding option', () => {
  // "Zoë;Köln" as Windows-1252 (an older Excel export): 0xEB and 0xF6 are not UTF-8.
  const latin1 = new Uint8Array(
    Buffer.from('id;name;city\n1;Acme;Berlin\n2;Zo\xeb;K\xf6ln\n3;\x80 price;Bar\n', 'latin1'),
  );

  it('decodes invalid UTF-8 with replacement characters and warns once, with the count and the first line', async () => {
    for (const size of [latin1.length, 1, 3]) {
      const result = await readBytes(latin1, {}, size);
      expect(result.rows.map((row) => row.fields)).toEqual([
        ['1', 'Acme', 'Berlin'],
        ['2', 'Zo\ufffd', 'K\ufffdln'],
        ['3', '\ufffd price', 'Bar'],
      ]);
      expect(result.warnings).toEqual([
        '3 invalid UTF-8 sequences, first on line 3, were replaced by "\ufffd". If this file comes ' +
          "from an older tool, set this object type's encoding to windows-1252.",
      ]);
    }
  });

  it('reads the same file correctly with the windows-1252 encoding (TextDecoder supports it in Node 20), without a warning', async () => {
    const result = await readBytes(latin1, { encoding: 'windows-1252' });
    expect(result.encoding).toBe('windows-1252');
    expect(result.rows.map((row) => row.fields)).toEqual([
      ['1', 'Acme', 'Berlin'],
      ['2', 'Zoë', 'Köln'],
      ['3', '€ price', 'Bar'],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('does not count U+FFFD characters that the file itself holds, even split across chunks', async () => {
    const bytes = new Uint8Array(Buffer.from('id,v\n1,a\ufffdb\n2,\ufffd\n'));
    for (const size of [bytes.length, 1, 2, 10]) {
      const result = await readBytes(bytes, {}, size);
      expect(result.rows.map((row) => row.fields[1])).toEqual(['a\ufffdb', '\ufffd']);
      expect(result.warnings).toEqual([]);
    }
  });

  it('counts a sequence cut short at the end of the file', async () => {
    const bytes = new Uint8Array([...Buffer.from('id,v\n1,ok\n2,caf'), 0xc3]);
    const result = await readBytes(bytes);
    expect(result.rows[1]!.fields).toEqual(['2', 'caf\ufffd']);
    expect(result.warnings[0]).toMatch(/^1 invalid UTF-8 sequence, first on line 3, was replaced/);
  });

  it('reads UTF-16 LE without a BOM when the encoding says so', async () => {
    const bytes = new Uint8Array(Buffer.from('id,name\n1,Zoë 東京\n', 'utf16le'));
    const result = await readBytes(bytes, { encoding: 'utf-16le' });
    expect(result.encoding).toBe('utf-16le');
    expect(result.rows.map((row) => row.fields)).toEqual([['1', 'Zoë 東京']]);
  });

  it('lets a byte order mark win over the configured encoding (it is unambiguous)', async () => {
    const utf8Bom = new Uint8Array(Buffer.from('\ufeffid,name\n1,Zoë\n'));
    const utf16Bom = new Uint8Array(Buffer.from('\ufeffid,name\n1,Zoë\n', 'utf16le'));
    for (const encoding of ['windows-1252', 'utf-16le'] as const) {
      const result = await readBytes(utf8Bom, { encoding });
      expect([result.encoding, result.columns, result.rows[0]!.fields]).toEqual([
        'utf-8',
        ['id', 'name'],
        ['1', 'Zoë'],
      ]);
    }
    for (const encoding of ['windows-1252', 'utf-8'] as const) {
      const result = await readBytes(utf16Bom, { encoding });
      expect([result.encoding, result.columns, result.rows[0]!.fields]).toEqual([
        'utf-16le',
        ['id', 'name'],
        ['1', 'Zoë'],
      ]);
    }
  });

  it('the configuration accepts the three encodings and refuses any other, naming the field', () => {
    const config = (encoding: unknown) => ({
      connection: { bucket: 'acme', region: 'us-east-1', accessKeyId: 'AKIA' },
      objects: { accounts: { fileRegex: '^a/', mode: 'create_update', idColumn: 'id', nameColumn: 'name', encoding } },
    });
    for (const encoding of ['utf-8', 'utf-16le', 'windows-1252'])
      expect(parseConfig(config(encoding)).objects.accounts?.encoding).toBe(encoding);
    expect(parseConfig(config(undefined)).objects.accounts?.encoding).toBeUndefined();
    for (const wrong of ['latin1', 'UTF8', 'utf-16be', 5]) {
      const error = (() => {
        try {
          parseConfig(config(wrong));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'objects.accounts.encoding: must be "utf-8", "utf-16le" or "windows-1252" (or left out for UTF-8)',
      ]);
    }
  });
});

describe('NUL characters', () => {
  it('are removed from values and header names, with one warning giving the count and the first line', async () => {
    const result = await readText('id,na\0me\n1,Ac\0me\n2,Beta\n3,\0\0\0\n');
    expect(result.columns).toEqual(['id', 'name']);
    expect(result.rows.map((row) => row.fields)).toEqual([
      ['1', 'Acme'],
      ['2', 'Beta'],
      ['3', ''],
    ]);
    expect(result.warnings).toEqual([
      '5 NUL characters, first on line 1, were removed from the values (SQLite tools cut text at a NUL).',
    ]);
  });

  it('as padding after the last row (a run of NULs) are removed with the warning, not taken for UTF-16', async () => {
    for (const padding of [200, 10_000]) {
      const result = await readText(`id,name\n1,a\n2,b\n${'\0'.repeat(padding)}`);
      expect(result.rows.map((row) => row.fields)).toEqual([
        ['1', 'a'],
        ['2', 'b'],
      ]);
      expect(result.warnings).toEqual([
        `${padding.toLocaleString('en-US')} NUL characters, first on line 4, were removed from the values (SQLite tools cut text at a NUL).`,
      ]);
    }
  });

  it('fail the file when every other byte is one: UTF-16 without a BOM, named as such', async () => {
    const bytes = new Uint8Array(Buffer.from('id,name\n' + '1,Acme\n'.repeat(50), 'utf16le'));
    const error = await readError(chunks(bytes));
    expect(error.message).toBe(
      'This does not look like a CSV file: every other byte of it is a NUL, as in UTF-16 text ' +
        "without a byte order mark. If it is UTF-16 text, set this object type's encoding to utf-16le.",
    );
  });
});

describe('huge values and wide files', () => {
  it('reads a 5 MB single field', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024 - 2) + '""';
    const result = await readText(`id,name,note\n1,Acme,"${big}"\n2,Beta,short\n`);
    expect(result.rows.map((row) => [row.fields[0], row.fields[2]!.length, row.line])).toEqual([
      ['1', 5 * 1024 * 1024 - 1, 2],
      ['2', 5, 3],
    ]);
  });

  it('reads 5,000 columns and maps them to 4,998 traits', async () => {
    const columns = ['id', 'name', ...Array.from({ length: 4998 }, (_, i) => `t${i}`)];
    const row = ['a-1', 'Acme', ...Array.from({ length: 4998 }, (_, i) => String(i))];
    const result = await readText(`${columns.join(',')}\n${row.join(',')}\n`);
    expect(result.columns).toEqual(columns);
    expect(result.rows[0]!.fields).toEqual(row);
    const map = createRowMapper(
      'accounts',
      { enabled: true, fileRegex: '.', mode: 'create_update', idColumn: 'id', nameColumn: 'name' },
      result.columns,
    );
    const mapped = map(result.rows[0]!.fields);
    expect(
      mapped.ok && Object.keys(JSON.parse(mapped.record.type === 'accounts' ? mapped.record.traits : '{}')),
    ).toHaveLength(4998);
  });
});

describe('binary files', () => {
  const expectNotCsv = async (bytes: Uint8Array, pattern: RegExp, options?: CsvReadOptions) => {
    const error = await readError(chunks(bytes, 16384), options);
    expect(error.message).toMatch(/^This does not look like a CSV file: /);
    expect(error.message).toMatch(pattern);
  };

  it('recognises a PNG image (the app icon)', async () => {
    await expectNotCsv(new Uint8Array(readFileSync('resources/icon.png')), /it starts like a PNG image\.$/);
  });

  it('recognises a ZIP archive, as an .xlsx workbook renamed .csv is', async () => {
    const xlsx = makeZip([
      { name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types/>' },
      { name: 'xl/workbook.xml', data: '<workbook/>' },
    ]);
    await expectNotCsv(xlsx, /it starts like a ZIP archive \(an Excel \.xlsx workbook is one\)\.$/);
  });

  it('recognises a format inside gzip too', async () => {
    await expectNotCsv(new Uint8Array(gzipSync(readFileSync('resources/icon.png'))), /a PNG image/);
  });

  it.each(['utf-8', 'windows-1252'] as const)(
    'recognises random bytes as binary data (read as %s)',
    async (encoding) => {
      await expectNotCsv(
        pseudoRandomBytes(256 * 1024, 7),
        /its first characters are full of control characters or invalid (utf-8|windows-1252), as in binary data\./,
        { encoding },
      );
    },
  );

  it('recognises compressed data without a known header (raw deflate)', async () => {
    await expectNotCsv(
      new Uint8Array(deflateRawSync(Buffer.from('id,name\n'.repeat(10000) + String(pseudoRandomBytes(50000, 3))))),
      /binary data/,
    );
  });

  it('names the formats people mistake for CSV exports by their first bytes', () => {
    const named = (bytes: number[] | string) =>
      describeBinaryFormat(new Uint8Array(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes));
    expect(named('%PDF-1.7')).toMatch(/PDF/);
    expect(named([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])).toMatch(/\.xls/);
    expect(named('PAR1\x15\x04')).toMatch(/Parquet/);
    expect(named([0xff, 0xd8, 0xff, 0xe0])).toMatch(/JPEG/);
    expect(named('GIF89a')).toMatch(/GIF/);
    expect(named('id,name\n')).toBeNull();
    expect(named('PK,name\n')).toBeNull();
    expect(named('BZh,x\n')).toBeNull();
  });

  it('does not mistake a text file with a few control characters for binary data', async () => {
    const result = await readText(
      'id,note\n' +
        Array.from(
          { length: 200 },
          (_, i) => `${i},${i % 10 === 0 ? 'a bell \x07 or a form feed \x0c' : 'plain text'}`,
        ).join('\n') +
        '\n',
    );
    expect(result.rows).toHaveLength(200);
  });
});

describe('hostile headers', () => {
  it('a quote never closed in the header fails the file with a plain message (not the file as one column name)', async () => {
    const error = await readError(chunks(new Uint8Array(Buffer.from('id,"name\n1,Acme\n2,Beta\n'))));
    expect(error.message).toBe(
      'A quoted field in the header (the first line) is never closed, so the file has no readable header. Check the quotes on line 1.',
    );
    // The same mistake in a big file (past the 4 MB the header may take) gets the same message.
    const big = await readError(chunks(new Uint8Array(Buffer.from('id,"name\n' + '1,Acme\n'.repeat(1_200_000)))));
    expect(big.message).toBe(error.message);
  });

  it('keeps the messages about missing or repeated columns short, whatever the header', () => {
    const mapping = {
      enabled: true,
      fileRegex: '.',
      mode: 'create_update',
      idColumn: 'account_id',
      nameColumn: 'name',
    } as const;
    const wide = ['name', 'x'.repeat(100_000), ...Array.from({ length: 4998 }, (_, i) => `t${i}`)];
    const missing = (() => {
      try {
        createRowMapper('accounts', mapping, wide);
      } catch (e) {
        return (e as Error).message;
      }
    })()!;
    expect(missing).toMatch(
      /^The ID column "account_id" is not in the file\. The file has the columns: "name", "x{57}\.\.\.", "t0", .* and 4,950 more \(names are matched ignoring case and spaces\)\. Fix/,
    );
    expect(missing.length).toBeLessThan(1000);
    const repeated = (() => {
      try {
        createRowMapper('accounts', mapping, [
          'account_id',
          'name',
          ...Array.from({ length: 200 }, (_, i) => `d${i}`),
          ...Array.from({ length: 200 }, (_, i) => `d${i}`),
        ]);
      } catch (e) {
        return (e as Error).message;
      }
    })()!;
    expect(repeated).toMatch(/^The header repeats the column names "d0", "d1", .* and 150 more: every column/);
  });
});
