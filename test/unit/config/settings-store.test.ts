import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, type SyncConfig } from '../../../electron/shared/config';
import {
  CURRENT_SCHEMA_VERSION,
  describeConfigChange,
  SettingsStore,
  type ConfigChange,
} from '../../../electron/core/config/settings-store';

const validConfig: SyncConfig = {
  connection: { bucket: 'acme-exports', prefix: 'vitally/', region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE' },
  objects: {
    accounts: {
      enabled: true,
      fileRegex: '^accounts/.*\\.csv$',
      mode: 'create_update',
      idColumn: 'id',
      nameColumn: 'name',
    },
    users: { enabled: true, fileRegex: '^users/', mode: 'update_only', idColumn: 'user_id', emailColumn: 'email' },
  },
  schedule: { everyHours: 12 },
};

const fixedClock = () => new Date('2026-11-28T22:15:00.456Z');

let dir: string;
let settingsPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'settings-store-'));
  settingsPath = join(dir, 'settings.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function readSettingsFile(): unknown {
  return JSON.parse(readFileSync(settingsPath, 'utf8'));
}

describe('SettingsStore', () => {
  it('starts with no configuration and no notice when there is no settings file', () => {
    const store = new SettingsStore({ cwd: join(dir, 'not-yet-created') });
    expect(store.getConfig()).toBeNull();
    expect(store.startupNotice).toBeNull();
  });

  it('round-trips a configuration through the settings file', () => {
    new SettingsStore({ cwd: dir }).setConfig(validConfig);

    expect(readSettingsFile()).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION, config: validConfig });
    const reopened = new SettingsStore({ cwd: dir });
    expect(reopened.getConfig()).toEqual(validConfig);
    expect(reopened.startupNotice).toBeNull();
  });

  it('fills schema defaults on save', () => {
    const { schedule: _omitted, ...withoutSchedule } = validConfig;
    const saved = new SettingsStore({ cwd: dir }).setConfig(withoutSchedule);
    expect(saved.schedule).toEqual({ everyHours: null });
  });

  it('hands out copies, so a caller cannot change the stored configuration by mutation', () => {
    const store = new SettingsStore({ cwd: dir });
    store.setConfig(validConfig);
    store.getConfig()!.connection.bucket = 'mutated';
    expect(store.getConfig()!.connection.bucket).toBe('acme-exports');
  });

  it('writes atomically: the file is replaced by rename, is valid JSON, and no temp file is left', () => {
    const store = new SettingsStore({ cwd: dir });
    store.setConfig(validConfig);
    const inodeBefore = statSync(settingsPath).ino;

    store.setConfig({ ...validConfig, schedule: { everyHours: 6 } });

    // A new inode means a new file was renamed over the old one rather than the old one rewritten in place.
    expect(statSync(settingsPath).ino).not.toBe(inodeBefore);
    expect(readSettingsFile()).toMatchObject({ config: { schedule: { everyHours: 6 } } });
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  it('migrates a version-1 file (flat layout, schedule.hours) and writes it back in the current layout', () => {
    const { schedule: _current, ...flat } = validConfig;
    writeFileSync(settingsPath, JSON.stringify({ ...flat, schedule: { hours: 24 } }));

    const store = new SettingsStore({ cwd: dir });

    const expected = { ...validConfig, schedule: { everyHours: 24 } };
    expect(store.startupNotice).toBeNull();
    expect(store.getConfig()).toEqual(expected);
    expect(readSettingsFile()).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION, config: expected });
  });

  it('migrates an empty version-1 file to "no configuration"', () => {
    writeFileSync(settingsPath, '{}');
    const store = new SettingsStore({ cwd: dir });
    expect(store.startupNotice).toBeNull();
    expect(store.getConfig()).toBeNull();
    expect(readSettingsFile()).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION, config: null });
  });

  it('sets a file of garbage bytes aside, keeps its bytes, reports it, and stays usable', () => {
    const garbage = Buffer.from([0x00, 0xff, 0x7b, 0x22, 0xfe, 0x0a, 0x13]);
    writeFileSync(settingsPath, garbage);

    const store = new SettingsStore({ cwd: dir, now: fixedClock });

    const keptAs = join(dir, 'settings.damaged-2026-11-28T22-15-00Z.json');
    expect(store.getConfig()).toBeNull();
    expect(store.startupNotice).toEqual({
      reason: 'it is not valid JSON',
      keptAs,
      message: expect.stringContaining(
        `Your settings file could not be read (it is not valid JSON); it was kept as ${keptAs}.`,
      ),
    });
    expect(readFileSync(keptAs)).toEqual(garbage);
    expect(readdirSync(dir)).toEqual(['settings.damaged-2026-11-28T22-15-00Z.json']);

    store.setConfig(validConfig);
    expect(new SettingsStore({ cwd: dir }).getConfig()).toEqual(validConfig);
    expect(readFileSync(keptAs)).toEqual(garbage);
  });

  it('sets aside JSON that fails the schema, naming the field in the notice', () => {
    const invalid = JSON.stringify({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      config: { ...validConfig, connection: { ...validConfig.connection, bucket: '' } },
    });
    writeFileSync(settingsPath, invalid);

    const store = new SettingsStore({ cwd: dir, now: fixedClock });

    expect(store.getConfig()).toBeNull();
    expect(store.startupNotice?.reason).toMatch(/^config\.connection\.bucket: must be a bucket name/);
    expect(readFileSync(store.startupNotice!.keptAs, 'utf8')).toBe(invalid);
    store.setConfig(validConfig);
    expect(new SettingsStore({ cwd: dir }).getConfig()).toEqual(validConfig);
  });

  it('names the config field itself (not "config.(top level)") when it is not an object', () => {
    writeFileSync(settingsPath, JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION, config: 'acme' }));
    const store = new SettingsStore({ cwd: dir, now: fixedClock });
    expect(store.startupNotice?.reason).toMatch(/^config: /);
  });

  it('sets aside a version-1 file that fails the schema after migration', () => {
    writeFileSync(
      settingsPath,
      JSON.stringify({ connection: validConfig.connection, objects: {}, schedule: { hours: 5 } }),
    );
    const store = new SettingsStore({ cwd: dir, now: fixedClock });
    expect(store.startupNotice?.reason).toMatch(/^config\.schedule\.everyHours: must be 6, 12, 24 or null/);
    expect(store.getConfig()).toBeNull();
  });

  it('sets aside a file written by a newer version instead of overwriting it', () => {
    writeFileSync(
      settingsPath,
      JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION + 1, config: null, newField: 1 }),
    );
    const store = new SettingsStore({ cwd: dir, now: fixedClock });
    expect(store.startupNotice?.reason).toMatch(/newer version of S3 CSV Sync/);
    expect(store.getConfig()).toBeNull();
  });

  it('does not overwrite an earlier set-aside file from the same second', () => {
    writeFileSync(settingsPath, 'first');
    new SettingsStore({ cwd: dir, now: fixedClock });
    writeFileSync(settingsPath, 'second');
    const store = new SettingsStore({ cwd: dir, now: fixedClock });

    expect(store.startupNotice?.keptAs).toBe(join(dir, 'settings.damaged-2026-11-28T22-15-00Z-2.json'));
    expect(readFileSync(join(dir, 'settings.damaged-2026-11-28T22-15-00Z.json'), 'utf8')).toBe('first');
    expect(readFileSync(store.startupNotice!.keptAs, 'utf8')).toBe('second');
  });

  it('refuses to save an invalid configuration with a ConfigError and leaves the file byte-identical', () => {
    const store = new SettingsStore({ cwd: dir });
    store.setConfig(validConfig);
    const bytesBefore = readFileSync(settingsPath);

    const invalid = { ...validConfig, schedule: { everyHours: 7 } };
    expect(() => store.setConfig(invalid)).toThrow(ConfigError);
    expect(() => store.setConfig(invalid)).toThrow(/schedule\.everyHours/);

    expect(readFileSync(settingsPath)).toEqual(bytesBefore);
    expect(store.getConfig()).toEqual(validConfig);
  });

  it('tells subscribers about changes until they unsubscribe, and not about saves that change nothing', () => {
    const store = new SettingsStore({ cwd: dir });
    const changes: ConfigChange[] = [];
    const unsubscribe = store.onConfigChange((change) => changes.push(change));

    store.setConfig(validConfig);
    store.setConfig(validConfig);
    unsubscribe();
    store.setConfig({ ...validConfig, schedule: { everyHours: 6 } });

    expect(changes).toEqual([{ before: null, after: validConfig }]);
  });

  it('keeps the save and the other subscribers going when one subscriber throws', () => {
    const store = new SettingsStore({ cwd: dir });
    const originalConsoleError = console.error;
    console.error = () => {};
    try {
      const seen: ConfigChange[] = [];
      store.onConfigChange(() => {
        throw new Error('subscriber bug');
      });
      store.onConfigChange((change) => seen.push(change));
      expect(() => store.setConfig(validConfig)).not.toThrow();
      expect(seen).toHaveLength(1);
    } finally {
      console.error = originalConsoleError;
    }
    expect(new SettingsStore({ cwd: dir }).getConfig()).toEqual(validConfig);
  });
});

describe('import and export', () => {
  it('imports a valid configuration file', async () => {
    const importPath = join(dir, 'team-setup.json');
    writeFileSync(importPath, JSON.stringify(validConfig));
    const store = new SettingsStore({ cwd: dir });

    await expect(store.importConfig(importPath)).resolves.toEqual(validConfig);
    expect(new SettingsStore({ cwd: dir }).getConfig()).toEqual(validConfig);
  });

  it('refuses an invalid import with an error naming the field, leaving the stored configuration as it was', async () => {
    const store = new SettingsStore({ cwd: dir });
    store.setConfig(validConfig);
    const bytesBefore = readFileSync(settingsPath);
    const importPath = join(dir, 'broken-setup.json');
    writeFileSync(
      importPath,
      JSON.stringify({ ...validConfig, connection: { ...validConfig.connection, region: '' } }),
    );

    const failure = store.importConfig(importPath);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/connection\.region: must name an AWS region/);

    expect(store.getConfig()).toEqual(validConfig);
    expect(readFileSync(settingsPath)).toEqual(bytesBefore);
  });

  it('refuses a pattern the matching engine refuses, on save and on import, yet loads one already stored', async () => {
    const lookbehind = {
      ...validConfig,
      objects: { ...validConfig.objects, accounts: { ...validConfig.objects.accounts!, fileRegex: '^(?<!x)a\\.csv$' } },
    };
    const store = new SettingsStore({ cwd: dir });
    store.setConfig(validConfig);
    const problem = /objects\.accounts\.fileRegex: uses a lookbehind .* Write the text to match itself/;
    expect(() => store.setConfig(lookbehind)).toThrow(problem);
    const importPath = join(dir, 'lookbehind-setup.json');
    writeFileSync(importPath, JSON.stringify(lookbehind));
    await expect(store.importConfig(importPath)).rejects.toThrow(problem);
    expect(store.getConfig()).toEqual(validConfig);

    // Saved by a version that matched with RegExp: the settings stay (its sync names the pattern).
    writeFileSync(settingsPath, JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION, config: lookbehind }));
    const reopened = new SettingsStore({ cwd: dir });
    expect(reopened.startupNotice).toBeNull();
    expect(reopened.getConfig()?.objects.accounts?.fileRegex).toBe('^(?<!x)a\\.csv$');
  });

  it('refuses an import that is not JSON', async () => {
    const store = new SettingsStore({ cwd: dir });
    const importPath = join(dir, 'notes.txt');
    writeFileSync(importPath, 'bucket = acme');
    await expect(store.importConfig(importPath)).rejects.toThrow(/not valid JSON/);
    expect(store.getConfig()).toBeNull();
  });

  it('exports pretty JSON that imports back to an equal configuration', async () => {
    const exporter = new SettingsStore({ cwd: join(dir, 'exporter') });
    exporter.setConfig(validConfig);
    const exportPath = join(dir, 'shared.json');

    await exporter.exportConfig(exportPath);

    const text = readFileSync(exportPath, 'utf8');
    expect(text).toBe(`${JSON.stringify(validConfig, null, 2)}\n`);
    expect(text).not.toMatch(/secret/i);
    const importer = new SettingsStore({ cwd: join(dir, 'importer') });
    await expect(importer.importConfig(exportPath)).resolves.toEqual(exporter.getConfig());
  });

  it('refuses to export when nothing is configured', async () => {
    await expect(new SettingsStore({ cwd: dir }).exportConfig(join(dir, 'out.json'))).rejects.toThrow(
      /no configuration to export/,
    );
  });
});

describe('describeConfigChange', () => {
  const unchanged = { scheduleChanged: false, mappingChanged: false, connectionChanged: false };

  it('reports nothing for equal configurations, even when a field is undefined on one side and missing on the other', () => {
    const withUndefinedDelimiter: SyncConfig = {
      ...validConfig,
      objects: { ...validConfig.objects, accounts: { ...validConfig.objects.accounts!, delimiter: undefined } },
    };
    expect(describeConfigChange(validConfig, structuredClone(validConfig))).toEqual(unchanged);
    expect(describeConfigChange(validConfig, withUndefinedDelimiter)).toEqual(unchanged);
    expect(describeConfigChange(null, null)).toEqual(unchanged);
  });

  it('reports a schedule change', () => {
    expect(describeConfigChange(validConfig, { ...validConfig, schedule: { everyHours: null } })).toEqual({
      ...unchanged,
      scheduleChanged: true,
    });
  });

  it.each([
    ['a column', { ...validConfig.objects, users: { ...validConfig.objects.users!, emailColumn: 'mail' } }],
    ['enabled', { ...validConfig.objects, users: { ...validConfig.objects.users!, enabled: false } }],
    ['fileRegex', { ...validConfig.objects, accounts: { ...validConfig.objects.accounts!, fileRegex: '^acc/' } }],
    [
      'an added object type',
      {
        ...validConfig.objects,
        nps: {
          enabled: true,
          fileRegex: 'nps',
          idColumn: 'id',
          userIdColumn: 'u',
          scoreColumn: 's',
          timestampColumn: 't',
        },
      },
    ],
    ['a removed object type', { accounts: validConfig.objects.accounts }],
  ])('reports a mapping change when %s differs', (_label, objects) => {
    expect(describeConfigChange(validConfig, { ...validConfig, objects })).toEqual({
      ...unchanged,
      mappingChanged: true,
    });
  });

  it('reports a connection change', () => {
    const after = { ...validConfig, connection: { ...validConfig.connection, endpoint: 'http://127.0.0.1:9000' } };
    expect(describeConfigChange(validConfig, after)).toEqual({ ...unchanged, connectionChanged: true });
  });

  it('treats no configuration as no connection, no mappings and the schedule off', () => {
    const offSchedule = { ...validConfig, schedule: { everyHours: null } };
    expect(describeConfigChange(null, offSchedule)).toEqual({
      scheduleChanged: false,
      mappingChanged: true,
      connectionChanged: true,
    });
    expect(describeConfigChange(validConfig, null)).toEqual({
      scheduleChanged: true,
      mappingChanged: true,
      connectionChanged: true,
    });
  });
});
