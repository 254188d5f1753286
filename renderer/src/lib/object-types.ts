// What the window knows about each object type and data table: labels, the columns a mapping picks,
// which are required, and what happens to the columns left over. Mirrors electron/core/config.ts
// (the renderer imports the core for types only; `satisfies` keeps the two in step).
import type { DataTable, ObjectType } from '../../../electron/shared/contract';

export const OBJECT_TABS = [
  'accounts',
  'organizations',
  'users',
  'nps',
  'tracks',
] as const satisfies readonly ObjectType[];

export const OBJECT_LABELS = {
  organizations: 'Organizations',
  accounts: 'Accounts',
  users: 'Users',
  nps: 'NPS',
  tracks: 'Tracks',
} as const satisfies Record<ObjectType, string>;

/** How each type is named inside a sentence ("Sync NPS responses", "no account is synced"). */
export const OBJECT_NOUNS = {
  organizations: { plural: 'organizations', singular: 'organization' },
  accounts: { plural: 'accounts', singular: 'account' },
  users: { plural: 'users', singular: 'user' },
  nps: { plural: 'NPS responses', singular: 'NPS response' },
  tracks: { plural: 'tracks', singular: 'track' },
} as const satisfies Record<ObjectType, { plural: string; singular: string }>;

/** A label inside a sentence: the first letter lowered unless the word is an acronym ("NPS responses" stays). */
export function inSentence(label: string): string {
  return label.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
}

export type ColumnField =
  | 'idColumn'
  | 'nameColumn'
  | 'organizationIdColumn'
  | 'accountIdColumn'
  | 'emailColumn'
  | 'userIdColumn'
  | 'scoreColumn'
  | 'feedbackColumn'
  | 'timestampColumn'
  | 'targetIdColumn'
  | 'messageIdColumn'
  | 'eventColumn';

export interface ColumnSpec {
  field: ColumnField;
  label: string;
  required: boolean;
  /** Column names that suggest themselves when nothing is chosen yet. */
  guesses: string[];
}

const col = (field: ColumnField, label: string, required: boolean, guesses: string[]): ColumnSpec => ({
  field,
  label,
  required,
  guesses,
});

export const TRACK_TARGETS = [
  { value: 'user', label: 'Users', idLabel: 'User ID column', guesses: ['user_id', 'userid', 'user'] },
  {
    value: 'account',
    label: 'Accounts',
    idLabel: 'Account ID column',
    guesses: ['account_id', 'accountid', 'account'],
  },
  {
    value: 'organization',
    label: 'Organizations',
    idLabel: 'Organization ID column',
    guesses: ['organization_id', 'org_id', 'organization'],
  },
] as const;
export type TrackTarget = (typeof TRACK_TARGETS)[number]['value'];

export function columnSpecs(type: ObjectType, target: TrackTarget = 'user'): ColumnSpec[] {
  switch (type) {
    case 'organizations':
      return [
        col('idColumn', 'Organization ID column', true, ['organization_id', 'org_id', 'id']),
        col('nameColumn', 'Name column', true, ['name', 'org_name', 'organization_name']),
      ];
    case 'accounts':
      return [
        col('idColumn', 'Account ID column', true, ['account_id', 'id']),
        col('nameColumn', 'Name column', true, ['name', 'account_name']),
        col('organizationIdColumn', 'Organization ID column', false, ['organization_id', 'org_id']),
      ];
    case 'users':
      return [
        col('idColumn', 'User ID column', true, ['user_id', 'id']),
        col('accountIdColumn', 'Account ID column', false, ['account_id']),
        col('nameColumn', 'Name column', false, ['name', 'full_name', 'user_name']),
        col('emailColumn', 'Email column', false, ['email', 'email_address']),
        col('organizationIdColumn', 'Organization ID column', false, ['organization_id', 'org_id']),
      ];
    case 'nps':
      return [
        col('idColumn', 'Response ID column', true, ['response_id', 'id']),
        col('userIdColumn', 'User ID column', true, ['user_id']),
        col('scoreColumn', 'Score column', true, ['score', 'nps_score']),
        col('feedbackColumn', 'Feedback column', false, ['feedback', 'comment', 'comments']),
        col('timestampColumn', 'Timestamp column', true, [
          'timestamp',
          'submitted_at',
          'responded_at',
          'created_at',
          'ts',
        ]),
      ];
    case 'tracks': {
      const targetSpec = TRACK_TARGETS.find((t) => t.value === target) ?? TRACK_TARGETS[0];
      return [
        col('targetIdColumn', targetSpec.idLabel, true, [...targetSpec.guesses]),
        col('messageIdColumn', 'Message ID column', true, ['message_id', 'messageid', 'id']),
        col('eventColumn', 'Event name column', true, ['event', 'event_name', 'name']),
        col('timestampColumn', 'Timestamp column', true, ['timestamp', 'ts', 'occurred_at', 'created_at']),
      ];
    }
  }
}

/** Whether the type has a create-and-update / update-only mode (NPS responses and events are always written). */
export function hasMode(type: ObjectType): boolean {
  return type === 'organizations' || type === 'accounts' || type === 'users';
}

/** What becomes of the columns no picker chose. */
export function leftoverColumnsNote(type: ObjectType): string {
  if (type === 'nps') return 'Other columns are ignored.';
  if (type === 'tracks') return 'Other columns become event properties';
  return 'Other columns become traits';
}

export const DATA_TABS = [
  'accounts',
  'organizations',
  'users',
  'nps_responses',
  'events',
] as const satisfies readonly DataTable[];

export const DATA_LABELS = {
  organizations: 'Organizations',
  accounts: 'Accounts',
  users: 'Users',
  nps_responses: 'NPS responses',
  events: 'Events',
} as const satisfies Record<DataTable, string>;

/** Which object type fills each table (for "map it on Objects" hints). */
export const TABLE_OBJECT_TYPE = {
  organizations: 'organizations',
  accounts: 'accounts',
  users: 'users',
  nps_responses: 'nps',
  events: 'tracks',
} as const satisfies Record<DataTable, ObjectType>;

/** Column headings of the Data tables (the fields queries.ts returns). */
export const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  email: 'Email',
  organization_id: 'Organization',
  account_id: 'Account',
  user_id: 'User',
  score: 'Score',
  feedback: 'Feedback',
  responded_at: 'Responded',
  event: 'Event',
  occurred_at: 'Occurred',
};
