// The IPC wrapper over the whole contract, not one example: every API method refuses every kind of
// malformed argument, and every method refuses a request from anything but the app's own window —
// another webContents, a frame inside the page, another origin or scheme, a look-alike host, a
// vanished frame, no window at all. In each case the API is never called.
import { describe, expect, it } from 'vitest';
import { API_METHODS, type ApiArgs, type ApiMethod } from '../../electron/shared/contract';
import { isAppUrl } from '../../electron/main/app-protocol';
import { registerApiHandlers, type InvokeEventLike, type SenderPolicy } from '../../electron/main/ipc';
import { FakeIpc, recordingApi } from './fakes';

const WINDOW_ID = 7;
const APP_PAGE: InvokeEventLike = {
  sender: { id: WINDOW_ID },
  senderFrame: { url: 'app://s3-csv-sync/index.html', parent: null },
};
const CONNECTION = {
  bucket: 'acme-exports',
  prefix: 'vitally/',
  region: 'us-east-1',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
};

/**
 * A valid argument for every method, every optional field given. Typed by the contract: a new method must be added
 * here.
 */
const VALID: { [M in ApiMethod]: ApiArgs<M> } = {
  getOverview: undefined,
  saveConnection: { connection: CONNECTION, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  testConnection: { connection: CONNECTION, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  testTarget: {
    target: { kind: 'postgres', url: 'postgres://sync@db.internal:5432/cs', schema: 's3sync' },
    password: 'pw',
  },
  saveTarget: { target: { kind: 'sqlite' }, password: 'pw' },
  previewFiles: { type: 'accounts', fileRegex: '^accounts/', previewId: 'accounts-1' },
  cancelPreview: { previewId: 'accounts-1' },
  sampleFile: { type: 'accounts', key: 'vitally/accounts/a.csv', delimiter: ';' },
  saveMapping: { type: 'organizations', mapping: null },
  setSchedule: { everyHours: 12 },
  syncNow: undefined,
  pauseSchedule: undefined,
  resumeSchedule: undefined,
  listRuns: { limit: 20, beforeId: 5 },
  getRun: { runId: 3, rejectsOffset: 0, rejectsLimit: 100 },
  runChart: { limit: 50 },
  queryRecords: {
    table: 'accounts',
    search: 'ada',
    staleOnly: false,
    sort: { column: { trait: 'mrr' }, direction: 'desc' },
    filters: [{ kind: 'number', column: { trait: 'mrr' }, min: 1000 }],
    columns: ['mrr', 'plan'],
    page: { offset: 0, limit: 50 },
  },
  getRecordColumns: { table: 'accounts' },
  saveDataColumns: { table: 'accounts', columns: ['mrr', 'plan'] },
  getRecord: { table: 'users', id: 'u1' },
  getRecordLinks: { table: 'accounts', id: 'a1' },
  exportConfig: undefined,
  importConfig: { json: '{}' },
  openDatabaseFolder: undefined,
  saveAlerts: {
    alerts: { desktop: true, webhook: { enabled: true } },
    smtpPassword: 'pw',
    webhookUrl: 'https://hooks.example/x',
  },
  sendTestAlert: { alerts: null, smtpPassword: 'pw', webhookUrl: 'https://hooks.example/x' },
  getQueryTools: undefined,
  runQuery: { sql: 'SELECT 1', queryId: 'q-1', limit: 200, timeLimitMs: 30_000 },
  queryPage: { sql: 'SELECT 1', queryId: 'q-1', offset: 200, limit: 200, total: 1000 },
  cancelQuery: { queryId: 'q-1' },
  saveQuery: { name: 'Big accounts', sql: 'SELECT * FROM accounts' },
  deleteQuery: { name: 'Big accounts' },
  exportData: {
    source: { kind: 'table', table: 'accounts', search: 'acme' },
    format: 'xlsx',
    bom: true,
    expandTraits: true,
    queryId: 'export-1',
  },
};

/** The fields a caller may leave out; every other field is required. */
const OPTIONAL = new Set([
  'previewFiles.previewId',
  'saveConnection.secretAccessKey',
  'testConnection.secretAccessKey',
  'testTarget.password',
  'saveTarget.password',
  'sampleFile.delimiter',
  'listRuns.beforeId',
  'getRun.rejectsOffset',
  'getRun.rejectsLimit',
  'queryRecords.search',
  'queryRecords.staleOnly',
  'queryRecords.sort',
  'queryRecords.filters',
  'queryRecords.columns',
  'saveAlerts.smtpPassword',
  'saveAlerts.webhookUrl',
  'sendTestAlert.smtpPassword',
  'sendTestAlert.webhookUrl',
  'runQuery.timeLimitMs',
  'exportData.bom',
  'exportData.expandTraits',
  'exportData.queryId',
]);

/** Values of the wrong kind for a field, whatever its type. */
const WRONG_KIND: { label: string; value: unknown }[] = [
  { label: 'an array', value: [] },
  { label: 'a boolean', value: true },
  { label: 'null', value: null },
  { label: 'an object', value: { $where: '1' } },
];

/** Values of the right kind but out of range, per field kind. */
function outOfRange(value: unknown): { label: string; value: unknown }[] {
  if (typeof value === 'number') {
    return [
      { label: 'negative', value: -1 },
      { label: 'fractional', value: 1.5 },
      // Beyond the integers a double holds exactly (IDs and offsets have no other upper bound).
      { label: 'beyond 2^53', value: 2 ** 53 + 2 },
    ];
  }
  if (typeof value === 'string')
    return [
      { label: 'far too long', value: 'x'.repeat(1_000_001) },
      { label: 'a number', value: 42 },
    ];
  return [];
}

/** Every malformed call of a method: [label, ...arguments as sent over IPC]. */
function malformedCalls(method: ApiMethod): { label: string; args: unknown[] }[] {
  const valid = VALID[method] as unknown;
  const calls: { label: string; args: unknown[] }[] = [{ label: 'two arguments', args: [valid ?? {}, {}] }];
  if (valid === undefined) {
    for (const value of [{}, null, 0, 'x', [], { force: true }])
      calls.push({ label: `an argument (${JSON.stringify(value)}) to a method that takes none`, args: [value] });
    return calls;
  }
  const fields = valid as Record<string, unknown>;
  calls.push({ label: 'no argument', args: [] });
  for (const value of [null, 'x', 42, [], true])
    calls.push({ label: `${JSON.stringify(value)} instead of an object`, args: [value] });
  // Methods that take SQL (read-only, checked in the query worker) get the extra field under another name.
  const extraField = 'sql' in fields ? 'statement' : 'sql';
  calls.push({ label: 'an unknown extra field', args: [{ ...fields, [extraField]: 'DROP TABLE accounts' }] });
  calls.push({
    label: 'a __proto__ field',
    args: [JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(fields).slice(1)}`)],
  });
  for (const [key, fieldValue] of Object.entries(fields)) {
    if (!OPTIONAL.has(`${method}.${key}`)) {
      const { [key]: _omitted, ...rest } = fields;
      calls.push({ label: `${key} missing`, args: [rest] });
    }
    for (const { label, value } of [...WRONG_KIND, ...outOfRange(fieldValue)]) {
      // saveMapping's mapping may be any object (the config schema checks it on save) or null.
      if (method === 'saveMapping' && key === 'mapping' && (label === 'an object' || label === 'null')) continue;
      // null turns the schedule off (and the alerts beyond this computer); the config schema checks the alerts on save.
      if (method === 'setSchedule' && label === 'null') continue;
      if (key === 'alerts' && (label === 'an object' || label === 'null')) continue;
      // A boolean field (exportData's bom, expandTraits) takes a boolean.
      if (typeof fieldValue === 'boolean' && label === 'a boolean') continue;
      // A list (queryRecords' filters and columns) may be empty.
      if (Array.isArray(fieldValue) && label === 'an array') continue;
      calls.push({ label: `${key} ${label}`, args: [{ ...fields, [key]: value }] });
    }
  }
  // Values outside the contract's own enumerations.
  const enumerations: Record<string, unknown> = {
    type: 'contacts',
    table: 'sqlite_master',
    everyHours: 5,
    delimiter: ':',
  };
  for (const [key, value] of Object.entries(enumerations))
    if (key in fields)
      calls.push({ label: `${key} not one of the allowed values`, args: [{ ...fields, [key]: value }] });
  return calls;
}

function setUp(policy: SenderPolicy = { windowContentsId: () => WINDOW_ID, isAppUrl: (url) => isAppUrl(url) }) {
  const { api, calls } = recordingApi();
  const ipc = new FakeIpc();
  const logs: string[] = [];
  registerApiHandlers(ipc.main, api, policy, { log: (message) => logs.push(message) });
  ipc.sender = APP_PAGE;
  return { ipc, calls, logs };
}

describe('every API method refuses malformed arguments', () => {
  it.each(API_METHODS.map((method) => [method]))('%s', async (method) => {
    const { ipc, calls } = setUp();
    const malformed = malformedCalls(method);
    expect(malformed.length).toBeGreaterThan(5);
    for (const { label, args } of malformed) {
      const reply = (await ipc.renderer.invoke(`api:${method}`, ...args)) as { ok: boolean; message?: string };
      expect(reply, `${method} with ${label}`).toEqual({
        ok: false,
        message: expect.stringMatching(new RegExp(`^Invalid argument for ${method}: `)),
      });
      // A plain sentence: no stack, and never the value that was refused.
      expect(reply.message).not.toMatch(/\n\s+at |DROP TABLE|x{100}/);
    }
    expect(calls).toEqual([]);

    // The valid argument reaches the API, as sent.
    const reply = await ipc.renderer.invoke(`api:${method}`, ...(VALID[method] === undefined ? [] : [VALID[method]]));
    expect(reply).toEqual({ ok: true, value: { answeredBy: method, args: VALID[method] } });
    expect(calls).toEqual([{ method, args: VALID[method] }]);
  });
});

describe('every API method refuses anything but the app’s own window', () => {
  const foreign: { label: string; event: InvokeEventLike }[] = [
    {
      label: 'another webContents (a second window, dev tools)',
      event: { ...APP_PAGE, sender: { id: WINDOW_ID + 1 } },
    },
    {
      label: 'a frame inside the app’s page',
      event: {
        sender: { id: WINDOW_ID },
        senderFrame: { url: 'app://s3-csv-sync/index.html', parent: { url: 'app://s3-csv-sync/index.html' } },
      },
    },
    {
      label: 'a frame from another origin inside the page',
      event: { sender: { id: WINDOW_ID }, senderFrame: { url: 'https://evil.example/', parent: {} } },
    },
    ...[
      'https://evil.example/',
      'http://s3-csv-sync/index.html',
      'https://s3-csv-sync/index.html',
      'app://s3-csv-sync.evil.example/index.html',
      'app://evil.example/index.html',
      'app://user:password@s3-csv-sync/index.html',
      'file:///opt/S3%20CSV%20Sync/resources/app.asar/dist/renderer/index.html',
      'about:blank',
      'data:text/html,<script>s3sync.exportConfig()</script>',
      'blob:app://s3-csv-sync/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d',
      'devtools://devtools/bundled/devtools_app.html',
      'chrome-extension://abcdefghijklmnop/page.html',
      // The development server's address, in an app that is not in development.
      'http://localhost:5173/',
      '',
    ].map((url) => ({
      label: `a page at "${url}"`,
      event: { sender: { id: WINDOW_ID }, senderFrame: { url, parent: null } },
    })),
    { label: 'a frame that no longer exists', event: { sender: { id: WINDOW_ID }, senderFrame: null } },
  ];

  it.each(API_METHODS.map((method) => [method]))('%s', async (method) => {
    const { ipc, calls, logs } = setUp();
    const args = VALID[method] === undefined ? [] : [VALID[method]];
    for (const { label, event } of foreign) {
      ipc.sender = event;
      const reply = await ipc.renderer.invoke(`api:${method}`, ...args);
      expect(reply, label).toEqual({ ok: false, message: expect.stringMatching(/^Request refused: /) });
    }
    expect(calls).toEqual([]);
    expect(logs).toHaveLength(foreign.length);

    // The app's own page, at any of its routes, is answered.
    for (const url of ['app://s3-csv-sync/index.html', 'app://s3-csv-sync/', 'app://s3-csv-sync/index.html#/log/3']) {
      ipc.sender = { sender: { id: WINDOW_ID }, senderFrame: { url, parent: null } };
      expect(await ipc.renderer.invoke(`api:${method}`, ...args), url).toMatchObject({ ok: true });
    }
  });

  it('refuses every method while there is no window, even from the app’s own page', async () => {
    const { ipc, calls } = setUp({ windowContentsId: () => null, isAppUrl: (url) => isAppUrl(url) });
    for (const method of API_METHODS) {
      expect(
        await ipc.renderer.invoke(`api:${method}`, ...(VALID[method] === undefined ? [] : [VALID[method]])),
      ).toEqual({
        ok: false,
        message: 'Request refused: it did not come from the S3 CSV Sync window.',
      });
    }
    expect(calls).toEqual([]);
  });

  it('accepts the development server only when it is the configured one', async () => {
    const { ipc } = setUp({
      windowContentsId: () => WINDOW_ID,
      isAppUrl: (url) => isAppUrl(url, 'http://localhost:5173'),
    });
    ipc.sender = { sender: { id: WINDOW_ID }, senderFrame: { url: 'http://localhost:5173/', parent: null } };
    expect(await ipc.renderer.invoke('api:getOverview')).toMatchObject({ ok: true });
    ipc.sender = { sender: { id: WINDOW_ID }, senderFrame: { url: 'http://localhost:5174/', parent: null } };
    expect(await ipc.renderer.invoke('api:getOverview')).toMatchObject({ ok: false });
  });
});
