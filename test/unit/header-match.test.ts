// Monthly exports drift: "Account Name" becomes "Account name", "MRR" becomes "MRR (USD)". Mapped
// columns are found ignoring case and spaces, and aliases name a column's other spellings.
import { describe, expect, it } from 'vitest';
import { parseConfig, type ObjectMapping } from '../../electron/shared/config';
import { HeaderError } from '../../electron/core/mapping/row-encoder';
import { createRowMapper } from '../support/row-mapper';

const accounts = (extra: Record<string, unknown> = {}) =>
  ({
    enabled: true,
    fileRegex: '.*',
    mode: 'create_update',
    idColumn: 'Account ID',
    nameColumn: 'Account Name',
    organizationIdColumn: null,
    ...extra,
  }) as ObjectMapping;

describe('header matching', () => {
  it('finds mapped columns whatever their case and spacing', () => {
    const map = createRowMapper('accounts', accounts(), ['account id', 'AccountName', 'MRR']);
    expect(map(['a1', 'Acme', '120'])).toEqual({
      ok: true,
      record: { type: 'accounts', id: 'a1', name: 'Acme', organizationId: null, traits: '{"MRR":120}' },
    });
  });

  it('reads an alias as its column, for mapped columns and traits alike', () => {
    const mapping = accounts({ columnAliases: { 'Account Name': ['Company'], MRR: ['MRR (USD)'] } });
    const map = createRowMapper('accounts', mapping, ['Account ID', 'Company', 'MRR (USD)']);
    expect(map(['a1', 'Acme', '120'])).toMatchObject({ ok: true, record: { name: 'Acme', traits: '{"MRR":120}' } });
  });

  it('still fails a file without the column, saying how names are matched and that an alias can help', () => {
    expect(() => createRowMapper('accounts', accounts(), ['Account ID', 'Company'])).toThrow(HeaderError);
    expect(() => createRowMapper('accounts', accounts(), ['Account ID', 'Company'])).toThrow(
      /matched ignoring case and spaces\). Fix the column mapping, add the new name as an alias/,
    );
  });

  it('validates aliases in the configuration', () => {
    const config = (columnAliases: unknown) => ({
      connection: { bucket: 'acme-exports', prefix: '', region: 'us-east-1', accessKeyId: 'AKIA' },
      objects: { accounts: accounts({ columnAliases }) },
      schedule: { everyHours: null },
    });
    expect(parseConfig(config({ MRR: ['MRR (USD)'] })).objects.accounts?.columnAliases).toEqual({
      MRR: ['MRR (USD)'],
    });
    expect(() => parseConfig(config({ MRR: [] }))).toThrow(
      /objects\.accounts\.columnAliases\.MRR: list at least one other name/,
    );
  });
});
