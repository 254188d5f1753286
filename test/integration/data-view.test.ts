// The Data screen's view of a table (trait columns, sort, per-column filters, search) on a real SQLite
// file through the app's API, and its export: the CSV read back by the sqlite3 shell and the XLSX by
// SheetJS hold exactly the rows, order and columns the screen shows.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import type { RecordView } from '../../electron/shared/contract';
import { createAppApi, type AppApi } from '../../electron/core/service/app-api';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { DATABASE_FILE_NAME, SyncService } from '../../electron/core/service/sync-service';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

/** A key with the characters a JSON path or SQL text would trip on. */
const ODD_KEY = `it's "odd".key`;

const ACCOUNTS: [id: string, name: string, traits: Record<string, unknown>][] = [
  ['acc_1', 'Müller & Söhne GmbH', { mrr: 900, plan: 'growth', renews_on: '2025-01-31', trial: false }],
  ['acc_2', 'MÜLLER LOGISTIK', { mrr: 10000, plan: 'enterprise', renews_on: '2025-02-01', trial: false }],
  ['acc_3', 'Initech', { mrr: 2500.5, plan: 'growth', renews_on: '2025-03-15', trial: true, [ODD_KEY]: 'x' }],
  ['acc_4', 'Globex', { mrr: 45, plan: 'starter', trial: true }],
  ['acc_5', 'Umbrella', { plan: 'enterprise', renews_on: '2024-12-31' }],
  ['acc_6', 'Hooli', { mrr: 'unknown', plan: 'starter' }],
];

let dataDir: string;
let outDir: string;
let service: SyncService;
let api: AppApi;
let fileCount = 0;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-data-view-'));
  outDir = mkdtempSync(join(tmpdir(), 's3sync-data-view-out-'));
  const db = openDatabase(join(dataDir, DATABASE_FILE_NAME));
  const insert = db.prepare(
    `INSERT INTO accounts (external_id, name, traits, first_synced_at, last_synced_at, last_run_id, last_file)
     VALUES (?, ?, ?, '2024-06-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z', 1, 'accounts.csv')`,
  );
  for (const [id, name, traits] of ACCOUNTS) insert.run(id, name, JSON.stringify(traits));
  db.close();
  const secretStore = new InMemorySecretStore();
  // Opening the database indexes rows written outside a sync (db/search-index.ts indexNewRows).
  service = new SyncService({ dataDir, secretStore, env: {} });
  api = createAppApi({
    service,
    secretStore,
    env: {},
    chooseExportDestination: async (_name, format) => ({ path: join(outDir, `${++fileCount}.${format}`) }),
  });
});
afterAll(async () => {
  api.close();
  await service.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

async function shown(view: RecordView) {
  const page = await api.queryRecords({ ...view, page: { offset: 0, limit: 100 } });
  return page.rows;
}
const idsOf = async (view: RecordView) => (await shown(view)).map((r) => r.id);

describe('trait columns', () => {
  it('offers the trait keys its stored traits hold, typed by their values', async () => {
    const columns = await api.getRecordColumns({ table: 'accounts' });
    expect(columns.fields.map((f) => f.column)).toEqual([
      { field: 'id' },
      { field: 'name' },
      { field: 'organization_id' },
      { field: 'last_synced_at' },
    ]);
    expect(columns.traits).toEqual([
      { column: { trait: ODD_KEY }, type: 'text' },
      { column: { trait: 'mrr' }, type: 'number' },
      { column: { trait: 'plan' }, type: 'text' },
      { column: { trait: 'renews_on' }, type: 'date' },
      { column: { trait: 'trial' }, type: 'boolean' },
    ]);
    expect((await api.getRecordColumns({ table: 'nps_responses' })).traits).toEqual([]);
  });

  it('shows the chosen traits next to the name, whatever characters their keys hold', async () => {
    const rows = await shown({ table: 'accounts', columns: ['mrr', 'trial', ODD_KEY] });
    expect(rows.map((r) => [r.id, r.traitValues])).toEqual([
      ['acc_1', { mrr: 900, trial: 'false', [ODD_KEY]: null }],
      ['acc_2', { mrr: 10000, trial: 'false', [ODD_KEY]: null }],
      ['acc_3', { mrr: 2500.5, trial: 'true', [ODD_KEY]: 'x' }],
      ['acc_4', { mrr: 45, trial: 'true', [ODD_KEY]: null }],
      ['acc_5', { mrr: null, trial: null, [ODD_KEY]: null }],
      ['acc_6', { mrr: 'unknown', trial: null, [ODD_KEY]: null }],
    ]);
  });
});

describe('sorting', () => {
  it('sorts a number trait as numbers (not as text), either way, with the empty ones last', async () => {
    const byMrr = (direction: 'asc' | 'desc') =>
      idsOf({ table: 'accounts', sort: { column: { trait: 'mrr' }, direction } });
    // As text, 10000 would come before 2500.5 and 900.
    expect(await byMrr('asc')).toEqual(['acc_4', 'acc_1', 'acc_3', 'acc_2', 'acc_6', 'acc_5']);
    expect(await byMrr('desc')).toEqual(['acc_6', 'acc_2', 'acc_3', 'acc_1', 'acc_4', 'acc_5']);
  });

  it('pages through a sorted view without gaps or repeats', async () => {
    const sort = { column: { trait: 'mrr' }, direction: 'asc' } as const;
    const pages = await Promise.all(
      [0, 2, 4].map((offset) => api.queryRecords({ table: 'accounts', sort, page: { offset, limit: 2 } })),
    );
    expect(pages.map((p) => p.rows.map((r) => r.id))).toEqual([
      ['acc_4', 'acc_1'],
      ['acc_3', 'acc_2'],
      ['acc_6', 'acc_5'],
    ]);
    expect(pages.map((p) => p.total)).toEqual([6, 6, 6]);
  });

  it('sorts by an own column, ties by ID', async () => {
    expect(await idsOf({ table: 'accounts', sort: { column: { field: 'name' }, direction: 'desc' } })).toEqual([
      'acc_5',
      'acc_1',
      'acc_2',
      'acc_3',
      'acc_6',
      'acc_4',
    ]);
    expect(await idsOf({ table: 'accounts', sort: { column: { trait: 'plan' }, direction: 'asc' } })).toEqual([
      'acc_2',
      'acc_5',
      'acc_1',
      'acc_3',
      'acc_4',
      'acc_6',
    ]);
  });
});

describe('filters', () => {
  it('keeps the rows every filter holds for: number range, text, date range, boolean', async () => {
    const mrr = { trait: 'mrr' };
    expect(
      await idsOf({ table: 'accounts', filters: [{ kind: 'number', column: mrr, min: 900, max: 10000 }] }),
    ).toEqual(['acc_1', 'acc_2', 'acc_3']);
    expect(await idsOf({ table: 'accounts', filters: [{ kind: 'number', column: mrr, min: 1000 }] })).toEqual([
      'acc_2',
      'acc_3',
    ]);
    expect(
      await idsOf({
        table: 'accounts',
        filters: [
          { kind: 'text', column: { trait: 'plan' }, contains: 'GROW' },
          { kind: 'date', column: { trait: 'renews_on' }, from: '2025-01-01', to: '2025-01-31' },
        ],
      }),
    ).toEqual(['acc_1']);
    expect(
      await idsOf({ table: 'accounts', filters: [{ kind: 'boolean', column: { trait: 'trial' }, is: true }] }),
    ).toEqual(['acc_3', 'acc_4']);
    expect(
      await idsOf({ table: 'accounts', filters: [{ kind: 'text', column: { field: 'name' }, contains: '&' }] }),
    ).toEqual(['acc_1']);
  });

  it('binds what the user typed: quotes, wildcards and SQL find nothing rather than change the query', async () => {
    for (const contains of [`' OR 1=1 --`, '%', '_', `") OR ("1"="1`])
      expect(
        await idsOf({ table: 'accounts', filters: [{ kind: 'text', column: { trait: 'plan' }, contains }] }),
      ).toEqual([]);
    expect(await idsOf({ table: 'accounts', columns: [`') OR 1=1 --`] })).toHaveLength(ACCOUNTS.length);
  });

  it('says what is wrong with a filter it cannot apply', async () => {
    await expect(
      shown({ table: 'accounts', filters: [{ kind: 'number', column: { trait: 'mrr' }, min: 10, max: 1 }] }),
    ).rejects.toThrow('The range 10 to 1 is empty: put the smaller number first.');
    await expect(shown({ table: 'accounts', sort: { column: { field: 'traits' }, direction: 'asc' } })).rejects.toThrow(
      'accounts has no column "traits": use one of id, name, organization_id, last_synced_at, or a trait.',
    );
    await expect(shown({ table: 'nps_responses', columns: ['mrr'] })).rejects.toThrow(/nps_responses has no traits/);
  });
});

/** The CSV as the sqlite3 shell imports it, read back as JSON. */
function importWithSqliteShell(csvPath: string): Record<string, string>[] {
  const scratch = join(outDir, `import-${++fileCount}.sqlite`);
  execFileSync('sqlite3', [scratch, '.mode csv', `.import ${csvPath} t`]);
  return JSON.parse(execFileSync('sqlite3', ['-json', scratch, 'SELECT * FROM t']).toString() || '[]');
}

async function exported(view: RecordView, format: 'csv' | 'xlsx'): Promise<string> {
  const result = await api.exportData({ source: { kind: 'table', ...view }, format, bom: false });
  if (!result.ok) throw new Error(result.message);
  return result.path!;
}

describe('export of what is shown', () => {
  it('selects the same rows as the screen’s search (the search index: case and accents ignored)', async () => {
    const view: RecordView = { table: 'accounts', search: 'müller' };
    expect(await idsOf(view)).toEqual(['acc_1', 'acc_2']);
    const csv = importWithSqliteShell(await exported(view, 'csv'));
    expect(csv.map((row) => row.external_id)).toEqual(['acc_1', 'acc_2']);
  });

  it('writes the search, filters, sort and chosen columns the screen shows, to CSV and XLSX', async () => {
    const view: RecordView = {
      table: 'accounts',
      search: 'l', // a short term: a plain scan, still the same rows on both sides
      filters: [{ kind: 'text', column: { trait: 'plan' }, contains: 'e' }],
      sort: { column: { trait: 'mrr' }, direction: 'desc' },
      columns: ['mrr', 'plan'],
    };
    const rows = await shown(view);
    // Text above numbers when descending (SQLite's order), the account without an MRR last.
    expect(rows.map((r) => r.id)).toEqual(['acc_6', 'acc_2', 'acc_4', 'acc_5']);
    const expected = rows.map((r) => ({
      external_id: r.id,
      name: r.fields.name,
      organization_id: r.fields.organization_id,
      last_synced_at: r.lastSyncedAt,
      'traits.mrr': r.traitValues!.mrr,
      'traits.plan': r.traitValues!.plan,
    }));
    const csv = importWithSqliteShell(await exported(view, 'csv'));
    // The shell reads every CSV field as text; empty for NULL.
    expect(csv).toEqual(
      expected.map((row) =>
        Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? '' : String(value)])),
      ),
    );
    const book = XLSX.read(readFileSync(await exported(view, 'xlsx')), { cellDates: true });
    const sheet = XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets[book.SheetNames[0]!]!, {
      defval: null,
    });
    expect(sheet).toEqual(expected.map((row) => ({ ...row, last_synced_at: new Date(row.last_synced_at) })));
    // Numbers stay numbers in the workbook.
    expect(typeof sheet[1]!['traits.mrr']).toBe('number');
  });
});
