// Issue 11's reproductions, synced for real (s3rver, the engine, a SQLite file): a malformed quoted
// field costs its own row, rejected with its line and a reason naming the problem, and never a value
// changed silently or the rows after it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, makeConfig, type Workspace } from '../support/fixtures';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(async () => {
  await ws.close();
});

const accountsByIdAndV = () =>
  makeConfig(ws.server, {
    accounts: { fileRegex: '^accounts/', mode: 'create_update', idColumn: 'id', nameColumn: 'v' },
  });

async function syncOne(body: string) {
  await ws.put('accounts/file.csv', body);
  const report = await ws.sync(accountsByIdAndV());
  return {
    file: ws.query<{ rows: number; created: number; rejected: number }>(
      `SELECT rows, created, updated, skipped, rejected FROM sync_files WHERE key LIKE '%accounts/file.csv'`,
    )[0],
    rejects: ws.query(`SELECT line, reason, raw FROM sync_rejects ORDER BY line`),
    accounts: ws.query(`SELECT external_id, name FROM accounts ORDER BY external_id`),
    status: report.status,
  };
}

describe('a malformed quoted field costs its own row, never the rows after it', () => {
  it('rejects a space after a closing quote instead of dropping the space silently', async () => {
    const result = await syncOne('id,v,w\n1,"B" ,C\n2,ok,x\n');
    expect(result.accounts).toEqual([{ external_id: '2', name: 'ok' }]);
    expect(result.rejects).toEqual([
      {
        line: 2,
        reason:
          'a space after the closing quote in column 2: a quoted field must end at its closing quote; ' +
          'move it inside the quotes, or remove it',
        raw: '1,"B" ,C',
      },
    ]);
  });

  it('reads the rows after text that follows a closing quote, each on its own line', async () => {
    const result = await syncOne('id,v,w\n1,"b"c,d\n2,e,f\n3,g,h\n');
    expect(result.accounts).toEqual([
      { external_id: '2', name: 'e' },
      { external_id: '3', name: 'g' },
    ]);
    expect(result.rejects).toEqual([
      {
        line: 2,
        reason:
          'text after the closing quote in column 2 ("c"): a quoted field must end at its closing quote; ' +
          'quote the whole value and double each quote inside it, as in "say ""hi"" now"',
        raw: '1,"b"c,d',
      },
    ]);
    expect(result.file).toEqual({ rows: 3, created: 2, updated: 0, skipped: 0, rejected: 1 });
  });

  it('keeps counting rows right when a well-formed quoted row follows the malformed one', async () => {
    const result = await syncOne('id,v,w\n1,"b"c,d\n2,e,f\n3,"g",h\n4,i,j\n');
    expect(result.accounts).toEqual([
      { external_id: '2', name: 'e' },
      { external_id: '3', name: 'g' },
      { external_id: '4', name: 'i' },
    ]);
    expect(result.rejects).toMatchObject([{ line: 2, raw: '1,"b"c,d' }]);
    expect(result.file).toEqual({ rows: 4, created: 3, updated: 0, skipped: 0, rejected: 1 });
  });
});
