// Argument schemas for every API request: each transport (Electron IPC, the web preview's HTTP)
// validates with these before the call reaches the back end, so handlers see only well-formed input.
import { z } from 'zod';
import { connectionSchema, DELIMITERS, ENCODINGS, MAX_DATA_COLUMNS, OBJECT_TYPES, savedQuerySchema } from './config';
import { DATA_TABLES, type ApiMethod } from './contract';

const objectType = z.enum(OBJECT_TYPES);
const connectionInput = z.strictObject({
  connection: connectionSchema,
  secretAccessKey: z.string().min(1).max(1024).optional(),
  // AWS session tokens run to about 1,000 characters; Ceph's to a few hundred.
  sessionToken: z.string().min(1).max(8192).optional(),
});
const count = (max: number) => z.number().int().min(1).max(max);
const noArgs = z.undefined();
/** Chosen by the renderer; only matched against the previews in flight. */
const previewId = z.string().min(1).max(100);
const queryId = z.string().min(1).max(100);
const sql = z.string().max(100_000);

/** Only the shape here: the values are validated by the config schema, with field-level messages. */
const targetInput = z.strictObject({
  target: z.strictObject({
    kind: z.enum(['sqlite', 'postgres']),
    url: z.string().max(2048).optional(),
    schema: z.string().max(200).optional(),
    sslmode: z.string().max(20).optional(),
    sslRootCert: z.string().max(4096).optional(),
  }),
  password: z.string().min(1).max(1024).optional(),
});
const dataTable = z.enum(DATA_TABLES);
/** A trait key as stored in the JSON (any text); capped so a request stays small. */
const traitKey = z.string().min(1).max(200);
const recordColumn = z.union([
  z.strictObject({ field: z.string().min(1).max(100) }),
  z.strictObject({ trait: traitKey }),
]);
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date as YYYY-MM-DD' });
const recordFilter = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), column: recordColumn, contains: z.string().min(1).max(200) }),
  z.strictObject({
    kind: z.literal('number'),
    column: recordColumn,
    min: z.number().optional(),
    max: z.number().optional(),
  }),
  z.strictObject({ kind: z.literal('date'), column: recordColumn, from: isoDay.optional(), to: isoDay.optional() }),
  z.strictObject({ kind: z.literal('boolean'), column: recordColumn, is: z.boolean() }),
]);
/** The Data screen's view of a table (contract.ts RecordView), shared by queryRecords and table exports. */
const recordView = {
  table: dataTable,
  search: z.string().max(200).optional(),
  staleOnly: z.boolean().optional(),
  sort: z.strictObject({ column: recordColumn, direction: z.enum(['asc', 'desc']) }).optional(),
  filters: z.array(recordFilter).max(50).optional(),
  columns: z.array(traitKey).max(MAX_DATA_COLUMNS).optional(),
};

/** The alert settings themselves are validated by the config schema, with field-level messages. */
const alertsInput = z.strictObject({
  alerts: z.record(z.string(), z.unknown()).nullable(),
  smtpPassword: z.string().min(1).max(1024).optional(),
  webhookUrl: z.string().min(1).max(2048).optional(),
});

/** The mapping itself is validated by the config schema when it is saved, with field-level messages. */
export const API_ARG_SCHEMAS = {
  getOverview: noArgs,
  saveConnection: connectionInput,
  testConnection: connectionInput,
  testTarget: targetInput,
  saveTarget: targetInput,
  previewFiles: z.strictObject({ type: objectType, fileRegex: z.string().max(2000), previewId: previewId.optional() }),
  cancelPreview: z.strictObject({ previewId }),
  sampleFile: z.strictObject({
    type: objectType,
    key: z.string().min(1).max(1024),
    delimiter: z.enum(DELIMITERS).optional(),
    encoding: z.enum(ENCODINGS).optional(),
  }),
  saveMapping: z.strictObject({ type: objectType, mapping: z.record(z.string(), z.unknown()).nullable() }),
  setSchedule: z.strictObject({ everyHours: z.union([z.literal(6), z.literal(12), z.literal(24), z.null()]) }),
  syncNow: noArgs,
  pauseSchedule: noArgs,
  resumeSchedule: noArgs,
  listRuns: z.strictObject({ limit: count(500), beforeId: z.number().int().positive().optional() }),
  getRun: z.strictObject({
    runId: z.number().int().positive(),
    rejectsOffset: z.number().int().min(0).optional(),
    rejectsLimit: count(1000).optional(),
  }),
  runChart: z.strictObject({ limit: count(1000) }),
  queryRecords: z.strictObject({
    ...recordView,
    page: z.strictObject({ offset: z.number().int().min(0), limit: count(500) }),
  }),
  getRecordColumns: z.strictObject({ table: dataTable }),
  saveDataColumns: z.strictObject({ table: dataTable, columns: z.array(traitKey).max(MAX_DATA_COLUMNS) }),
  getRecord: z.strictObject({ table: z.enum(DATA_TABLES), id: z.string().min(1).max(1024) }),
  getRecordLinks: z.strictObject({ table: z.enum(DATA_TABLES), id: z.string().min(1).max(1024) }),
  exportConfig: noArgs,
  importConfig: z.strictObject({ json: z.string().max(1_000_000) }),
  openDatabaseFolder: noArgs,
  saveAlerts: alertsInput,
  sendTestAlert: alertsInput,
  getQueryTools: noArgs,
  runQuery: z.strictObject({
    sql,
    queryId,
    limit: count(1000),
    timeLimitMs: z.number().int().min(100).max(600_000).optional(),
  }),
  queryPage: z.strictObject({
    sql,
    queryId,
    offset: z.number().int().min(0),
    limit: count(1000),
    total: z.number().int().min(0),
  }),
  cancelQuery: z.strictObject({ queryId }),
  saveQuery: savedQuerySchema,
  deleteQuery: z.strictObject({ name: savedQuerySchema.shape.name }),
  exportData: z.strictObject({
    source: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('query'), sql }),
      z.strictObject({ kind: z.literal('table'), ...recordView }),
      z.strictObject({ kind: z.literal('rejects'), runId: z.number().int().positive() }),
    ]),
    format: z.enum(['csv', 'xlsx']),
    bom: z.boolean().optional(),
    expandTraits: z.boolean().optional(),
    queryId: queryId.optional(),
  }),
} satisfies Record<ApiMethod, z.ZodType>;

/** Validates a request's argument; throws ApiArgumentError naming what is wrong. */
export function validateApiArgs(method: ApiMethod, args: unknown): unknown {
  const result = API_ARG_SCHEMAS[method].safeParse(args);
  if (!result.success) {
    throw new ApiArgumentError(
      `Invalid argument for ${method}: ${result.error.issues.map((i) => `${i.path.join('.') || '(argument)'}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

export class ApiArgumentError extends Error {
  override readonly name = 'ApiArgumentError';
}
