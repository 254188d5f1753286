// The header line's delimiter, detected from the candidates outside quotes.
import { describe, expect, it } from 'vitest';
import { detectDelimiter } from '../../electron/core/csv/header';

describe('detectDelimiter', () => {
  it('picks the most frequent candidate, and a comma when there is none', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('a|b|c')).toBe('|');
    expect(detectDelimiter('a;b;c,d')).toBe(';');
    expect(detectDelimiter('a|b|c|d\te')).toBe('|');
    expect(detectDelimiter('single')).toBe(',');
    expect(detectDelimiter('')).toBe(',');
  });
});
