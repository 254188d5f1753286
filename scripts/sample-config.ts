// The configuration of the demo and the tests: the local S3 server, the "vitally/" prefix, and the
// five object types mapped onto the sample files' columns (resources/demo/).
import { parseConfig, type SyncConfig } from '../electron/shared/config';
import { LOCAL_S3_ACCESS_KEY_ID, type LocalS3Server } from './local-s3-server';

export const SAMPLE_PREFIX = 'vitally/';

export const SAMPLE_OBJECT_MAPPINGS = {
  organizations: { fileRegex: '^orgs/', mode: 'create_update', idColumn: 'org_id', nameColumn: 'org_name' },
  accounts: {
    fileRegex: '^accounts/.*\\.csv',
    mode: 'create_update',
    idColumn: 'account_id',
    nameColumn: 'account_name',
    organizationIdColumn: 'org_id',
  },
  users: {
    fileRegex: '^users/',
    mode: 'create_update',
    idColumn: 'user_id',
    accountIdColumn: 'account_id',
    nameColumn: 'full_name',
    emailColumn: 'email',
    organizationIdColumn: null,
  },
  nps: {
    fileRegex: '^nps/',
    idColumn: 'response_id',
    userIdColumn: 'user_id',
    scoreColumn: 'score',
    feedbackColumn: 'comment',
    timestampColumn: 'submitted_at',
  },
  tracks: {
    fileRegex: '^events/',
    target: 'user',
    targetIdColumn: 'user_id',
    messageIdColumn: 'message_id',
    timestampColumn: 'ts',
    eventColumn: 'event',
  },
} as const;

/** A validated config for the local server; `objects` replaces or adds object types. */
export function sampleConfig(
  server: Pick<LocalS3Server, 'endpoint' | 'bucket'> & { accessKeyId?: string },
  objects: Record<string, unknown> = {},
): SyncConfig {
  return parseConfig({
    connection: {
      bucket: server.bucket,
      prefix: SAMPLE_PREFIX,
      region: 'us-east-1',
      accessKeyId: server.accessKeyId ?? LOCAL_S3_ACCESS_KEY_ID,
      endpoint: server.endpoint,
      forcePathStyle: true,
    },
    objects: { ...SAMPLE_OBJECT_MAPPINGS, ...objects },
    schedule: { everyHours: null },
  });
}
