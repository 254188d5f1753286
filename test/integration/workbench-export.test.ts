// Exports through the app's API on a real SQLite file, read back by independent readers: the sqlite3
// shell's .import for CSV, SheetJS (not exceljs, which wrote it) for XLSX. Typed cells, the BOM,
// traits expanded into columns, a table with its search, a run's rejected rows, cancelling.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { createAppApi, type AppApi } from '../../electron/core/service/app-api';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { DATABASE_FILE_NAME, SyncService } from '../../electron/core/service/sync-service';
import { fillWorkbenchDatabase } from '../../scripts/workbench-data';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

let dataDir: string;
let outDir: string;
let service: SyncService;
let api: AppApi;
let fileCount = 0;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-export-'));
  outDir = mkdtempSync(join(tmpdir(), 's3sync-export-out-'));
  fillWorkbenchDatabase(join(dataDir, DATABASE_FILE_NAME), { events: 5000 });
  const secretStore = new InMemorySecretStore();
  service = new SyncService({ dataDir, secretStore, env: {} });
  api = createAppApi({
    service,
    secretStore,
    env: {},
    chooseExportDestination: async (_name, format) => ({ path: join(outDir, `${++fileCount}.${format}`) }),
  });
}, 60_000);
afterAll(async () => {
  api.close();
  await service.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

function rowsOf<T>(sql: string): T[] {
  const db = openDatabase(service.dbPath);
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** The CSV as the sqlite3 shell imports it, read back as JSON. */
function importWithSqliteShell(csvPath: string): Record<string, string>[] {
  const scratch = join(outDir, `import-${++fileCount}.sqlite`);
  execFileSync('sqlite3', [scratch, '.mode csv', `.import ${csvPath} t`]);
  return JSON.parse(execFileSync('sqlite3', ['-json', scratch, 'SELECT * FROM t']).toString() || '[]');
}

describe('CSV', () => {
  it('writes a query result that the sqlite3 shell imports back as the same rows, BOM first', async () => {
    const sql = `SELECT message_id, event, occurred_at, properties FROM events ORDER BY message_id`;
    const result = await api.exportData({ source: { kind: 'query', sql }, format: 'csv' });
    expect(result).toMatchObject({
      ok: true,
      rows: 5000,
      fileName: expect.stringMatching(/^query-result-\d{8}-\d{4}\.csv$/),
    });
    const path = (result as { path: string }).path;
    expect(readFileSync(path).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    // The shell takes the BOM as part of the first header: export plain for it, and compare that file.
    const plain = await api.exportData({ source: { kind: 'query', sql }, format: 'csv', bom: false });
    const imported = importWithSqliteShell((plain as { path: string }).path);
    expect(imported).toEqual(rowsOf(sql));
  });

  it('exports a Data screen table with its search, and a run\u2019s rejected rows (quotes and commas intact)', async () => {
    const table = await api.exportData({
      source: { kind: 'table', table: 'accounts', search: 'Account 12' },
      format: 'csv',
      bom: false,
    });
    const accounts = importWithSqliteShell((table as { path: string }).path);
    expect(accounts.map((a) => a.external_id)).toEqual(
      rowsOf<{ id: string }>(
        `SELECT external_id AS id FROM accounts WHERE name LIKE '%Account 12%' ORDER BY external_id`,
      ).map((a) => a.id),
    );
    // The columns the Data screen shows (no trait chosen here): not the traits JSON.
    expect(Object.keys(accounts[0]!)).toEqual(['external_id', 'name', 'organization_id', 'last_synced_at']);
    const rejects = await api.exportData({ source: { kind: 'rejects', runId: 1 }, format: 'csv', bom: false });
    expect(importWithSqliteShell((rejects as { path: string }).path)).toEqual([
      {
        file: 'exports/accounts/a.csv',
        line: '7',
        reason: 'mrr: "lots" is not a number',
        raw: 'acc_x,Broken,org_1,growth,lots',
      },
      { file: 'exports/users/u.csv', line: '12', reason: 'user_id is empty', raw: ',acc_1,No One,none@example.com' },
    ]);
  });
});

describe('XLSX', () => {
  it('writes typed cells: numbers as numbers, timestamps as dates, traits expanded into columns', async () => {
    const sql = `SELECT external_id, name, traits, first_synced_at FROM accounts ORDER BY external_id`;
    const result = await api.exportData({ source: { kind: 'query', sql }, format: 'xlsx', expandTraits: true });
    expect(result).toMatchObject({ ok: true, rows: 500 });
    const book = XLSX.read(readFileSync((result as { path: string }).path), { cellDates: true });
    const sheet = book.Sheets[book.SheetNames[0]!]!;
    const header = XLSX.utils.sheet_to_json<string[]>(sheet, { header: 1 })[0];
    expect(header).toEqual([
      'external_id',
      'name',
      'traits.health',
      'traits.mrr',
      'traits.plan',
      'traits.trial',
      'first_synced_at',
    ]);
    // Cell types as Excel sees them: n(umber), s(tring), b(oolean), d(ate).
    expect(['A2', 'C2', 'D2', 'E2', 'F2', 'G2'].map((ref) => sheet[ref]?.t)).toEqual(['s', 'n', 'n', 's', 'b', 'd']);
    const read = XLSX.utils.sheet_to_json<Record<string, unknown>>(sheet);
    const expected = rowsOf<{ external_id: string; name: string; traits: string; first_synced_at: string }>(sql).map(
      (row) => {
        const traits = JSON.parse(row.traits);
        return {
          external_id: row.external_id,
          name: row.name,
          'traits.health': traits.health,
          'traits.mrr': traits.mrr,
          'traits.plan': traits.plan,
          'traits.trial': traits.trial,
          first_synced_at: new Date(row.first_synced_at),
        };
      },
    );
    expect(read).toEqual(expected);
  });

  it('keeps the JSON as text when not asked to expand it', async () => {
    const result = await api.exportData({
      source: { kind: 'query', sql: 'SELECT * FROM organizations ORDER BY external_id' },
      format: 'xlsx',
    });
    const book = XLSX.read(readFileSync((result as { path: string }).path));
    const read = XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets[book.SheetNames[0]!]!);
    expect(read).toHaveLength(50);
    expect(read[0]!.traits).toBe('{"industry":"Industry 1"}');
  });
});

describe('refusals', () => {
  it('refuses an export of a writing statement, leaving no file', async () => {
    const before = fileCount;
    const result = await api.exportData({ source: { kind: 'query', sql: 'DELETE FROM events' }, format: 'csv' });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/^DELETE changes the database/) });
    expect(() => readFileSync(join(outDir, `${before + 1}.csv`))).toThrow(/ENOENT/);
  });
});
