import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseConfig, type ObjectMapping, type ObjectType } from '../../../electron/shared/config';
import { HeaderError, type TraitsJson } from '../../../electron/core/mapping/row-encoder';
import {
  buildTraitsJson,
  createRowMapper,
  type AccountRecord,
  type EventRecord,
  type MapResult,
  type MappedRecord,
  type NpsRecord,
  type OrganizationRecord,
  type RowMapper,
  type UserRecord,
} from '../../support/row-mapper';
import { typeTraitValue } from '../../../electron/core/mapping/typing';

/** A mapping as the app would hold it: built through parseConfig, so defaults and trimming apply. */
function mappingFor(type: ObjectType, fields: Record<string, unknown>): ObjectMapping {
  const config = parseConfig({
    connection: { bucket: 'acme-exports', region: 'us-east-1', accessKeyId: 'AKIAEXAMPLE' },
    objects: { [type]: { fileRegex: '.*', ...fields } },
  });
  const mapping = config.objects[type];
  if (!mapping) throw new Error(`no ${type} mapping`);
  return mapping;
}

function mapperFor(type: ObjectType, fields: Record<string, unknown>, header: string[]): RowMapper {
  return createRowMapper(type, mappingFor(type, fields), header);
}

function accepted<R extends MappedRecord>(result: MapResult): R {
  if (!result.ok) throw new Error(`expected the row to be accepted, but it was rejected: ${result.reason}`);
  return result.record as R;
}

function rejected(result: MapResult): string {
  if (result.ok)
    throw new Error(`expected the row to be rejected, but it was accepted: ${JSON.stringify(result.record)}`);
  return result.reason;
}

function headerError(build: () => unknown): HeaderError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(HeaderError);
    return error as HeaderError;
  }
  throw new Error('expected a HeaderError, but the mapper was created');
}

/** The traits JSON a record carries, and what it does to a stored record: set these, null those. */
const traits = (json: TraitsJson) => {
  const full = JSON.parse(json) as Record<string, unknown>;
  return {
    full,
    patch: Object.fromEntries(Object.entries(full).filter(([, v]) => v !== null)),
    nullKeys: Object.keys(full).filter((k) => full[k] === null),
  };
};

describe('organizations', () => {
  const fields = { mode: 'create_update', idColumn: 'org_id', nameColumn: 'org_name' };
  const header = ['org_id', 'org_name', 'plan', 'mrr', 'active', 'tags', 'zip', 'churned_at'];

  it('maps the ID and name, and types every unmapped column as a trait', () => {
    const map = mapperFor('organizations', fields, header);
    const record = accepted<OrganizationRecord>(
      map(['o-1', 'Acme Corp', 'pro', '1200.50', 'TRUE', '["a","b"]', '00501', 'null']),
    );
    expect(record.type).toBe('organizations');
    expect(record.id).toBe('o-1');
    expect(record.name).toBe('Acme Corp');
    expect(traits(record.traits)).toEqual({
      full: { plan: 'pro', mrr: 1200.5, active: true, tags: ['a', 'b'], zip: '00501', churned_at: null },
      patch: { plan: 'pro', mrr: 1200.5, active: true, tags: ['a', 'b'], zip: '00501' },
      nullKeys: ['churned_at'],
    });
  });

  it('does not turn the mapped ID and name columns into traits', () => {
    const map = mapperFor('organizations', fields, header);
    const { full } = traits(
      accepted<OrganizationRecord>(map(['o-1', 'Acme', 'pro', '1', 'true', '[]', '1', 'x'])).traits,
    );
    expect(Object.keys(full)).not.toContain('org_id');
    expect(Object.keys(full)).not.toContain('org_name');
  });

  it('finds the mapped columns wherever they are in the header', () => {
    const map = mapperFor('organizations', fields, ['plan', 'org_name', 'org_id']);
    const record = accepted<OrganizationRecord>(map(['basic', 'Beta Inc', 'o-2']));
    expect(record).toMatchObject({ id: 'o-2', name: 'Beta Inc' });
    expect(traits(record.traits).full).toEqual({ plan: 'basic' });
  });

  it('leaves empty trait cells out entirely (not set, so an update keeps the stored value)', () => {
    const map = mapperFor('organizations', fields, header);
    const record = accepted<OrganizationRecord>(map(['o-1', 'Acme', '', '', '', '', '', '']));
    expect(traits(record.traits)).toEqual({ full: {}, patch: {}, nullKeys: [] });
  });

  it('maps an empty name cell to null', () => {
    const map = mapperFor('organizations', fields, header);
    expect(accepted<OrganizationRecord>(map(['o-1', '', '', '', '', '', '', ''])).name).toBeNull();
  });

  it('rejects a row without an ID, with a reason that says so', () => {
    const map = mapperFor('organizations', fields, header);
    const reason = rejected(map(['', 'Acme', 'pro', '', '', '', '', '']));
    expect(reason).toMatch(/missing/i);
    expect(reason).toMatch(/ID/);
  });

  it('keeps an ID that looks like a number exactly as written', () => {
    const map = mapperFor('organizations', fields, header);
    expect(accepted<OrganizationRecord>(map(['00042', 'Acme', '', '', '', '', '', ''])).id).toBe('00042');
  });
});

describe('accounts', () => {
  const header = ['id', 'name', 'org', 'seats', 'region'];

  it('maps the ID, name and organization ID; the rest become traits', () => {
    const map = mapperFor(
      'accounts',
      { mode: 'create_update', idColumn: 'id', nameColumn: 'name', organizationIdColumn: 'org' },
      header,
    );
    const record = accepted<AccountRecord>(map(['a-1', 'Acme EU', 'o-1', '25', 'eu']));
    expect(record).toMatchObject({ type: 'accounts', id: 'a-1', name: 'Acme EU', organizationId: 'o-1' });
    expect(traits(record.traits).full).toEqual({ seats: 25, region: 'eu' });
  });

  it('maps an empty cell in the mapped organization ID column to null', () => {
    const map = mapperFor(
      'accounts',
      { mode: 'create_update', idColumn: 'id', nameColumn: 'name', organizationIdColumn: 'org' },
      header,
    );
    const record = accepted<AccountRecord>(map(['a-1', '', '', '', '']));
    expect(record.organizationId).toBeNull();
    expect(record.name).toBeNull();
  });

  it('without an organization ID mapping, has a null organization ID and keeps that column as a trait', () => {
    const map = mapperFor('accounts', { mode: 'create_update', idColumn: 'id', nameColumn: 'name' }, header);
    const record = accepted<AccountRecord>(map(['a-1', 'Acme EU', 'o-1', '25', 'eu']));
    expect(record.organizationId).toBeNull();
    expect(traits(record.traits).full).toEqual({ org: 'o-1', seats: 25, region: 'eu' });
  });

  it('rejects a row without an ID', () => {
    const map = mapperFor('accounts', { mode: 'create_update', idColumn: 'id', nameColumn: 'name' }, header);
    expect(rejected(map(['', 'Acme EU', 'o-1', '25', 'eu']))).toMatch(/missing.*ID/i);
  });
});

describe('users', () => {
  const header = ['user_id', 'account', 'full_name', 'mail', 'org', 'role', 'logins'];
  const allFields = {
    mode: 'create_update',
    idColumn: 'user_id',
    accountIdColumn: 'account',
    nameColumn: 'full_name',
    emailColumn: 'mail',
    organizationIdColumn: 'org',
  };

  it('maps ID, account ID, name, email and organization ID; the rest become traits', () => {
    const map = mapperFor('users', allFields, header);
    const record = accepted<UserRecord>(map(['u-1', 'a-1', 'Ada Lovelace', 'ada@example.com', 'o-1', 'admin', '17']));
    expect(record).toEqual({
      type: 'users',
      id: 'u-1',
      accountId: 'a-1',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      organizationId: 'o-1',
      traits: expect.any(String),
    });
    expect(traits(record.traits).full).toEqual({ role: 'admin', logins: 17 });
  });

  it('maps empty cells in the mapped optional columns to null', () => {
    const map = mapperFor('users', allFields, header);
    const record = accepted<UserRecord>(map(['u-1', '', '', '', '', '', '']));
    expect(record).toMatchObject({ id: 'u-1', accountId: null, name: null, email: null, organizationId: null });
  });

  it('needs only the ID column: unmapped optional fields are null and their columns become traits', () => {
    const map = mapperFor('users', { mode: 'update_only', idColumn: 'user_id' }, header);
    const record = accepted<UserRecord>(map(['u-1', 'a-1', 'Ada', 'ada@example.com', 'o-1', 'admin', '17']));
    expect(record).toMatchObject({ id: 'u-1', accountId: null, name: null, email: null, organizationId: null });
    expect(traits(record.traits).full).toEqual({
      account: 'a-1',
      full_name: 'Ada',
      mail: 'ada@example.com',
      org: 'o-1',
      role: 'admin',
      logins: 17,
    });
  });

  it('treats an optional column mapped to null as not mapped', () => {
    const map = mapperFor('users', { mode: 'create_update', idColumn: 'user_id', nameColumn: null }, header);
    const record = accepted<UserRecord>(map(['u-1', 'a-1', 'Ada', 'ada@example.com', 'o-1', 'admin', '17']));
    expect(record.name).toBeNull();
    expect(traits(record.traits).full).toHaveProperty('full_name', 'Ada');
  });

  it('rejects a row without an ID', () => {
    const map = mapperFor('users', allFields, header);
    expect(rejected(map(['', 'a-1', 'Ada', 'ada@example.com', 'o-1', 'admin', '17']))).toMatch(/missing.*user ID/i);
  });

  it('does not trim or type the mapped fields: they are kept as written', () => {
    const map = mapperFor('users', allFields, header);
    const record = accepted<UserRecord>(map(['007', '42', 'true', 'null', '1e5', '', '']));
    expect(record).toMatchObject({ id: '007', accountId: '42', name: 'true', email: 'null', organizationId: '1e5' });
  });
});

describe('NPS responses', () => {
  const fields = {
    idColumn: 'response_id',
    userIdColumn: 'user',
    scoreColumn: 'score',
    feedbackColumn: 'comment',
    timestampColumn: 'answered_at',
  };
  const header = ['response_id', 'user', 'score', 'comment', 'answered_at', 'survey', 'channel'];

  it('maps response ID, user ID, score, feedback and timestamp, and ignores other columns', () => {
    const map = mapperFor('nps', fields, header);
    const record = accepted<NpsRecord>(
      map(['r-1', 'u-1', '9', 'Great tool!', '2024-05-01T12:00:00+02:00', 'Q2', 'email']),
    );
    expect(record).toEqual({
      type: 'nps',
      id: 'r-1',
      userId: 'u-1',
      score: 9,
      feedback: 'Great tool!',
      respondedAt: '2024-05-01T10:00:00.000Z',
    });
  });

  it('reads epoch timestamps', () => {
    const map = mapperFor('nps', fields, header);
    expect(accepted<NpsRecord>(map(['r-1', 'u-1', '0', '', '1704067200', '', ''])).respondedAt).toBe(
      '2024-01-01T00:00:00.000Z',
    );
  });

  it('maps an empty feedback cell to null, and no feedback mapping to null', () => {
    expect(
      accepted<NpsRecord>(mapperFor('nps', fields, header)(['r-1', 'u-1', '10', '', '2024-05-01', '', ''])).feedback,
    ).toBeNull();
    const { feedbackColumn: _omit, ...withoutFeedback } = fields;
    const map = mapperFor('nps', withoutFeedback, header);
    expect(accepted<NpsRecord>(map(['r-1', 'u-1', '10', 'text', '2024-05-01', '', ''])).feedback).toBeNull();
  });

  it('says an empty score is missing, rather than quoting nothing', () => {
    const map = mapperFor('nps', fields, header);
    expect(rejected(map(['r-1', 'u-1', '', '', '2024-05-01', '', '']))).toBe(
      'missing score: an NPS response needs a whole number from 0 to 10',
    );
  });

  it.each(['11', '-1', '7.5', 'ten', '100'])('rejects the score %j with a reason that shows it', (score) => {
    const map = mapperFor('nps', fields, header);
    const reason = rejected(map(['r-1', 'u-1', score, '', '2024-05-01', '', '']));
    expect(reason).toMatch(/score/i);
    expect(reason).toContain(`"${score}"`);
    expect(reason).toMatch(/0 to 10/);
  });

  it.each(['yesterday', '2023-02-29', '2024-13-01', '2024-01-01T24:00:00'])(
    'rejects the timestamp %j with a reason that shows it',
    (timestamp) => {
      const map = mapperFor('nps', fields, header);
      const reason = rejected(map(['r-1', 'u-1', '8', '', timestamp, '', '']));
      expect(reason).toMatch(/timestamp/i);
      expect(reason).toContain(timestamp);
    },
  );

  it('rejects a row with an empty timestamp as missing it', () => {
    const map = mapperFor('nps', fields, header);
    expect(rejected(map(['r-1', 'u-1', '8', '', '', '', '']))).toMatch(/missing timestamp/i);
  });

  it('rejects a row without a response ID or without a user ID', () => {
    const map = mapperFor('nps', fields, header);
    expect(rejected(map(['', 'u-1', '8', '', '2024-05-01', '', '']))).toMatch(/missing.*ID/i);
    expect(rejected(map(['r-1', '', '8', '', '2024-05-01', '', '']))).toMatch(/missing user ID/i);
  });

  it('shortens a very long bad value in the reason', () => {
    const map = mapperFor('nps', fields, header);
    const long = 'x'.repeat(500);
    const reason = rejected(map(['r-1', 'u-1', '8', '', long, '', '']));
    expect(reason.length).toBeLessThan(200);
  });
});

describe('tracks (events)', () => {
  const fields = {
    target: 'account',
    targetIdColumn: 'account_id',
    messageIdColumn: 'message_id',
    timestampColumn: 'ts',
    eventColumn: 'event',
  };
  const header = ['message_id', 'account_id', 'ts', 'event', 'plan', 'amount', 'coupon', 'items'];

  it('maps message ID, target, target ID, timestamp and event name; every other column is a typed property', () => {
    const map = mapperFor('tracks', fields, header);
    const record = accepted<EventRecord>(
      map(['m-1', 'a-1', '2024-05-01 08:30:00', 'Upgraded', 'pro', '49.99', 'null', '[1,2]']),
    );
    expect(record).toEqual({
      type: 'tracks',
      messageId: 'm-1',
      target: 'account',
      targetId: 'a-1',
      event: 'Upgraded',
      occurredAt: '2024-05-01T08:30:00.000Z',
      properties: expect.any(String),
    });
    expect(traits(record.properties)).toEqual({
      full: { plan: 'pro', amount: 49.99, coupon: null, items: [1, 2] },
      patch: { plan: 'pro', amount: 49.99, items: [1, 2] },
      nullKeys: ['coupon'],
    });
  });

  it.each(['user', 'account', 'organization'] as const)('carries the configured target %j', (target) => {
    const map = mapperFor('tracks', { ...fields, target }, header);
    expect(accepted<EventRecord>(map(['m-1', 'a-1', '1700000000000', 'Login', '', '', '', ''])).target).toBe(target);
  });

  it('rejects a row without a target ID, naming the kind of target', () => {
    const map = mapperFor('tracks', { ...fields, target: 'user' }, header);
    const reason = rejected(map(['m-1', '', '2024-05-01', 'Login', '', '', '', '']));
    expect(reason).toMatch(/missing user ID/i);
  });

  it('rejects a row without an event name', () => {
    const map = mapperFor('tracks', fields, header);
    expect(rejected(map(['m-1', 'a-1', '2024-05-01', '', '', '', '', '']))).toMatch(/missing event name/i);
  });

  it('rejects a row without a message ID', () => {
    const map = mapperFor('tracks', fields, header);
    expect(rejected(map(['', 'a-1', '2024-05-01', 'Login', '', '', '', '']))).toMatch(/missing message ID/i);
  });

  it('rejects a row with a bad or missing timestamp', () => {
    const map = mapperFor('tracks', fields, header);
    const reason = rejected(map(['m-1', 'a-1', '05/01/2024', 'Login', '', '', '', '']));
    expect(reason).toMatch(/timestamp/i);
    expect(reason).toContain('05/01/2024');
    expect(rejected(map(['m-1', 'a-1', '', 'Login', '', '', '', '']))).toMatch(/missing timestamp/i);
  });
});

describe('header checks', () => {
  it('fails with a HeaderError naming the missing mapped column and listing the columns the file has', () => {
    const error = headerError(() =>
      mapperFor('accounts', { mode: 'create_update', idColumn: 'account_id', nameColumn: 'name' }, [
        'id',
        'name',
        'plan',
      ]),
    );
    expect(error.message).toContain('"account_id"');
    expect(error.message).toMatch(/ID column/);
    expect(error.message).toContain('"id", "name", "plan"');
  });

  it('names every missing column when several are missing', () => {
    const error = headerError(() =>
      mapperFor(
        'nps',
        { idColumn: 'rid', userIdColumn: 'uid', scoreColumn: 'score', feedbackColumn: 'why', timestampColumn: 'when' },
        ['rid', 'score', 'other'],
      ),
    );
    expect(error.message).toContain('"uid"');
    expect(error.message).toContain('"why"');
    expect(error.message).toContain('"when"');
    expect(error.message).not.toMatch(/"rid" (is|are) not/);
    expect(error.message).toContain('"rid", "score", "other"');
  });

  it('checks optional columns too when they are mapped', () => {
    const error = headerError(() =>
      mapperFor('users', { mode: 'create_update', idColumn: 'id', emailColumn: 'e-mail' }, ['id', 'email']),
    );
    expect(error.message).toContain('"e-mail"');
    expect(error.message).toContain('"id", "email"');
  });

  it('matches column names ignoring case and spaces (monthly exports drift), an exact name first', () => {
    const map = mapperFor('organizations', { mode: 'create_update', idColumn: 'ID', nameColumn: 'Org Name' }, [
      'id',
      'org name',
    ]);
    expect(accepted<OrganizationRecord>(map(['o-1', 'Acme']))).toMatchObject({ id: 'o-1', name: 'Acme' });
  });

  it('accepts a mapping whose column names had surrounding spaces in the configuration', () => {
    const map = mapperFor('organizations', { mode: 'create_update', idColumn: ' id ', nameColumn: 'name ' }, [
      'id',
      'name',
    ]);
    expect(accepted<OrganizationRecord>(map(['o-1', 'Acme']))).toMatchObject({ id: 'o-1', name: 'Acme' });
  });

  it('fails with a HeaderError naming a duplicated column', () => {
    const error = headerError(() =>
      mapperFor('organizations', { mode: 'create_update', idColumn: 'id', nameColumn: 'name' }, [
        'id',
        'name',
        'plan',
        'plan',
      ]),
    );
    expect(error.message).toContain('"plan"');
    expect(error.message).toMatch(/repeat|duplicate/i);
  });

  it('names every duplicated column, once each', () => {
    const error = headerError(() =>
      mapperFor('organizations', { mode: 'create_update', idColumn: 'id', nameColumn: 'name' }, [
        'id',
        'name',
        'id',
        'x',
        'x',
        'x',
      ]),
    );
    expect(error.message).toContain('"id"');
    expect(error.message).toContain('"x"');
    expect(error.message.match(/"x"/g)).toHaveLength(1);
  });

  it('does not treat unrelated columns as missing or duplicated', () => {
    expect(() =>
      mapperFor('organizations', { mode: 'create_update', idColumn: 'id', nameColumn: 'name' }, [
        'id',
        'name',
        'Name',
        'NAME',
      ]),
    ).not.toThrow();
  });
});

describe('buildTraitsJson', () => {
  const columns = [
    [0, 'a'],
    [1, 'b'],
    [2, 'c'],
    [3, 'd'],
  ] as const;

  it('writes the set traits, then the explicit nulls', () => {
    const json = buildTraitsJson(['1', 'null', 'x', 'null'], columns);
    expect(json).toBe('{"a":1,"c":"x","b":null,"d":null}');
    expect(traits(json)).toEqual({
      full: { a: 1, b: null, c: 'x', d: null },
      patch: { a: 1, c: 'x' },
      nullKeys: ['b', 'd'],
    });
  });

  it('types every value as JSON.stringify would write it', () => {
    expect(buildTraitsJson(['1', 'true', '["x"]', 'y'], columns)).toBe(
      JSON.stringify({ a: 1, b: true, c: ['x'], d: 'y' }),
    );
    expect(buildTraitsJson(['-0', '1200.50', '00501', '9007199254740993'], columns)).toBe(
      '{"a":0,"b":1200.5,"c":"00501","d":"9007199254740993"}',
    );
    expect(buildTraitsJson(['say "hi"', 'back\\slash', 'tab\there', 'FALSE'], columns)).toBe(
      JSON.stringify({ a: 'say "hi"', b: 'back\\slash', c: 'tab\there', d: false }),
    );
    expect(buildTraitsJson(['[1, 2]', '[not json', 'é ✓', '\ud800'], columns)).toBe(
      JSON.stringify({ a: [1, 2], b: '[not json', c: 'é ✓', d: '\ud800' }),
    );
  });

  it('leaves empty cells out', () => {
    expect(buildTraitsJson(['', 'null', '', '5'], columns)).toBe('{"d":5,"b":null}');
    expect(buildTraitsJson(['', '', '', ''], columns)).toBe('{}');
  });

  it('only reads the listed columns', () => {
    const json = buildTraitsJson(
      ['skip', '1', 'skip', '2'],
      [
        [1, 'one'],
        [3, 'three'],
      ],
    );
    expect(JSON.parse(json)).toEqual({ one: 1, three: 2 });
  });

  it('keeps a trait whatever its name, even one that is special to JavaScript objects or needs escaping', () => {
    const json = buildTraitsJson(
      ['x', 'y', 'null', 'z'],
      [
        [0, 'constructor'],
        [1, '__proto__'],
        [2, 'toString'],
        [3, 'say "hi"'],
      ],
    );
    expect(json).toBe('{"constructor":"x","__proto__":"y","say \\"hi\\"":"z","toString":null}');
  });

  it('orders integer-like column names the way a JavaScript object does, as the store always has', () => {
    const json = buildTraitsJson(
      ['x', 'null', '1', '2'],
      [
        [0, 'b'],
        [1, '20'],
        [2, '3'],
        [3, 'a'],
      ],
    );
    expect(json).toBe('{"3":1,"20":null,"b":"x","a":2}');
  });

  it('matches JSON.stringify of the typed values for any cells', () => {
    const names = ['a', 'b', '__proto__', 'x y'];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.constantFrom('', 'null', 'TRUE', 'false', '-0', '12.50', '007', '[1,"a"]', '1e5')),
          { minLength: 4, maxLength: 4 },
        ),
        (cells) => {
          const expected: Record<string, unknown> = Object.create(null);
          const nulls: string[] = [];
          cells.forEach((cell, i) => {
            const value = typeTraitValue(cell);
            if (value === null) nulls.push(names[i]!);
            else if (value !== undefined) expected[names[i]!] = value;
          });
          for (const key of nulls) expected[key] = null;
          expect(
            buildTraitsJson(
              cells,
              names.map((n, i) => [i, n] as const),
            ),
          ).toBe(JSON.stringify(expected));
        },
      ),
    );
  });
});

describe('a trailing delimiter in the header', () => {
  it('does not create a trait with an empty name', () => {
    const map = mapperFor('organizations', { mode: 'create_update', idColumn: 'id', nameColumn: 'name' }, [
      'id',
      'name',
      'plan',
      '',
    ]);
    const record = accepted<OrganizationRecord>(map(['o-1', 'Acme', 'pro', '']));
    expect(traits(record.traits).full).toEqual({ plan: 'pro' });
  });
});
