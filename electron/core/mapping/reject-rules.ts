// Rules for rejected rows shared by the two ways a file is read (on the importing thread, or by the
// parsing worker): how many are kept, how much of each, and the field-count message.

/** Stored rejected rows per file; beyond this they are counted but not kept (a broken export can reject millions). */
export const MAX_STORED_REJECTS_PER_FILE = 1000;
/** Raw text kept per rejected row. */
const MAX_RAW_CHARS = 10_000;

export function truncateRaw(text: string): string {
  return text.length > MAX_RAW_CHARS ? `${text.slice(0, MAX_RAW_CHARS)}… (truncated)` : text;
}

export function rejectReasonForFieldCount(fields: number, headerFields: number): string {
  return `the row has ${fields} field${fields === 1 ? '' : 's'} but the header has ${headerFields}`;
}
