// The field delimiters and text encodings a CSV file may use; a module of its own so the CSV reader
// (which the parsing worker loads) does not pull in the configuration schema.
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Encodings an object type may set for files without a byte order mark (a BOM always wins). */
export const ENCODINGS = ['utf-8', 'utf-16le', 'windows-1252'] as const;
