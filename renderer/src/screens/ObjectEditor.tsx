// One object type's mapping: the sync switch, the file pattern with its live preview, the column
// pickers filled from the first selected file (with its first rows), the mode, and for Tracks the
// kind of object the events relate to.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ObjectMapping, ObjectType, SampleResult } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { Banner, ProblemsBanner } from '../components/Banner';
import { SelectField, TextField } from '../components/Field';
import { Switch } from '../components/Switch';
import {
  columnSpecs,
  hasMode,
  leftoverColumnsNote,
  OBJECT_LABELS,
  OBJECT_NOUNS,
  TRACK_TARGETS,
  type ColumnField,
  type TrackTarget,
} from '../lib/object-types';
import { useDebounced } from '../lib/use-debounced';
import { headerHas } from '../../../electron/shared/header-names';
import { filePatternMessage, globToRegex, looksLikeGlob, PATTERN_EXAMPLES } from '../lib/file-patterns';
import { FilePreview, SampleTable, type Loadable, type PreviewState } from './FilePreview';

/** Pause after the last keystroke before the bucket is listed again. */
export const PREVIEW_DEBOUNCE_MS = 400;
const CSV_NAME = /\.(csv|tsv|txt)(\.gz)?$/i;

const DELIMITERS = [
  { value: '', label: 'Detect from the header' },
  { value: ',', label: 'Comma ( , )' },
  { value: ';', label: 'Semicolon ( ; )' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe ( | )' },
] as const;
type Delimiter = ',' | ';' | '\t' | '|';

// The encoding of files without a byte order mark; a BOM in the file always wins (see README).
// The values come from the contract's type, so an encoding the back end drops fails to compile here.
type Encoding = Exclude<NonNullable<ObjectMapping['encoding']>, 'utf-8'>;
const ENCODINGS = [
  { value: '', label: 'UTF-8 (default)' },
  { value: 'utf-16le', label: 'UTF-16 LE' },
  { value: 'windows-1252', label: 'Windows-1252 (older Windows and Excel exports)' },
] as const satisfies readonly { value: '' | Encoding; label: string }[];

interface Draft {
  enabled: boolean;
  fileRegex: string;
  delimiter: '' | Delimiter;
  /** '' is UTF-8, left out of the saved mapping. */
  encoding: '' | Encoding;
  mode: 'create_update' | 'update_only';
  target: TrackTarget;
  columns: Partial<Record<ColumnField, string>>;
}

let previewCount = 0;
/**
 * Unique enough to tell this window's previews apart from any other's (events reach every window of the web preview).
 */
function newPreviewId(type: ObjectType): string {
  previewCount += 1;
  return `${type}-${previewCount}-${Math.random().toString(36).slice(2, 10)}`;
}

function draftFrom(mapping: ObjectMapping | undefined): Draft {
  const record = (mapping ?? {}) as Record<string, unknown>;
  const columns: Partial<Record<ColumnField, string>> = {};
  for (const [key, value] of Object.entries(record))
    if (key.endsWith('Column') && typeof value === 'string') columns[key as ColumnField] = value;
  return {
    enabled: mapping?.enabled ?? false,
    fileRegex: mapping?.fileRegex ?? '',
    delimiter: mapping?.delimiter ?? '',
    encoding: mapping?.encoding && mapping.encoding !== 'utf-8' ? mapping.encoding : '',
    mode: (record.mode as Draft['mode'] | undefined) ?? 'create_update',
    target: (record.target as TrackTarget | undefined) ?? 'user',
    columns,
  };
}

/** The mapping as the config schema wants it; null when switched off and not complete enough to keep. */
function buildMapping(type: ObjectType, draft: Draft): Record<string, unknown> {
  const mapping: Record<string, unknown> = { enabled: draft.enabled, fileRegex: draft.fileRegex };
  if (draft.delimiter) mapping.delimiter = draft.delimiter;
  if (draft.encoding) mapping.encoding = draft.encoding;
  if (hasMode(type)) mapping.mode = draft.mode;
  if (type === 'tracks') mapping.target = draft.target;
  for (const spec of columnSpecs(type, draft.target)) {
    const chosen = draft.columns[spec.field];
    if (chosen) mapping[spec.field] = chosen;
    else if (!spec.required) mapping[spec.field] = null;
  }
  return mapping;
}

export function ObjectEditor({ type, saved }: { type: ObjectType; saved: ObjectMapping | undefined }) {
  const { api, overview, refreshOverview, notify, objectDrafts } = useApp();
  // An unsaved draft left on another screen comes back as it was.
  const [draft, setDraft] = useState<Draft>(() => (objectDrafts.get(type) as Draft | undefined) ?? draftFrom(saved));
  const [preview, setPreview] = useState<PreviewState>({ status: 'idle' });
  const [sample, setSample] = useState<Loadable<SampleResult>>({ status: 'idle' });
  const [showAllFiles, setShowAllFiles] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveProblems, setSaveProblems] = useState<string[]>([]);
  const [triedToSave, setTriedToSave] = useState(false);
  const [previewNonce, setPreviewNonce] = useState(0);
  const label = OBJECT_LABELS[type];
  const noun = OBJECT_NOUNS[type];
  const specs = columnSpecs(type, draft.target);
  const idPrefix = `map-${type}`;

  // A new saved mapping (after a save, or an import) becomes the draft.
  const savedJson = JSON.stringify(saved ?? null);
  const lastSavedJson = useRef(savedJson);
  useEffect(() => {
    if (lastSavedJson.current === savedJson) return;
    lastSavedJson.current = savedJson;
    setDraft(draftFrom(saved));
  }, [savedJson, saved]);

  const debouncedRegex = useDebounced(draft.fileRegex, PREVIEW_DEBOUNCE_MS);
  // Checked by the engine that matches (shared/file-pattern.ts), in the words the preview and the CLI
  // use; once typing pauses, so a half-typed "(" is not flagged at every keystroke, and while typing
  // no message is left standing that was about the text before.
  const settledProblem = useMemo(() => filePatternMessage(debouncedRegex), [debouncedRegex]);
  const invalidRegex = draft.fileRegex === debouncedRegex ? settledProblem : null;
  const connectionJson = JSON.stringify(overview.config?.connection ?? null);

  // The live preview: list the bucket with the pattern once typing pauses, showing the matches as the
  // pages are listed (previewProgress). A newer pattern cancels the older listing; late answers and
  // events of another preview are dropped.
  useEffect(() => {
    if (!debouncedRegex || settledProblem) {
      setPreview({ status: 'idle' });
      return;
    }
    let current = true;
    let finished = false;
    const previewId = newPreviewId(type);
    setPreview({ status: 'loading' });
    const unsubscribe = api.on('previewProgress', (progress) => {
      if (current && !finished && progress.previewId === previewId) setPreview({ status: 'partial', progress });
    });
    api
      .previewFiles({ type, fileRegex: debouncedRegex, previewId })
      .then((result) => current && setPreview({ status: 'done', result }))
      .catch((error: Error) => current && setPreview({ status: 'done', result: { ok: false, message: error.message } }))
      .finally(() => {
        finished = true;
        unsubscribe();
      });
    return () => {
      current = false;
      unsubscribe();
      // Stop the listing on the back end too: a large prefix would otherwise be listed to its end for nothing.
      if (!finished) api.cancelPreview({ previewId }).catch(() => undefined);
    };
  }, [api, type, debouncedRegex, settledProblem, connectionJson, previewNonce]);

  // The first match never changes once listed (key order): the pickers need not wait for the count.
  // The pickers read the first file that can be a CSV (a README or an empty export first in key order would
  // give prose "columns"); while still listing, the first one named like a CSV.
  const firstKey =
    preview.status === 'done' && preview.result.ok
      ? (preview.result.selected.find((f) => !f.notCsv)?.key ?? null)
      : preview.status === 'partial'
        ? ((preview.progress.selected.find((f) => CSV_NAME.test(f.key)) ?? preview.progress.selected[0])?.key ?? null)
        : null;

  // The column pickers read the header (and first rows) of the first selected file.
  useEffect(() => {
    if (!firstKey) {
      setSample({ status: 'idle' });
      return;
    }
    let current = true;
    setSample({ status: 'loading' });
    api
      .sampleFile({
        type,
        key: firstKey,
        ...(draft.delimiter ? { delimiter: draft.delimiter } : {}),
        ...(draft.encoding ? { encoding: draft.encoding } : {}),
      })
      .then((result) => current && setSample({ status: 'done', result }))
      .catch((error: Error) => current && setSample({ status: 'done', result: { ok: false, message: error.message } }));
    return () => {
      current = false;
    };
  }, [api, type, firstKey, draft.delimiter, draft.encoding]);

  const sampleColumns = sample.status === 'done' && sample.result.ok ? sample.result.columns : null;
  const sampleKey = sample.status === 'done' && sample.result.ok ? sample.result.key : null;
  const sampleDelimiter = sample.status === 'done' && sample.result.ok ? sample.result.delimiter : null;

  // A type never saved before gets its pickers pre-filled from column names that suggest themselves.
  useEffect(() => {
    if (!sampleColumns || saved) return;
    setDraft((current) => {
      const columns = { ...current.columns };
      let changed = false;
      for (const spec of columnSpecs(type, current.target)) {
        if (columns[spec.field]) continue;
        const guess = sampleColumns.find((c) => spec.guesses.includes(c.toLowerCase()));
        if (guess) {
          columns[spec.field] = guess;
          changed = true;
        }
      }
      return changed ? { ...current, columns } : current;
    });
  }, [sampleColumns, saved, type]);

  /** What would make this mapping fail, per field; checked live, enforced on save. */
  const problems = useMemo(() => {
    const byField: Partial<Record<ColumnField | 'fileRegex', string>> = {};
    if (invalidRegex) byField.fileRegex = invalidRegex;
    else if (!draft.fileRegex)
      byField.fileRegex = `Type a pattern: which files hold ${noun.plural}? (.* selects every file)`;
    for (const spec of specs) {
      const chosen = draft.columns[spec.field];
      if (!chosen && spec.required)
        byField[spec.field] =
          `Choose the column that holds the ${spec.label.replace(/ column$/, '').replace(/^./, (c) => c.toLowerCase())}: it is required.`;
      else if (chosen && sampleColumns && !headerHas(sampleColumns, chosen))
        byField[spec.field] = `“${chosen}” is not a column of ${sampleKey}.`;
    }
    return byField;
  }, [invalidRegex, draft, specs, sampleColumns, sampleKey, noun]);
  const problemList = Object.values(problems);
  const complete = problemList.length === 0;

  const dirty =
    JSON.stringify(buildMapping(type, draft)) !==
    JSON.stringify(saved ? buildMapping(type, draftFrom(saved)) : buildMapping(type, draftFrom(undefined)));

  useEffect(() => {
    if (dirty) objectDrafts.set(type, draft);
    else objectDrafts.delete(type);
  }, [objectDrafts, type, dirty, draft]);

  function change(patch: Partial<Draft>) {
    setDraft((current) => ({ ...current, ...patch }));
    setSaveProblems([]);
  }

  function setColumn(field: ColumnField, value: string) {
    setDraft((current) => ({ ...current, columns: { ...current.columns, [field]: value } }));
    setSaveProblems([]);
  }

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setTriedToSave(true);
    // Switched on, the mapping must work. Switched off, a complete mapping is kept for later and an
    // incomplete one is dropped (the type is not synced either way). A pattern typed less than the
    // debounce ago is checked by the back end, which refuses it in the same words.
    if (draft.enabled && !complete) {
      document.getElementById(`${idPrefix}-problems`)?.focus();
      return;
    }
    const mapping = draft.enabled || complete ? buildMapping(type, draft) : null;
    setSaving(true);
    try {
      const result = await api.saveMapping({ type, mapping: mapping as ObjectMapping | null });
      if (!result.ok) {
        setSaveProblems(result.problems.length ? result.problems : [result.message]);
        return;
      }
      await refreshOverview();
      setTriedToSave(false);
      const syncing = result.scheduler.running ? ' A sync has started to apply it.' : '';
      notify(
        'success',
        mapping === null
          ? `${label} switched off: nothing is synced for them.`
          : !draft.enabled
            ? `${label} mapping saved, switched off: no ${noun.singular} is synced until you switch it on and save.`
            : `${label} mapping saved.${syncing}`,
      );
    } catch (error) {
      setSaveProblems([(error as Error).message]);
    } finally {
      setSaving(false);
    }
  }

  const showProblems = triedToSave || sampleColumns !== null;
  const mappedColumns = new Map<string, string>();
  for (const spec of specs) {
    const chosen = draft.columns[spec.field];
    if (chosen) mappedColumns.set(chosen, spec.label.replace(/ column$/, ''));
  }
  const leftover = sampleColumns?.filter((c) => !mappedColumns.has(c)) ?? [];

  return (
    <form className="object-editor" onSubmit={(event) => void onSave(event)} noValidate aria-label={`${label} mapping`}>
      <div className="card">
        <div className="editor-head">
          <Switch
            label={`Sync ${noun.plural}`}
            checked={draft.enabled}
            onChange={(enabled) => change({ enabled })}
            hint={
              draft.enabled
                ? undefined
                : type === 'organizations'
                  ? 'Off: no organization is synced. Not every workspace uses organizations; accounts and users can still name one.'
                  : `Off: no ${noun.singular} is synced.`
            }
          />
          <div className="editor-state" aria-live="polite">
            {dirty ? (
              <span className="badge badge-warning">Unsaved changes</span>
            ) : saved ? (
              <span className="badge badge-neutral">Saved</span>
            ) : null}
          </div>
        </div>

        <TextField
          id={`${idPrefix}-pattern`}
          label="File pattern"
          className="mono-input"
          value={draft.fileRegex}
          onChange={(e) => change({ fileRegex: e.target.value })}
          error={invalidRegex ?? (showProblems && draft.enabled ? (problems.fileRegex ?? null) : null)}
          placeholder={PATTERN_EXAMPLES[type]}
          spellCheck={false}
          autoComplete="off"
          hint={
            <>
              A regular expression (RE2 rules: no lookahead, lookbehind or backreferences), tested against each key with
              the prefix <span className="mono">{overview.config?.connection.prefix || '(none)'}</span> removed. Up to
              1,000 files are read, in S3 key order.
            </>
          }
        />
        {looksLikeGlob(draft.fileRegex) && (
          <Banner tone="warning" title="File patterns are regular expressions, not wildcards">
            <p>
              In a regular expression <span className="mono">*</span> repeats what comes before it, so{' '}
              <span className="mono">{draft.fileRegex}</span> is not “any name”. The regular expression for that is{' '}
              <span className="mono">{globToRegex(draft.fileRegex)}</span>.
            </p>
            <button
              type="button"
              className="btn btn-secondary btn-small"
              onClick={() => change({ fileRegex: globToRegex(draft.fileRegex) })}
            >
              Use {globToRegex(draft.fileRegex)}
            </button>
          </Banner>
        )}
        <FilePreview
          preview={preview}
          pending={draft.fileRegex !== debouncedRegex && !invalidRegex}
          showAll={showAllFiles}
          onShowAll={() => setShowAllFiles(true)}
          onRefresh={() => setPreviewNonce((n) => n + 1)}
          prefix={overview.config?.connection.prefix ?? ''}
        />
      </div>

      <div className="card">
        <h2 className="card-title">Columns</h2>
        {sample.status === 'loading' && (
          <p className="muted" role="status">
            Reading the header of {firstKey}…
          </p>
        )}
        {sample.status === 'idle' && (
          <p className="muted">The pickers fill with the columns of the first file the pattern selects.</p>
        )}
        {sample.status === 'done' && !sample.result.ok && (
          <Banner tone="warning" title="The first file could not be read">
            {sample.result.message}
          </Banner>
        )}
        {sampleKey && (
          <p className="muted">
            Columns of <span className="mono">{sampleKey}</span>
            {sampleDelimiter !== null &&
              ` (delimiter: ${DELIMITERS.find((d) => d.value === sampleDelimiter)?.label ?? sampleDelimiter})`}
            .
          </p>
        )}

        {type === 'tracks' && (
          <fieldset className="radio-group">
            <legend>Events relate to</legend>
            {TRACK_TARGETS.map((t) => (
              <label key={t.value} className="radio">
                <input
                  type="radio"
                  name={`${idPrefix}-target`}
                  value={t.value}
                  checked={draft.target === t.value}
                  onChange={() => change({ target: t.value })}
                />
                {t.label}
              </label>
            ))}
          </fieldset>
        )}

        <div className="form-grid">
          {specs.map((spec) => {
            const chosen = draft.columns[spec.field] ?? '';
            const missing = chosen && sampleColumns && !headerHas(sampleColumns, chosen);
            const error = showProblems && (draft.enabled || missing) ? (problems[spec.field] ?? null) : null;
            return (
              <SelectField
                key={spec.field}
                id={`${idPrefix}-${spec.field}`}
                label={`${spec.label}${spec.required ? '' : ' (optional)'}`}
                value={chosen}
                onChange={(e) => setColumn(spec.field, e.target.value)}
                error={error}
              >
                <option value="">{spec.required ? 'Choose a column…' : 'Not mapped'}</option>
                {missing && <option value={chosen}>{chosen} (not in this file)</option>}
                {chosen && !missing && sampleColumns && !sampleColumns.includes(chosen) && (
                  <option value={chosen}>{chosen} (matched ignoring case and spaces)</option>
                )}
                {!sampleColumns && chosen && <option value={chosen}>{chosen}</option>}
                {sampleColumns?.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </SelectField>
            );
          })}
          <SelectField
            id={`${idPrefix}-delimiter`}
            label="Delimiter"
            value={draft.delimiter}
            onChange={(e) => change({ delimiter: e.target.value as Draft['delimiter'] })}
          >
            {DELIMITERS.map((d) => (
              <option key={d.label} value={d.value}>
                {d.label}
              </option>
            ))}
          </SelectField>
          <SelectField
            id={`${idPrefix}-encoding`}
            label="Encoding"
            value={draft.encoding}
            onChange={(e) => change({ encoding: e.target.value as Draft['encoding'] })}
          >
            {ENCODINGS.map((encoding) => (
              <option key={encoding.value} value={encoding.value}>
                {encoding.label}
              </option>
            ))}
          </SelectField>
        </div>

        {sampleColumns && (
          <p className="hint">
            {leftoverColumnsNote(type)}
            {type !== 'nps' && (leftover.length ? `: ${leftover.join(', ')}.` : ': none left.')}
          </p>
        )}

        {sample.status === 'done' && sample.result.ok && (
          <SampleTable columns={sample.result.columns} rows={sample.result.rows} roles={mappedColumns} />
        )}

        {hasMode(type) && (
          <fieldset className="radio-group">
            <legend>When a row’s ID is not in the database yet</legend>
            <label className="radio">
              <input
                type="radio"
                name={`${idPrefix}-mode`}
                value="create_update"
                checked={draft.mode === 'create_update'}
                onChange={() => change({ mode: 'create_update' })}
              />
              Create and update <span className="muted">— create new {noun.plural}, update the others</span>
            </label>
            <label className="radio">
              <input
                type="radio"
                name={`${idPrefix}-mode`}
                value="update_only"
                checked={draft.mode === 'update_only'}
                onChange={() => change({ mode: 'update_only' })}
              />
              Update only <span className="muted">— skip rows whose ID is unknown (counted as skipped)</span>
            </label>
          </fieldset>
        )}
      </div>

      {draft.enabled && showProblems && problemList.length > 0 && (
        <div id={`${idPrefix}-problems`} tabIndex={-1} className="banner banner-warning" role="status">
          <div className="banner-body">
            <p className="banner-title">This mapping cannot work yet</p>
            <ul className="banner-text">
              {problemList.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <ProblemsBanner title="The mapping was not saved" problems={saveProblems} />

      <div className="form-actions">
        {dirty && (
          <button type="button" className="btn btn-ghost" onClick={() => setDraft(draftFrom(saved))}>
            Discard changes
          </button>
        )}
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : `Save ${label}`}
        </button>
      </div>
    </form>
  );
}
