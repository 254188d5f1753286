// Hostile and odd files synced for real: from s3rver, through the engine, into a SQLite file. The run
// log must say, per file, what happened (status, error, warnings, rejected rows with their lines),
// and the database must hold exactly the good rows. The same files read by the parsing worker give
// the same result.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, makeConfig, type Workspace } from '../support/fixtures';
import { makeZip, pseudoRandomBytes } from '../support/hostile-files';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(async () => {
  await ws.close();
});

const HEADER = 'account_id,account_name,org_id';
const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const BIG_NOTE = 'n'.repeat(5 * 1024 * 1024);
const WIDE_COLUMNS = 5000;

async function putHostileFiles(): Promise<void> {
  // Windows-1252 on purpose, read with the organizations' encoding option.
  await ws.put('orgs/orgs.csv', latin1('org_id,org_name\no1,Soci\xe9t\xe9 G\xe9n\xe9rale\n'));
  const files: Record<string, string | Uint8Array> = {
    '01-field-counts.csv': `${HEADER},plan\nf1,Fine,o1,pro\nf2,Too few,o1\nf3,Too many,o1,pro,extra\nf4,"Fine, quoted",o1,basic\n`,
    '02-unterminated-at-end.csv': `${HEADER}\ne1,Before,o1\ne2,"Never closed,o1\ne3,Swallowed,o1\ne4,Swallowed too,o1\n`,
    '03-unterminated-at-start.csv':
      `${HEADER}\nu1,"Acme,o1\n` + Array.from({ length: 60_000 }, (_, i) => `u${i + 2},Company ${i},o1\n`).join(''),
    '04-windows-1252-read-as-utf-8.csv': latin1(`${HEADER}\nw1,Plain,o1\nw2,Zo\xeb,o1\nw3,K\xf6ln \x80,o1\n`),
    '05-nul.csv': `${HEADER}\nn1,Ac\0me,o1\nn2,Beta,o1\0\n`,
    '06-big-field.csv': `${HEADER},note\nb1,Big,o1,"${BIG_NOTE}"\nb2,Small,o1,short\n`,
    '07-wide.csv':
      [HEADER, ...Array.from({ length: WIDE_COLUMNS - 3 }, (_, i) => `t${i}`)].join(',') +
      '\n' +
      ['wide1', 'Wide', 'o1', ...Array.from({ length: WIDE_COLUMNS - 3 }, (_, i) => String(i))].join(',') +
      '\n',
    '08-duplicate-header.csv': `${HEADER},plan,account_name,plan\nd1,Dup,o1,pro,x,y\n`,
    '09-header-spaces.csv': ' account_id ,\taccount_name\t, org_id \ns1,Spaces,o1\n',
    '10-random-bytes.csv': pseudoRandomBytes(100_000, 42),
    '11-image.csv': new Uint8Array(readFileSync('resources/icon.png')),
    '12-workbook.csv': makeZip([
      { name: '[Content_Types].xml', data: '<?xml version="1.0" encoding="UTF-8"?><Types/>' },
      { name: 'xl/workbook.xml', data: '<workbook/>' },
    ]),
    '13-utf-16-without-bom.csv': new Uint8Array(Buffer.from(`${HEADER}\nx1,Sixteen,o1\n`.repeat(20), 'utf16le')),
    '14-utf-16-with-bom.csv': new Uint8Array(Buffer.from(`\ufeff${HEADER}\nv1,Zoë 東京,o1\n`, 'utf16le')),
  };
  for (const [name, body] of Object.entries(files)) await ws.put(`accounts/${name}`, body);
}

const config = () =>
  makeConfig(ws.server, {
    organizations: {
      fileRegex: '^orgs/',
      mode: 'create_update',
      idColumn: 'org_id',
      nameColumn: 'org_name',
      encoding: 'windows-1252',
    },
  });

interface FileRow {
  key: string;
  status: string;
  rows: number;
  rejected: number;
  error: string | null;
  warnings: string | null;
}

/** What the run log and the database hold after the sync, as an analyst would read them with SQL. */
function snapshot() {
  return {
    files: ws
      .query<FileRow>(`SELECT key, status, rows, rejected, error, warnings FROM sync_files ORDER BY key`)
      .map((f) => ({
        ...f,
        key: f.key.replace('vitally/', ''),
        warnings: f.warnings === null ? null : (JSON.parse(f.warnings) as string[]),
      })),
    rejects: ws.query(`SELECT key, line, reason, length(raw) AS rawLength FROM sync_rejects ORDER BY key, line`),
    accounts: ws.query(`SELECT external_id, name, length(traits) AS traitsLength FROM accounts ORDER BY external_id`),
    organizations: ws.query(`SELECT external_id, name FROM organizations`),
  };
}

describe('hostile files synced from S3 into SQLite', () => {
  it('imports what can be read, rejects bad rows with their line and reason, fails unreadable files with a plain message', async () => {
    await putHostileFiles();
    const started = performance.now();
    const report = await ws.sync(config());
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(45);
    expect(report.status).toBe('partial');
    const { files, rejects } = snapshot();
    const file = (name: string) => files.find((f) => f.key === `accounts/${name}`)!;

    expect(files.find((f) => f.key === 'orgs/orgs.csv')).toMatchObject({ status: 'imported', rows: 1, warnings: [] });
    expect(ws.query(`SELECT external_id, name FROM organizations`)).toEqual([
      { external_id: 'o1', name: 'Société Générale' },
    ]);

    // Too few and too many fields.
    expect(file('01-field-counts.csv')).toMatchObject({ status: 'imported', rows: 4, rejected: 2, error: null });
    expect(rejects.filter((r) => (r as { key: string }).key.endsWith('01-field-counts.csv'))).toEqual([
      {
        key: 'vitally/accounts/01-field-counts.csv',
        line: 3,
        reason: 'the row has 3 fields but the header has 4',
        rawLength: 'f2,Too few,o1'.length,
      },
      {
        key: 'vitally/accounts/01-field-counts.csv',
        line: 4,
        reason: 'the row has 5 fields but the header has 4',
        rawLength: 'f3,Too many,o1,pro,extra'.length,
      },
    ]);

    // A quote never closed at the end: the swallowed lines are one reject, named, never one giant value.
    expect(file('02-unterminated-at-end.csv')).toMatchObject({ status: 'imported', rows: 2, rejected: 1 });
    expect(ws.query(`SELECT line, reason, raw FROM sync_rejects WHERE key LIKE '%02-unterminated-at-end.csv'`)).toEqual(
      [
        {
          line: 3,
          reason:
            'a quoted field that opens on line 3 is never closed: it swallowed the 3 lines 3–5 up to ' +
            'the end of the file, which were read as one value and not imported (check the quotes on ' +
            'line 3)',
          raw: 'e2,"Never closed,o1\ne3,Swallowed,o1\ne4,Swallowed too,o1',
        },
      ],
    );

    // A quote never closed near the start of a long file: the file fails, bounded, nothing of it lands.
    expect(file('03-unterminated-at-start.csv')).toMatchObject({ status: 'failed', rows: 0 });
    expect(file('03-unterminated-at-start.csv').error).toBe(
      'The row that starts on line 2 is still not complete after 50,000 lines: one row may span at most 50,000 lines and 16 MB, ' +
        'so a quoted field in it is probably never closed. Nothing of this file was imported; check the quotes on line 2.',
    );

    // Invalid UTF-8: replacement characters and a warning that points at the encoding option.
    expect(file('04-windows-1252-read-as-utf-8.csv')).toMatchObject({
      status: 'imported',
      rows: 3,
      rejected: 0,
      warnings: [
        '3 invalid UTF-8 sequences, first on line 3, were replaced by "\ufffd". If this file comes ' +
          "from an older tool, set this object type's encoding to windows-1252.",
      ],
    });

    expect(file('05-nul.csv')).toMatchObject({
      status: 'imported',
      rows: 2,
      warnings: ['2 NUL characters, first on line 2, were removed from the values (SQLite tools cut text at a NUL).'],
    });
    expect(file('06-big-field.csv')).toMatchObject({ status: 'imported', rows: 2, rejected: 0, error: null });
    expect(file('07-wide.csv')).toMatchObject({ status: 'imported', rows: 1, rejected: 0, error: null });
    expect(file('08-duplicate-header.csv')).toMatchObject({
      status: 'failed',
      error:
        'The header repeats the column names "account_name", "plan": every column needs a unique name. Rename the duplicates in the export.',
    });
    expect(file('09-header-spaces.csv')).toMatchObject({ status: 'imported', rows: 1, error: null });
    expect(file('10-random-bytes.csv').error).toMatch(
      /^This does not look like a CSV file: its first characters are full of control characters or invalid utf-8, as in binary data\./,
    );
    expect(file('11-image.csv').error).toMatch(/^This does not look like a CSV file: it starts like a PNG image\.$/);
    expect(file('12-workbook.csv').error).toMatch(
      /^This does not look like a CSV file: it starts like a ZIP archive \(an Excel \.xlsx workbook is one\)\.$/,
    );
    expect(file('13-utf-16-without-bom.csv').error).toMatch(
      /every other byte of it is a NUL, as in UTF-16 text without a byte order mark\. If it is UTF-16 text, set this object type's encoding to utf-16le\.$/,
    );
    expect(file('14-utf-16-with-bom.csv')).toMatchObject({ status: 'imported', rows: 1, error: null });
    for (const name of [
      '08-duplicate-header.csv',
      '10-random-bytes.csv',
      '11-image.csv',
      '12-workbook.csv',
      '13-utf-16-without-bom.csv',
    ]) {
      expect(file(name)).toMatchObject({ status: 'failed', rows: 0 });
    }

    // Exactly the good rows landed.
    expect(
      ws.query(`SELECT external_id, name FROM accounts WHERE external_id NOT IN ('b1', 'wide1') ORDER BY external_id`),
    ).toEqual([
      { external_id: 'b2', name: 'Small' },
      { external_id: 'e1', name: 'Before' },
      { external_id: 'f1', name: 'Fine' },
      { external_id: 'f4', name: 'Fine, quoted' },
      { external_id: 'n1', name: 'Acme' },
      { external_id: 'n2', name: 'Beta' },
      { external_id: 's1', name: 'Spaces' },
      { external_id: 'v1', name: 'Zoë 東京' },
      { external_id: 'w1', name: 'Plain' },
      { external_id: 'w2', name: 'Zo\ufffd' },
      { external_id: 'w3', name: 'K\ufffdln \ufffd' },
    ]);
    expect(
      ws.query(`SELECT organization_id, instr(name, char(0)) AS nul FROM accounts WHERE external_id = 'n2'`),
    ).toEqual([{ organization_id: 'o1', nul: 0 }]);
    expect(ws.query(`SELECT name, length(traits ->> '$.note') AS note FROM accounts WHERE external_id = 'b1'`)).toEqual(
      [{ name: 'Big', note: BIG_NOTE.length }],
    );
    expect(
      ws.query(
        `SELECT count(*) AS traits, sum(value) AS total FROM accounts, json_each(accounts.traits) WHERE external_id = 'wide1'`,
      ),
    ).toEqual([{ traits: WIDE_COLUMNS - 3, total: ((WIDE_COLUMNS - 4) * (WIDE_COLUMNS - 3)) / 2 }]);
    expect(
      ws.query(
        `SELECT count(*) AS n FROM accounts WHERE external_id LIKE 'u%' OR external_id LIKE 'x%' OR external_id LIKE 'd%'`,
      ),
    ).toEqual([{ n: 0 }]);
    expect(ws.query(`PRAGMA integrity_check`)).toEqual([{ integrity_check: 'ok' }]);
  });
});
