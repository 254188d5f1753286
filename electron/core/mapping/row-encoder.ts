// Row mapping per object type, after Vitally's S3 and CSV-upload rules: which columns are the ID,
// name and references, and how the remaining columns become typed traits or event properties.
import type { ObjectMapping, ObjectType, TracksMapping } from '../../shared/config';
import type { RowValue } from './record-rows';
import { parseNpsScore, parseTimestamp, stringJson, traitValueJson } from './typing';
import { canonicalHeader } from './header-match';

/**
 * Traits (or event properties) of one row as JSON object text, ready for the store: every set trait
 * in column order, then the explicit nulls (an empty cell sets nothing). The store merges it into an
 * existing record's traits, where an explicit null sets the trait to null.
 */
export type TraitsJson = string;

/** A file whose header cannot serve the mapping: the file fails with this message. */
export class HeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeaderError';
  }
}

// Human names of the mapping fields, for messages about missing columns.
const FIELD_LABELS: Record<string, string> = {
  idColumn: 'ID',
  nameColumn: 'name',
  organizationIdColumn: 'organization ID',
  accountIdColumn: 'account ID',
  emailColumn: 'email',
  userIdColumn: 'user ID',
  scoreColumn: 'score',
  feedbackColumn: 'feedback',
  timestampColumn: 'timestamp',
  targetIdColumn: 'target ID',
  messageIdColumn: 'message ID',
  eventColumn: 'event name',
};

/** The column names a mapping uses, by mapping field (only the fields that are set). */
export function mappedColumns(mapping: ObjectMapping): Record<string, string> {
  const columns: Record<string, string> = {};
  for (const [field, value] of Object.entries(mapping)) {
    if (field.endsWith('Column') && typeof value === 'string') columns[field] = value;
  }
  return columns;
}

/**
 * Maps one row into `out` from `at`: the ROW_WIDTH values of its record in the order of record-rows.ts.
 * Returns null when the row maps, else the reason it is rejected (and then writes nothing). This is
 * what the import runs for every row: no result or record object per row.
 */
export type RowEncoder = (row: string[], out: RowValue[], at: number) => string | null;

/** Checks the header against the mapping and returns the function that maps each row into a row of values. */
export function createRowEncoder(type: ObjectType, mapping: ObjectMapping, fileHeader: string[]): RowEncoder {
  // Mapped columns are found whatever their case and spacing, and under their aliases (header-match.ts).
  const header = canonicalHeader(fileHeader, mapping, Object.values(mappedColumns(mapping)));
  const duplicates = [...new Set(header.filter((name, i) => name !== '' && header.indexOf(name) !== i))];
  if (duplicates.length > 0) {
    throw new HeaderError(
      `The header repeats the column name${duplicates.length > 1 ? 's' : ''} ` +
        `${listNames(duplicates)}: every column needs a unique name. Rename the duplicates in the export.`,
    );
  }
  const columns = mappedColumns(mapping);
  const missing = Object.entries(columns).filter(([, name]) => !header.includes(name));
  if (missing.length > 0) {
    throw new HeaderError(
      `${missing.map(([field, name]) => `The ${FIELD_LABELS[field] ?? field} column "${name}"`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in the file. ` +
        `The file has the columns: ${listNames(fileHeader)} (names are matched ignoring case and spaces). Fix the column mapping, add the new name as an alias of the column (columnAliases), or fix the export.`,
    );
  }
  const index = (field: string): number => (columns[field] === undefined ? -1 : header.indexOf(columns[field]));
  const mappedNames = new Set(Object.values(columns));
  // Unmapped columns become traits/properties; nameless columns (a trailing delimiter) carry nothing.
  const traitColumns = header.flatMap((name, i) => (name !== '' && !mappedNames.has(name) ? [[i, name] as const] : []));
  const traitsOf = createTraitsEncoder(traitColumns);

  switch (type) {
    case 'organizations': {
      const id = index('idColumn'),
        name = index('nameColumn');
      return (row, out, at) => {
        const externalId = row[id]!;
        if (externalId === '') return missingId('organization');
        out[at] = externalId;
        out[at + 1] = optional(row, name);
        out[at + 2] = traitsOf(row);
        return null;
      };
    }
    case 'accounts': {
      const id = index('idColumn'),
        name = index('nameColumn'),
        org = index('organizationIdColumn');
      return (row, out, at) => {
        const externalId = row[id]!;
        if (externalId === '') return missingId('account');
        out[at] = externalId;
        out[at + 1] = optional(row, name);
        out[at + 2] = optional(row, org);
        out[at + 3] = traitsOf(row);
        return null;
      };
    }
    case 'users': {
      const id = index('idColumn'),
        name = index('nameColumn'),
        email = index('emailColumn');
      const org = index('organizationIdColumn'),
        account = index('accountIdColumn');
      return (row, out, at) => {
        const externalId = row[id]!;
        if (externalId === '') return missingId('user');
        out[at] = externalId;
        out[at + 1] = optional(row, name);
        out[at + 2] = optional(row, email);
        out[at + 3] = optional(row, org);
        out[at + 4] = traitsOf(row);
        out[at + 5] = optional(row, account);
        return null;
      };
    }
    case 'nps': {
      const id = index('idColumn'),
        user = index('userIdColumn'),
        score = index('scoreColumn');
      const feedback = index('feedbackColumn'),
        timestamp = index('timestampColumn');
      return (row, out, at) => {
        const externalId = row[id]!;
        if (externalId === '') return missingId('NPS response');
        const userId = row[user]!;
        if (userId === '') return 'missing user ID';
        if (row[score]!.trim() === '') return 'missing score: an NPS response needs a whole number from 0 to 10';
        const scoreValue = parseNpsScore(row[score]!);
        if (scoreValue === null) return `score "${clip(row[score]!)}" is not a whole number from 0 to 10`;
        const respondedAt = parseTimestamp(row[timestamp]!);
        if (respondedAt === null) return badTimestamp(row[timestamp]!);
        out[at] = externalId;
        out[at + 1] = userId;
        out[at + 2] = scoreValue;
        out[at + 3] = optional(row, feedback);
        out[at + 4] = respondedAt;
        return null;
      };
    }
    case 'tracks': {
      const m = mapping as TracksMapping;
      const messageId = index('messageIdColumn'),
        target = index('targetIdColumn');
      const timestamp = index('timestampColumn'),
        event = index('eventColumn');
      const missingTarget = `missing ${m.target} ID (the object the event relates to)`;
      return (row, out, at) => {
        const id = row[messageId]!;
        if (id === '') return 'missing message ID';
        const targetId = row[target]!;
        if (targetId === '') return missingTarget;
        const eventName = row[event]!;
        if (eventName === '') return 'missing event name';
        const occurredAt = parseTimestamp(row[timestamp]!);
        if (occurredAt === null) return badTimestamp(row[timestamp]!);
        out[at] = id;
        out[at + 1] = targetId;
        out[at + 2] = eventName;
        out[at + 3] = occurredAt;
        out[at + 4] = traitsOf(row);
        return null;
      };
    }
  }
}

/**
 * Encodes the trait columns of each row as JSON text directly (no object per row, no JSON.stringify
 * of one): the key prefixes are built once per file. The text is what JSON.stringify gives for an
 * object with the set traits followed by the nulls, key order included.
 */
export function createTraitsEncoder(
  traitColumns: readonly (readonly [number, string])[],
): (row: string[]) => TraitsJson {
  // JavaScript objects list integer-like keys first, in numeric order; a column named like that is
  // rare, and then building the object keeps the key order the store has always written.
  if (traitColumns.some(([, name]) => isArrayIndex(name))) return (row) => traitsJsonViaObject(row, traitColumns);
  const count = traitColumns.length;
  const cells = traitColumns.map(([i]) => i);
  // Key texts with the punctuation around them, so a row's text takes two concatenations per trait
  // (each makes a piece that SQLite's binding must flatten again).
  const firstKeys = traitColumns.map(([, name]) => `{${stringJson(name)}:`);
  const laterKeys = traitColumns.map(([, name]) => `,${stringJson(name)}:`);
  const nullTraits = traitColumns.map(([, name]) => `,${stringJson(name)}:null`);
  return (row) => {
    let set = '';
    let nulls = '';
    for (let k = 0; k < count; k++) {
      const json = traitValueJson(row[cells[k]!]!);
      if (json === undefined) continue;
      if (json === null) nulls += nullTraits[k];
      else set = set === '' ? firstKeys[k] + json : set + laterKeys[k] + json;
    }
    if (set === '') return nulls === '' ? '{}' : `{${nulls.slice(1)}}`;
    return nulls === '' ? `${set}}` : `${set}${nulls}}`;
  };
}

function traitsJsonViaObject(row: string[], traitColumns: readonly (readonly [number, string])[]): TraitsJson {
  // Null-prototype objects: a column named "__proto__" must become a trait, not a prototype.
  const set = Object.create(null) as Record<string, unknown>;
  const nullKeys: string[] = [];
  for (const [i, name] of traitColumns) {
    const json = traitValueJson(row[i]!);
    if (json === undefined) continue;
    if (json === null) nullKeys.push(name);
    else set[name] = JSON.parse(json);
  }
  for (const key of nullKeys) set[key] = null;
  return JSON.stringify(set);
}

/** A canonical array index ("0", "42"; not "01" or "4294967295"): object keys that sort first. */
function isArrayIndex(name: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(name) && Number(name) < 4294967295;
}

/** A mapped optional column: empty (or unmapped) means "not given". */
function optional(row: string[], index: number): string | null {
  if (index < 0) return null;
  const value = row[index]!;
  return value === '' ? null : value;
}

function missingId(what: string): string {
  return `missing ${what} ID`;
}

function badTimestamp(value: string): string {
  return value.trim() === ''
    ? 'missing timestamp'
    : `timestamp "${clip(value)}" is not an ISO 8601 date or time, or an epoch number`;
}

// A hostile header (thousands of columns, a name megabytes long) must not make a message of that size:
// the message goes to the run log, the CLI, the window and notifications.
const MAX_NAMES_LISTED = 50;

/** Quoted, clipped column names, at most MAX_NAMES_LISTED of them. */
function listNames(names: readonly string[]): string {
  const listed = names
    .slice(0, MAX_NAMES_LISTED)
    .map((name) => `"${clip(name)}"`)
    .join(', ');
  const more = names.length - MAX_NAMES_LISTED;
  return more > 0 ? `${listed} and ${more.toLocaleString('en-US')} more` : listed;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
