// Which first bytes can start a CSV: the preview flags the others (a README, an Excel workbook renamed
// .csv, an empty or binary file) before any sync tries to read them.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { headerFromStart, whyNotCsv } from '../../electron/core/csv/sniff-file';

const bytes = (text: string) => new TextEncoder().encode(text);
const check = (start: Uint8Array) => whyNotCsv(start, start.length);

describe('whyNotCsv', () => {
  it('accepts headers with any of the delimiters, a BOM, gzip and UTF-16', () => {
    expect(check(bytes('account_id,name\na1,Acme\n'))).toBeNull();
    expect(check(bytes('\uFEFFuser_id;account_id\n'))).toBeNull();
    expect(check(bytes('a\tb\n'))).toBeNull();
    expect(check(gzipSync('org_id,org_name\no1,Acme\n'))).toBeNull();
    // Only the start of a big gzip file is read: a truncated stream still tells.
    expect(check(gzipSync(`id,name\n${'x,y\n'.repeat(100_000)}`).subarray(0, 200))).toBeNull();
    expect(check(new Uint8Array(Buffer.from('\uFEFFid,name\n', 'utf16le')))).toBeNull();
    expect(check(new Uint8Array(Buffer.from('id,name\n', 'utf16le')))).toBeNull();
  });

  it('names what the others are', () => {
    expect(whyNotCsv(new Uint8Array(), 0)).toBe('Empty (0 bytes): there is no header to read.');
    expect(check(bytes('Exports for S3 CSV Sync.\nOne folder per object type.\n'))).toBe(
      'Its first line has no comma, semicolon, tab or pipe: it reads as prose, not a CSV header.',
    );
    expect(check(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]))).toMatch(/^A ZIP archive, not a CSV/);
    expect(check(bytes('%PDF-1.7\n'))).toBe('A PDF document, not a CSV.');
    expect(check(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0, 0xff]))).toBe(
      'Binary content, not text: not a CSV.',
    );
    expect(check(gzipSync(''))).toBe('A gzip file with nothing inside.');
    expect(check(new Uint8Array([0x1f, 0x8b, 1, 2, 3]))).toBe('Named like gzip but not valid gzip data.');
    expect(check(bytes('\n\nid,name\n'))).toBe('Its first line is blank: a CSV starts with its header.');
  });
});

describe('headerFromStart', () => {
  it('reads the header row with its delimiter and quotes, gzip included', () => {
    expect(headerFromStart(bytes('Account ID,"Account Name",MRR (USD)\na1,Acme,1\n'))).toEqual([
      'Account ID',
      'Account Name',
      'MRR (USD)',
    ]);
    expect(headerFromStart(bytes('\uFEFFuser_id;"a;b";x\n'))).toEqual(['user_id', 'a;b', 'x']);
    expect(headerFromStart(gzipSync('org_id\torg_name\n'))).toEqual(['org_id', 'org_name']);
  });
});
