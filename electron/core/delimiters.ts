// The field delimiters a CSV file may use; a module of its own so the CSV reader (which the parsing
// worker loads) does not pull in the configuration schema.
export const DELIMITERS = [',', ';', '\t', '|'] as const;
