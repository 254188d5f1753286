// File patterns are matched in linear time: a pattern that makes a JavaScript RegExp backtrack for
// minutes answers at once, and patterns the engine refuses get a message saying what to write instead.
import { describe, expect, it } from 'vitest';
import { compileFilePattern, FilePatternError, filePatternProblem } from '../../electron/shared/file-pattern';
import { compileFilePatterns } from '../../electron/core/s3/s3-source';

/** 10,000 keys, a tenth of them the key that made `^(a+)+$` take 74 s in a RegExp (34 a's and a "!"). */
const keys = Array.from({ length: 10_000 }, (_, i) =>
  i % 10 === 0 ? `${'a'.repeat(34 + (i % 7))}!` : `accounts/2024/${String(i).padStart(5, '0')}-export.csv`,
);

function millisecondsToMatchAll(source: string): { ms: number; matched: number } {
  const pattern = compileFilePattern(source);
  const started = performance.now();
  const matched = keys.filter((key) => pattern.test(key)).length;
  return { ms: performance.now() - started, matched };
}

describe('file patterns: linear time', () => {
  it('answers ^(a+)+$ and ^(\\w+\\s?)+\\.csv$ over 10,000 keys within 1 s, like a simple pattern', () => {
    const simple = millisecondsToMatchAll('^accounts/.*\\.csv$');
    expect(simple.matched).toBe(9_000);
    for (const source of ['^(a+)+$', '^(\\w+\\s?)+\\.csv$']) {
      const nested = millisecondsToMatchAll(source);
      expect(nested.matched).toBe(0);
      // Linear time: the nested pattern costs a small multiple of the simple one, not minutes per key.
      expect(nested.ms).toBeLessThan(1000);
      expect(nested.ms).toBeLessThan(20 * simple.ms + 100);
    }
  });

  it('matches anywhere in the key unless anchored, as the patterns always did', () => {
    expect(compileFilePattern('accounts/').test('vitally/accounts/a.csv')).toBe(true);
    expect(compileFilePattern('^accounts/').test('vitally/accounts/a.csv')).toBe(false);
    expect(compileFilePattern('\\.csv$').test('a.csv.gz')).toBe(false);
    expect(compileFilePattern('(?i)\\.CSV$').test('a.csv')).toBe(true);
  });
});

describe('file patterns the engine refuses', () => {
  it('names a lookahead or lookbehind and says what to write instead', () => {
    expect(filePatternProblem('^(?!tmp/)accounts/')).toMatch(
      /^uses a lookahead \(\(\?=…\) or \(\?!…\)\): file patterns are matched in linear time \(RE2 rules\).*no lookaround\. Write the text to match itself/,
    );
    expect(filePatternProblem('(?<=accounts/)a\\.csv')).toMatch(/^uses a lookbehind/);
  });

  it('names a backreference and says what to write instead', () => {
    expect(filePatternProblem('(csv|tsv)/.*\\.\\1$')).toMatch(
      /^uses a backreference \(\\1\): .*no backreferences\. Write the repeated part out again/,
    );
  });

  it('says how RE2 writes a character by its code, for JavaScript’s \\u escapes', () => {
    expect(filePatternProblem('^accounts/\\u00e9\\.csv$')).toBe(
      'writes a character by its code as JavaScript does (\\u00e9), which RE2 does not read. Write \\x{00e9} instead',
    );
    expect(compileFilePattern('^accounts/\\x{00e9}\\.csv$').test('accounts/é.csv')).toBe(true);
  });

  it('names other syntax errors with the engine’s words', () => {
    expect(filePatternProblem('^accounts/(')).toBe(
      'is not a valid regular expression: missing closing ): `^accounts/(`',
    );
    expect(filePatternProblem('^accounts/.*\\.csv$')).toBeNull();
  });

  it('fails a sync’s compile with the object type named', () => {
    const objects = { accounts: { enabled: true, fileRegex: '(a)\\1' } } as never;
    expect(() => compileFilePatterns(objects)).toThrow(FilePatternError);
    expect(() => compileFilePatterns(objects)).toThrow(/^The file pattern of accounts uses a backreference/);
  });
});
