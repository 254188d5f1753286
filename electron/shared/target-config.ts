// Where a sync writes: this computer's SQLite file (the default) or a shared PostgreSQL database.
// The PostgreSQL password is never in the config: it comes from the keychain, PGPASSWORD,
// PGPASSWORD_FILE or a .pgpass file (docs/postgres.md).
import { z } from 'zod';

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** A PostgreSQL schema name we can quote safely: letters, digits and underscores. */
const schemaName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, {
  error: 'must be a lower-case PostgreSQL schema name (letters, digits and underscores, for example "s3sync")',
});

export const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), {
    error: 'must be a postgres:// address, for example "postgres://sync@db.internal:5432/cs"',
  })
  .refine((value) => !/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(value), {
    error:
      'must not contain a password: store it in the OS keychain (`credentials set --postgres URL`), or set PGPASSWORD, PGPASSWORD_FILE or a .pgpass file',
  });

export const postgresTargetSchema = z.strictObject({
  kind: z.literal('postgres'),
  url: postgresUrl,
  schema: schemaName.default('s3sync'),
  /** As libpq's sslmode; the address's own ?sslmode= is used when this is not set. */
  sslmode: z.enum(SSL_MODES, { error: `must be one of ${SSL_MODES.join(', ')}` }).optional(),
  /** A file with the CA certificate(s) the server's certificate must chain to (libpq's sslrootcert). */
  sslRootCert: z.string().min(1).optional(),
});

export const targetSchema = z.discriminatedUnion(
  'kind',
  [z.strictObject({ kind: z.literal('sqlite') }), postgresTargetSchema],
  {
    error: 'must be { "kind": "sqlite" } or { "kind": "postgres", "url": "postgres://…", "schema": "…" }',
  },
);

export type TargetConfig = z.infer<typeof targetSchema>;
export type PostgresTargetConfig = z.infer<typeof postgresTargetSchema>;
