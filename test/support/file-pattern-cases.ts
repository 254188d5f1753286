// One table of file patterns, for the tests that check the Objects screen, the preview, the CLI and the
// sync agree: RE2-only syntax JavaScript refuses, JavaScript-only syntax RE2 refuses, and a key where
// the two engines select differently. Keys are relative to the configuration's prefix, in S3 key order.
export const PATTERN_KEYS = [
  'accounts/2024-06.csv',
  'accounts/A.CSV',
  'accounts/_tmp.csv',
  'accounts/a.csv',
  'accounts/aa.csv',
  'accounts/😀.csv',
];

export type PatternCase =
  | { pattern: string; selects: string[] }
  /** `words`: what the engine's refusal must say; `advice`: what it must say to write instead. */
  | { pattern: string; refusedFor: RegExp; advice: string };

export const PATTERN_CASES: PatternCase[] = [
  // RE2 syntax a JavaScript RegExp refuses ("Invalid group").
  { pattern: '^accounts/(?P<month>\\d{4}-\\d{2})\\.csv$', selects: ['accounts/2024-06.csv'] },
  { pattern: '(?i)^accounts/a\\.csv$', selects: ['accounts/A.CSV', 'accounts/a.csv'] },
  // Valid for both, but "." is one code point in RE2 (one UTF-16 unit in a RegExp without the u flag).
  { pattern: '^accounts/.\\.csv$', selects: ['accounts/a.csv', 'accounts/😀.csv'] },
  // The advice given for lookaround, as written there.
  {
    pattern: '^accounts/[^_][^/]*\\.csv$',
    selects: ['accounts/2024-06.csv', 'accounts/a.csv', 'accounts/aa.csv', 'accounts/😀.csv'],
  },
  // JavaScript syntax RE2 refuses.
  { pattern: '^(?<!x)a\\.csv$', refusedFor: /^uses a lookbehind /, advice: 'Write the text to match itself' },
  { pattern: '^accounts/(?!_)', refusedFor: /^uses a lookahead /, advice: 'Write the text to match itself' },
  { pattern: '(a)\\1', refusedFor: /^uses a backreference \(\\1\)/, advice: 'Write the repeated part out again' },
  {
    pattern: '^accounts/\\u00e9\\.csv$',
    refusedFor: /^writes a character by its code as JavaScript does \(\\u00e9\)/,
    advice: 'Write \\x{00e9} instead',
  },
  {
    pattern: '^accounts/\\C',
    refusedFor: /^is not a valid regular expression: invalid escape sequence: `\\C`/,
    advice: '',
  },
  // Refused by both.
  {
    pattern: '^accounts/(',
    refusedFor: /^is not a valid regular expression: missing closing \): `\^accounts\/\(`/,
    advice: '',
  },
];
