// The Objects screen's file preview (the files a pattern selects, counted while the listing goes on)
// and the sample of the first selected file, with the mapped columns marked.
import type { PreviewFile, PreviewProgress, PreviewResult } from '../../../electron/shared/contract';
import { Banner } from '../components/Banner';
import { formatBytes, formatDateTime, formatNumber, plural } from '../lib/format';
import { foldHeaderName } from '../../../electron/shared/header-names';

const PREVIEW_ROWS_SHOWN = 100;
const SAMPLE_ROWS_SHOWN = 10;

export type Loadable<T> = { status: 'idle' } | { status: 'loading' } | { status: 'done'; result: T };
/** A preview still listing may already show its matches so far. */
export type PreviewState = Loadable<PreviewResult> | { status: 'partial'; progress: PreviewProgress };

/** "N files match" (so far, while listing), and the matches beyond the 1000-file cap. */
function MatchCount({ matches, overCap, soFar = false }: { matches: number; overCap: number; soFar?: boolean }) {
  const tail = soFar ? ' so far' : '';
  return (
    <>
      <strong>
        {matches === 0
          ? `No file matches${tail}`
          : `${plural(matches, 'file')} ${matches === 1 ? 'matches' : 'match'}${tail}`}
      </strong>
      {overCap > 0 && (
        <span className="over-cap">{plural(overCap, 'file')} beyond the 1,000-file limit will not be read</span>
      )}
    </>
  );
}

export function FilePreview({
  preview,
  pending,
  showAll,
  onShowAll,
  onRefresh,
  prefix,
}: {
  preview: PreviewState;
  pending: boolean;
  showAll: boolean;
  onShowAll: () => void;
  onRefresh: () => void;
  prefix: string;
}) {
  if (preview.status === 'idle') return null;
  if (preview.status === 'loading' || pending) {
    return (
      <p className="preview-summary muted" role="status">
        Listing the bucket…
      </p>
    );
  }
  if (preview.status === 'partial') {
    // Still listing: the matches so far, and how far the count has got.
    const { selected, overCap, listedCount } = preview.progress;
    const matches = selected.length + overCap;
    return (
      <div className="file-preview" aria-busy="true">
        <div className="preview-summary" role="status">
          <MatchCount matches={matches} overCap={overCap} soFar />
          <span className="muted">
            — still counting: {formatNumber(listedCount)} of the keys under the prefix listed…
          </span>
        </div>
        <PreviewTable files={selected} showAll={showAll} onShowAll={onShowAll} prefix={prefix} />
      </div>
    );
  }
  const result = preview.result;
  if (!result.ok)
    return (
      <Banner tone="error" title="The files could not be listed">
        {result.message}
      </Banner>
    );
  return (
    <div className="file-preview">
      <div className="preview-summary" role="status">
        <MatchCount matches={result.selected.length + result.overCap} overCap={result.overCap} />
        <span className="muted">out of {plural(result.listedCount, 'file')} under the prefix</span>
        <button type="button" className="btn btn-link" onClick={onRefresh}>
          Refresh
        </button>
      </div>
      {result.warning && (
        <Banner tone="warning" title="Check the prefix">
          {result.warning}
        </Banner>
      )}
      <NotCsvSummary files={result.selected} />
      <HeaderDiffSummary files={result.selected} />
      <PreviewTable files={result.selected} showAll={showAll} onShowAll={onShowAll} prefix={prefix} />
    </div>
  );
}

/**
 * How a file's header differs from the first file's ("new “MRR (USD)”; missing “MRR”"), ignoring case
 * and spaces; null when it does not.
 */
function headerDiff(reference: PreviewFile, file: PreviewFile): string | null {
  if (!reference.columns || !file.columns) return null;
  const folded = (names: string[]) => new Set(names.map(foldHeaderName));
  const [before, now] = [folded(reference.columns), folded(file.columns)];
  const added = file.columns.filter((c) => c && !before.has(foldHeaderName(c)));
  const missing = reference.columns.filter((c) => c && !now.has(foldHeaderName(c)));
  if (added.length === 0 && missing.length === 0) return null;
  const list = (names: string[]) => names.map((n) => `“${n}”`).join(', ');
  return [added.length ? `new ${list(added)}` : '', missing.length ? `missing ${list(missing)}` : '']
    .filter(Boolean)
    .join('; ');
}

/** The selected files whose header differs from the first file's (renamed, new, missing columns). */
function HeaderDiffSummary({ files }: { files: PreviewFile[] }) {
  const reference = files.find((f) => f.columns);
  const differing = reference ? files.filter((f) => f !== reference && headerDiff(reference, f)) : [];
  if (!reference || differing.length === 0) return null;
  return (
    <Banner
      tone="warning"
      title={`${plural(differing.length, 'selected file')} ${differing.length === 1 ? 'has' : 'have'} a different header from ${reference.key}`}
    >
      Mapped columns are found ignoring case and spaces; a renamed column needs its new name as an alias (columnAliases)
      or it fails the file if mapped, and becomes a new trait if not. The files are marked below.
    </Banner>
  );
}

/** The selected files that cannot be CSVs: a sync would fail on each of them. */
function NotCsvSummary({ files }: { files: PreviewFile[] }) {
  const notCsv = files.filter((f) => f.notCsv);
  if (notCsv.length === 0) return null;
  return (
    <Banner
      tone="warning"
      title={`${plural(notCsv.length, 'selected file')} ${notCsv.length === 1 ? 'is' : 'are'} not CSV`}
    >
      A sync would fail on {notCsv.length === 1 ? 'it' : 'them'}: {notCsv.map((f) => f.key).join(', ')}. Narrow the
      pattern (ending it with <span className="mono">\.csv$</span> leaves out other names), or move{' '}
      {notCsv.length === 1 ? 'it' : 'them'} out of the prefix.
    </Banner>
  );
}

function PreviewTable({
  files,
  showAll,
  onShowAll,
  prefix,
}: {
  files: PreviewFile[];
  showAll: boolean;
  onShowAll: () => void;
  prefix: string;
}) {
  if (files.length === 0) return null;
  const shown = showAll ? files : files.slice(0, PREVIEW_ROWS_SHOWN);
  const reference = files.find((f) => f.columns);
  return (
    <>
      <div className="table-wrap preview-table">
        <table className="table">
          <caption className="visually-hidden">Files the pattern selects, in S3 key order</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Last modified</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((file) => (
              <tr key={file.key}>
                <td className="mono">
                  <span className="key-prefix">{file.key.startsWith(prefix) ? prefix : ''}</span>
                  {file.key.startsWith(prefix) ? file.key.slice(prefix.length) : file.key}
                  {file.notCsv && (
                    <div className="cell-warning">
                      <span className="badge badge-warning">Not a CSV</span> {file.notCsv}
                    </div>
                  )}
                  {reference && file !== reference && headerDiff(reference, file) && (
                    <div className="cell-warning">
                      <span className="badge badge-warning">Header differs</span> {headerDiff(reference, file)}
                    </div>
                  )}
                </td>
                <td className="num">{formatBytes(file.size)}</td>
                <td>{formatDateTime(file.lastModified)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown.length < files.length && (
        <button type="button" className="btn btn-link" onClick={onShowAll}>
          Show all {formatNumber(files.length)} files
        </button>
      )}
    </>
  );
}

export function SampleTable({
  columns,
  rows,
  roles,
}: {
  columns: string[];
  rows: string[][];
  roles: Map<string, string>;
}) {
  if (rows.length === 0) return <p className="muted">The file has a header but no rows.</p>;
  return (
    <div className="table-wrap sample-table">
      <table className="table table-compact">
        <caption className="visually-hidden">First rows of the file</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                <span className="mono">{c}</span>
                {roles.has(c) && <span className="column-role">{roles.get(c)}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, SAMPLE_ROWS_SHOWN).map((row, i) => (
            <tr key={i}>
              {columns.map((c, j) => (
                <td key={c}>{row[j] ?? ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
