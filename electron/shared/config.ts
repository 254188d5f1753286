// The one configuration shape shared by the CLI, the app's settings and import/export.
// The secret access key is deliberately absent: it lives in the environment or the OS keychain.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DELIMITERS, ENCODINGS } from './delimiters';

export const OBJECT_TYPES = ['organizations', 'accounts', 'users', 'nps', 'tracks'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** The 1000-file cap per object type, as in Vitally's S3 integration. */
export const MAX_FILES_PER_TYPE = 1000;

export { DELIMITERS, ENCODINGS };
export const SCHEDULE_HOURS = [6, 12, 24] as const;

const column = z.string().trim().min(1, { error: 'must name a column (it cannot be empty)' });
const optionalColumn = column.nullable().optional();

const fileRegex = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`,
    });
  }
});

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

export const connectionSchema = z.strictObject({
  bucket: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,254}$/, {
      error: 'must be a bucket name (letters, digits, dots, hyphens and underscores; at least 2 characters)',
    }),
  prefix: z.string().default(''),
  region: z.string().trim().min(1, { error: 'must name an AWS region, for example "us-east-1"' }),
  accessKeyId: z.string().trim().min(1, { error: 'must not be empty' }),
  endpoint: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// address, for example "http://127.0.0.1:9000"' })
    .optional(),
  forcePathStyle: z.boolean().optional(),
});

/** The mapping schema of each object type. */
export const objectMappingSchemas = { organizations, accounts, users, nps, tracks } as const;

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
        : '')
    );
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${field}: is required`;
  if (issue.code === 'invalid_type')
    return `${field}: must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
  return `${field}: ${issue.message}`;
}

/** Validates an already-parsed value; throws ConfigError naming each wrong field. */
export function parseConfig(value: unknown, source?: string): SyncConfig {
  // reportInput lets describeIssue tell a missing field from a wrongly typed one.
  const result = syncConfigSchema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ConfigError(result.error.issues.map(describeIssue), source);
  return result.data;
}

export async function loadConfigFile(path: string): Promise<SyncConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      code === 'ENOENT' ? `the file ${path} does not exist` : `the file ${path} cannot be read (${code})`,
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`it is not valid JSON${whereJsonFailed(error, text)}`], path);
  }
  return parseConfig(value, path);
}

/** The enabled object types, in the order a sync processes them (organizations first: they are referenced). */
export function enabledObjectTypes(config: SyncConfig): ObjectType[] {
  return OBJECT_TYPES.filter((type) => config.objects[type]?.enabled);
}

/**
 * Where JSON.parse gave up, as a line and column. Not its message: that quotes the text around the
 * mistake, which may be a secret access key pasted into the import box by mistake.
 */
export function whereJsonFailed(error: unknown, text: string): string {
  const position = positionIn((error as Error)?.message) ?? firstBadCharacter(text);
  if (position === undefined) return '';
  const before = text.slice(0, position).split('\n');
  return ` (line ${before.length}, column ${before.at(-1)!.length + 1})`;
}

function positionIn(message: string | undefined): number | undefined {
  const match = /at position (\d+)/.exec(message ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * V8 gives no position for its commonest complaint ("Unexpected token 'x', ... is not valid JSON").
 * Every prefix of the text before the mistake fails only for ending early, so the shortest prefix
 * that fails for another reason ends with the bad character: found by bisection.
 */
function firstBadCharacter(text: string): number | undefined {
  const failsBeforeItsEnd = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      return !message.includes('end of JSON input') && positionIn(message) !== length;
    }
  };
  if (!failsBeforeItsEnd(text.length)) return undefined;
  let low = 0; // fails only for ending early (or parses)
  let high = text.length; // fails before its end
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (failsBeforeItsEnd(middle)) high = middle;
    else low = middle;
  }
  return high - 1;
}
