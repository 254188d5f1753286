// The app's own copy of the configuration: one settings file in a directory the caller chooses
// (the Electron shell passes app.getPath('userData'); tests pass a temp dir). Plain Node, no 'electron'.
// Writes through `conf` (atomic); reads, migrates and validates the file itself (docs/configuration.md).
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Conf from 'conf';
import { ConfigError, OBJECT_TYPES, parseConfig, type SyncConfig } from '../../shared/config';
import { loadConfigFile } from './config-file';

/** What the settings file holds. Bump CURRENT_SCHEMA_VERSION (by adding a migration) when this changes. */
export interface SettingsDocument {
  schemaVersion: number;
  /** null until the user has set up a connection (or after a damaged file was set aside). */
  config: SyncConfig | null;
}

type JsonObject = Record<string, unknown>;

/**
 * MIGRATIONS[n - 1] turns a version-n document into a version n+1 document; the loader runs them in
 * order, so each one only needs to know its own two layouts. It must not validate: the result is checked
 * against the current schema once all migrations have run.
 */
const MIGRATIONS: ReadonlyArray<(document: JsonObject) => JsonObject> = [
  // Version 1 is the initial pre-release layout: the configuration stored flat at the top level
  // ({ connection, objects, schedule: { hours } }) with no version field at all, and `{}` for "not set up".
  function nestConfigAndRenameScheduleHours(version1) {
    if (Object.keys(version1).length === 0) return { config: null };
    const { schedule, ...rest } = version1;
    if (!isJsonObject(schedule)) return { config: version1 };
    const { hours, ...otherScheduleFields } = schedule;
    // Any other schedule field is left for validation to name, rather than dropped unseen.
    return { config: { ...rest, schedule: { ...otherScheduleFields, everyHours: hours ?? null } } };
  },
];

export const CURRENT_SCHEMA_VERSION = MIGRATIONS.length + 1;

/** conf adds the .json extension. */
const SETTINGS_CONFIG_NAME = 'settings';

/** Shown to the user when the settings file had to be set aside at startup. */
export interface SettingsNotice {
  /** Why the file could not be used, e.g. "it is not valid JSON". */
  reason: string;
  /** Where the unreadable file now lives, byte for byte as it was. */
  keptAs: string;
  /** A complete sentence for the UI. */
  message: string;
}

export interface ConfigChange {
  before: SyncConfig | null;
  after: SyncConfig | null;
}

export type ConfigChangeListener = (change: ConfigChange) => void;

export interface SettingsStoreOptions {
  /** The directory that holds settings.json; created when missing. */
  cwd: string;
  /** The clock used to name a set-aside file; tests fix it. */
  now?: () => Date;
}

/** A settings file that cannot be used; `reason` completes "Your settings file could not be read (…)". */
class UnusableSettingsError extends Error {}

export class SettingsStore {
  /** The settings file's absolute path. */
  readonly path: string;
  /** Set when the file found at startup could not be used and was renamed; null otherwise. */
  readonly startupNotice: SettingsNotice | null;

  readonly #conf: Conf<SettingsDocument>;
  #config: SyncConfig | null;
  readonly #listeners = new Set<ConfigChangeListener>();

  constructor({ cwd, now = () => new Date() }: SettingsStoreOptions) {
    this.path = resolve(cwd, `${SETTINGS_CONFIG_NAME}.json`);
    // Loaded before conf is constructed, because conf's constructor reads the file and throws if it is damaged.
    const loaded = loadSettingsFile(this.path, now);
    this.#conf = new Conf<SettingsDocument>({
      cwd,
      configName: SETTINGS_CONFIG_NAME,
      accessPropertiesByDotNotation: false,
    });
    if (loaded.migrated) this.#write(loaded.document);
    this.#config = loaded.document.config;
    this.startupNotice = loaded.notice;
  }

  /** The stored configuration, or null when none has been set up. A copy: changing it changes nothing. */
  getConfig(): SyncConfig | null {
    return structuredClone(this.#config);
  }

  /**
   * Validates and stores a configuration, then tells subscribers if it differs from the stored one.
   * Takes `unknown` because it validates: values from the renderer or a file need no cast.
   * @throws ConfigError naming each wrong field; the settings file is then left untouched.
   */
  setConfig(candidate: unknown): SyncConfig {
    const config = parseConfig(candidate);
    this.#write({ schemaVersion: CURRENT_SCHEMA_VERSION, config });
    const before = this.#config;
    this.#config = config;
    if (!sameAsStored(before, config)) this.#notify({ before, after: config });
    return structuredClone(config);
  }

  /** Calls `listener` after each save that changes the configuration; returns the unsubscribe function. */
  onConfigChange(listener: ConfigChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Replaces the stored configuration with the one in a JSON file (e.g. shared by a teammate).
   * @throws ConfigError naming the file and each wrong field; the stored configuration is then unchanged.
   */
  async importConfig(path: string): Promise<SyncConfig> {
    return this.setConfig(await loadConfigFile(path));
  }

  /** Writes the stored configuration as pretty JSON; it holds no secret (the shape has none). */
  async exportConfig(path: string): Promise<void> {
    if (!this.#config) throw new Error('There is no configuration to export yet: set up a connection first.');
    await writeFile(path, `${JSON.stringify(this.#config, null, 2)}\n`, 'utf8');
  }

  #write(document: SettingsDocument): void {
    this.#conf.store = document;
  }

  #notify(change: ConfigChange): void {
    for (const listener of this.#listeners) {
      // The save has happened; one failing subscriber must neither undo it nor starve the others.
      try {
        listener({ before: structuredClone(change.before), after: structuredClone(change.after) });
      } catch (error) {
        console.error('A settings change listener failed:', error);
      }
    }
  }
}

/**
 * Reads the settings file, upgrading an older layout. A file that cannot be used is renamed out of the way
 * (never rewritten, so nothing in it is lost) and reported in `notice`.
 */
function loadSettingsFile(
  path: string,
  now: () => Date,
): { document: SettingsDocument; migrated: boolean; notice: SettingsNotice | null } {
  const empty = { document: { schemaVersion: CURRENT_SCHEMA_VERSION, config: null }, migrated: false };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...empty, notice: null };
    throw error;
  }
  try {
    return { ...parseSettingsText(text), notice: null };
  } catch (error) {
    if (!(error instanceof UnusableSettingsError)) throw error;
    const keptAs = setAside(path, now());
    const message =
      `Your settings file could not be read (${error.message}); it was kept as ${keptAs}. ` +
      'S3 CSV Sync has started without a configuration: set up the connection again, or import a configuration file.';
    return { ...empty, notice: { reason: error.message, keptAs, message } };
  }
}

function setAside(path: string, at: Date): string {
  const extension = extname(path);
  const stem = join(dirname(path), basename(path, extension));
  // ISO time without milliseconds, ':' replaced because Windows forbids it in file names.
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
  let target = `${stem}.damaged-${stamp}${extension}`;
  for (let attempt = 2; existsSync(target); attempt++) target = `${stem}.damaged-${stamp}-${attempt}${extension}`;
  renameSync(path, target);
  return target;
}

/**
 * Parses, migrates and validates the text of a settings file.
 * @throws UnusableSettingsError with a reason a user can read.
 */
function parseSettingsText(text: string): { document: SettingsDocument; migrated: boolean } {
  if (text.trim() === '') throw new UnusableSettingsError('it is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the damaged bytes, which means nothing to a user.
    throw new UnusableSettingsError('it is not valid JSON');
  }
  if (!isJsonObject(value)) throw new UnusableSettingsError('it does not hold a settings object');

  const storedVersion = readSchemaVersion(value);
  let document = value;
  for (let version = storedVersion; version < CURRENT_SCHEMA_VERSION; version++) {
    const migrate = MIGRATIONS[version - 1]!;
    try {
      document = { ...migrate(document), schemaVersion: version + 1 };
    } catch (error) {
      throw new UnusableSettingsError(
        `it could not be upgraded from settings version ${version}: ${(error as Error).message}`,
      );
    }
  }
  return { document: validateDocument(document), migrated: storedVersion !== CURRENT_SCHEMA_VERSION };
}

function readSchemaVersion(document: JsonObject): number {
  if (!('schemaVersion' in document)) return 1; // version 1 had no version field
  const version = document.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new UnusableSettingsError('its schemaVersion is not a whole number of 1 or more');
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new UnusableSettingsError(
      `it was written by a newer version of S3 CSV Sync: settings version ${version}, this version reads up to ${CURRENT_SCHEMA_VERSION}`,
    );
  }
  return version;
}

function validateDocument(document: JsonObject): SettingsDocument {
  const unknownFields = Object.keys(document).filter((key) => key !== 'schemaVersion' && key !== 'config');
  if (unknownFields.length) {
    throw new UnusableSettingsError(
      `unknown field${unknownFields.length > 1 ? 's' : ''} ${unknownFields.map((k) => `"${k}"`).join(', ')}`,
    );
  }
  if (!('config' in document)) throw new UnusableSettingsError('config: is required');
  if (document.config === null) return { schemaVersion: CURRENT_SCHEMA_VERSION, config: null };
  try {
    // Loaded with the patterns as stored: a pattern RE2 refuses fails its sync, naming it, rather than
    // setting the whole settings file aside.
    return {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      config: parseConfig(document.config, undefined, { filePatterns: false }),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Re-rooted under "config" so each problem names the field as it appears in the file.
    const problems = error.problems.map((problem) =>
      problem.replace(/^\(top level\)/, 'config').replace(/^(?!config:)/, 'config.'),
    );
    throw new UnusableSettingsError(problems.join('; '));
  }
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a scheduler needs to know about a saved change, to decide what to restart. */
export function describeConfigChange(
  before: SyncConfig | null,
  after: SyncConfig | null,
): { scheduleChanged: boolean; mappingChanged: boolean; connectionChanged: boolean } {
  return {
    // No configuration means no schedule, the same as a schedule that is off.
    scheduleChanged: (before?.schedule.everyHours ?? null) !== (after?.schedule.everyHours ?? null),
    mappingChanged: OBJECT_TYPES.some((type) => !sameAsStored(before?.objects[type], after?.objects[type])),
    connectionChanged: !sameAsStored(before?.connection, after?.connection),
  };
}

/** Equal once written to JSON, so a field set to undefined equals a missing one (the file cannot tell them apart). */
function sameAsStored(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(toStoredForm(a), toStoredForm(b));
}

function toStoredForm(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
