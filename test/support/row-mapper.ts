// Rows mapped into record objects, for tests that check one row's mapping by its fields. The app
// never builds these objects: it encodes rows straight into the store's row of values (RowEncoder).
import type { ObjectMapping, ObjectType, TracksMapping } from '../../electron/shared/config';
import { type RowValue } from '../../electron/core/mapping/record-rows';
import { createRowEncoder, createTraitsEncoder, type TraitsJson } from '../../electron/core/mapping/row-encoder';

export interface OrganizationRecord {
  type: 'organizations';
  id: string;
  name: string | null;
  traits: TraitsJson;
}
export interface AccountRecord {
  type: 'accounts';
  id: string;
  name: string | null;
  organizationId: string | null;
  traits: TraitsJson;
}
export interface UserRecord {
  type: 'users';
  id: string;
  name: string | null;
  email: string | null;
  organizationId: string | null;
  accountId: string | null;
  traits: TraitsJson;
}
export interface NpsRecord {
  type: 'nps';
  id: string;
  userId: string;
  score: number;
  feedback: string | null;
  respondedAt: string;
}
export interface EventRecord {
  type: 'tracks';
  messageId: string;
  target: TracksMapping['target'];
  targetId: string;
  event: string;
  occurredAt: string;
  properties: TraitsJson;
}
export type MappedRecord = OrganizationRecord | AccountRecord | UserRecord | NpsRecord | EventRecord;

export type MapResult<R extends MappedRecord = MappedRecord> = { ok: true; record: R } | { ok: false; reason: string };

export type RowMapper = (row: string[]) => MapResult;

/** Checks the header against the mapping and returns the function that maps each row. */
export function createRowMapper(type: ObjectType, mapping: ObjectMapping, header: string[]): RowMapper {
  const encode = createRowEncoder(type, mapping, header);
  const target = type === 'tracks' ? (mapping as TracksMapping).target : 'user';
  const values: RowValue[] = [];
  return (row) => {
    const reason = encode(row, values, 0);
    return reason === null ? { ok: true, record: recordFromRow(type, target, values, 0) } : { ok: false, reason };
  };
}

/**
 * The record of the row at values[at] (the layout of ROW_WIDTH in record-rows.ts); `target` is a tracks file's target.
 */
export function recordFromRow(
  type: ObjectType,
  target: TracksMapping['target'],
  values: readonly RowValue[],
  at: number,
): MappedRecord {
  const v = (i: number) => values[at + i] as string;
  const optional = (i: number) => values[at + i] as string | null;
  switch (type) {
    case 'organizations':
      return { type, id: v(0), name: optional(1), traits: v(2) };
    case 'accounts':
      return { type, id: v(0), name: optional(1), organizationId: optional(2), traits: v(3) };
    case 'users':
      return {
        type,
        id: v(0),
        name: optional(1),
        email: optional(2),
        organizationId: optional(3),
        traits: v(4),
        accountId: optional(5),
      };
    case 'nps':
      return {
        type,
        id: v(0),
        userId: v(1),
        score: values[at + 2] as number,
        feedback: optional(3),
        respondedAt: v(4),
      };
    case 'tracks':
      return { type, messageId: v(0), target, targetId: v(1), event: v(2), occurredAt: v(3), properties: v(4) };
  }
}

/** The traits JSON of one row (see TraitsJson); for one-off use, createTraitsEncoder for a file. */
export function buildTraitsJson(row: string[], traitColumns: readonly (readonly [number, string])[]): TraitsJson {
  return createTraitsEncoder(traitColumns)(row);
}
