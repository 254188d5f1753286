// The one configuration shape shared by the CLI, the app's settings and import/export.
// The secret access key is deliberately absent: it lives in the environment or the OS keychain.
import { z } from 'zod';
import { targetSchema } from './target-config';
import { DELIMITERS, ENCODINGS } from './delimiters';
import { alertsSchema, misplacedAlertSecretHint } from './alerts-config';
import { METHODS_WITH_KEYS, signInOf } from './sign-in';
import { signInSchema } from './sign-in-schema';
import { filePatternProblem } from './file-pattern';

export const OBJECT_TYPES = ['organizations', 'accounts', 'users', 'nps', 'tracks'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** The 1000-file cap per object type, as in Vitally's S3 integration. */
export const MAX_FILES_PER_TYPE = 1000;

export { DELIMITERS, ENCODINGS };
export const SCHEDULE_HOURS = [6, 12, 24] as const;

const column = z.string().trim().min(1, { error: 'must name a column (it cannot be empty)' });
const optionalColumn = column.nullable().optional();

// Patterns are checked by parseConfig with the engine that matches them (file-pattern.ts), so one
// message names every problem, the schema's and the patterns'.
const fileRegex = z.string();

export interface ConfigChecks {
  /**
   * False only for a configuration already stored (the settings file): one saved before patterns were
   * matched by RE2 still loads, and its sync fails with the pattern's message. Everything that saves,
   * imports or reads a configuration file checks.
   */
  filePatterns?: boolean;
}

const mode = z.enum(['create_update', 'update_only'], {
  error: 'must be "create_update" or "update_only"',
});

const common = {
  enabled: z.boolean().default(true),
  fileRegex,
  delimiter: z.enum(DELIMITERS, { error: 'must be one of "," ";" "\\t" "|" (or left out to detect it)' }).optional(),
  // Left out means UTF-8 (so existing configurations keep their mapping hash); a BOM in the file wins.
  encoding: z
    .enum(ENCODINGS, { error: 'must be "utf-8", "utf-16le" or "windows-1252" (or left out for UTF-8)' })
    .optional(),
  // Other names a column goes by in some files: { "MRR": ["MRR (USD)"] } reads "MRR (USD)" as "MRR".
  columnAliases: z
    .record(
      z.string().min(1, { error: 'a column name cannot be empty' }),
      z
        .array(z.string().min(1, { error: 'an alias cannot be empty' }))
        .min(1, { error: 'list at least one other name' }),
      { error: 'must map a column name to its other names, e.g. { "MRR": ["MRR (USD)"] }' },
    )
    .optional(),
};

const organizations = z.strictObject({
  ...common,
  mode,
  idColumn: column,
  nameColumn: column,
});

const accounts = z.strictObject({
  ...common,
  mode,
  idColumn: column,
  nameColumn: column,
  organizationIdColumn: optionalColumn,
});

const users = z.strictObject({
  ...common,
  mode,
  idColumn: column,
  accountIdColumn: optionalColumn,
  nameColumn: optionalColumn,
  emailColumn: optionalColumn,
  organizationIdColumn: optionalColumn,
});

const nps = z.strictObject({
  ...common,
  idColumn: column,
  userIdColumn: column,
  scoreColumn: column,
  feedbackColumn: optionalColumn,
  timestampColumn: column,
});

const tracks = z.strictObject({
  ...common,
  target: z.enum(['user', 'account', 'organization'], {
    error: 'must be "user", "account" or "organization" (the kind of object the events relate to)',
  }),
  targetIdColumn: column,
  messageIdColumn: column,
  timestampColumn: column,
  eventColumn: column,
});

const connectionFields = z.strictObject({
  bucket: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,254}$/, {
      error: 'must be a bucket name (letters, digits, dots, hyphens and underscores; at least 2 characters)',
    }),
  prefix: z.string().default(''),
  region: z.string().trim().min(1, { error: 'must name an AWS region, for example "us-east-1"' }),
  /** For the access key and temporary keys methods (its secret is in the keychain or the environment). */
  accessKeyId: z.string().trim().min(1, { error: 'must not be empty' }).optional(),
  endpoint: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// address, for example "http://127.0.0.1:9000"' })
    .optional(),
  forcePathStyle: z.boolean().optional(),
  /** Left out: sign with the access key, as before sign-in methods existed. */
  signIn: signInSchema.optional(),
  /** A PEM file of extra root certificates to trust (a TLS-inspecting corporate proxy's). */
  caFile: z.string().trim().min(1, { error: 'must be the path of a PEM file, or left out' }).optional(),
});

export const connectionSchema = connectionFields.superRefine((connection, ctx) => {
  const { method } = signInOf(connection);
  if (METHODS_WITH_KEYS.includes(method) && connection.accessKeyId === undefined) {
    ctx.addIssue({ code: 'invalid_type', expected: 'string', path: ['accessKeyId'], input: undefined });
  }
});

/** The mapping schema of each object type. */
export const objectMappingSchemas = { organizations, accounts, users, nps, tracks } as const;

/** A query the analyst named and saved on the Query screen. */
export const savedQuerySchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'needs a name' }).max(100),
  sql: z.string().min(1, { error: 'is empty' }).max(100_000),
});

/** Trait columns one Data screen table may show at once. */
export const MAX_DATA_COLUMNS = 30;
/** The Data screen's tables (contract.ts re-exports them; defined here so the settings can name them). */
export const DATA_TABLES = ['organizations', 'accounts', 'users', 'nps_responses', 'events'] as const;

/** The trait columns chosen on the Data screen, per table, in order. */
export const dataColumnsSchema = z.partialRecord(
  z.enum(DATA_TABLES),
  z.array(z.string().min(1).max(200)).max(MAX_DATA_COLUMNS),
);

export const syncConfigSchema = z.strictObject({
  connection: connectionSchema,
  objects: z.strictObject({
    organizations: organizations.optional(),
    accounts: accounts.optional(),
    users: users.optional(),
    nps: nps.optional(),
    tracks: tracks.optional(),
  }),
  schedule: z
    .strictObject({
      everyHours: z.union([z.literal(6), z.literal(12), z.literal(24), z.null()], {
        error: 'must be 6, 12, 24 or null (off)',
      }),
    })
    .default({ everyHours: null }),
  /** Where records go; absent means this computer's SQLite database. */
  target: targetSchema.optional(),
  alerts: alertsSchema.optional(),
  /** Absent in files written before saved queries existed: the same as none. */
  savedQueries: z.array(savedQuerySchema).max(500).optional(),
  /** Absent in files written before the Data screen's column chooser: no trait columns chosen. */
  dataColumns: dataColumnsSchema.optional(),
});

export type SyncConfig = z.infer<typeof syncConfigSchema>;
export type ConnectionConfig = SyncConfig['connection'];
export type ObjectsConfig = SyncConfig['objects'];
export type OrganizationsMapping = z.infer<typeof organizations>;
export type AccountsMapping = z.infer<typeof accounts>;
export type UsersMapping = z.infer<typeof users>;
export type NpsMapping = z.infer<typeof nps>;
export type TracksMapping = z.infer<typeof tracks>;
export type ObjectMapping = NonNullable<ObjectsConfig[ObjectType]>;

/** A configuration that was refused, with one readable line per problem. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source?: string,
  ) {
    super(
      `${source ? `The configuration in ${source}` : 'The configuration'} is not valid:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return (
      `${field}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` +
      (issue.keys.some((k) => /secret/i.test(k))
        ? ' (the secret access key never goes in the configuration: set AWS_SECRET_ACCESS_KEY or store it in the keychain)'
        : issue.keys.some((k) => /token/i.test(k))
          ? ' (a session token never goes in the configuration: set AWS_SESSION_TOKEN or store it in the keychain)'
          : (misplacedAlertSecretHint(issue.keys) ?? ''))
    );
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${field}: is required`;
  if (issue.code === 'invalid_type')
    return `${field}: must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
  return `${field}: ${issue.message}`;
}

/** Validates an already-parsed value; throws ConfigError naming each wrong field. */
export function parseConfig(value: unknown, source?: string, checks: ConfigChecks = {}): SyncConfig {
  // reportInput lets describeIssue tell a missing field from a wrongly typed one.
  const result = syncConfigSchema.safeParse(value, { reportInput: true });
  const problems = result.success ? [] : result.error.issues.map(describeIssue);
  // Checked on the raw value too, so one message names every problem, the schema's and the patterns'.
  const objects = (value as { objects?: Record<string, { fileRegex?: unknown } | null> } | null)?.objects;
  for (const type of OBJECT_TYPES) {
    const pattern = typeof objects === 'object' && objects ? objects[type]?.fileRegex : undefined;
    const problem = typeof pattern === 'string' && checks.filePatterns !== false ? filePatternProblem(pattern) : null;
    if (problem) problems.push(`objects.${type}.fileRegex: ${problem}`);
  }
  if (!result.success || problems.length) throw new ConfigError(problems, source);
  return result.data;
}

/** The enabled object types, in the order a sync processes them (organizations first: they are referenced). */
export function enabledObjectTypes(config: SyncConfig): ObjectType[] {
  return OBJECT_TYPES.filter((type) => config.objects[type]?.enabled);
}
