// Beside the editor: the starter queries that teach the schema, the analyst's saved queries (kept in
// the settings, exported with the configuration), saving the current one by name, and the tables.
import { useState } from 'react';
import type { QueryTools, SavedQuery } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';

interface QueryLibraryProps {
  tools: QueryTools | null;
  currentSql: string;
  onOpen: (query: SavedQuery) => void;
  onSaved: (saved: SavedQuery[]) => void;
}

export function QueryLibrary({ tools, currentSql, onOpen, onSaved }: QueryLibraryProps) {
  const { api, notify } = useApp();
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  async function save() {
    const result = await api.saveQuery({ name, sql: currentSql });
    if (!result.ok) {
      setProblem(result.problems.length ? result.problems.join('; ') : result.message);
      return;
    }
    setProblem(null);
    setName('');
    onSaved(result.config.savedQueries ?? []);
    notify('success', `Saved the query "${name.trim()}".`);
  }

  async function remove(query: SavedQuery) {
    const result = await api.deleteQuery({ name: query.name });
    if (result.ok) onSaved(result.config.savedQueries ?? []);
    else notify('error', result.message);
  }

  return (
    <aside className="query-library" aria-label="Queries">
      <h2 className="section-title">Starters</h2>
      <ul className="query-list">
        {tools?.starters.map((q) => (
          <li key={q.id}>
            <button type="button" className="btn btn-link" onClick={() => onOpen(q)}>
              {q.name}
            </button>
          </li>
        ))}
      </ul>
      <h2 className="section-title">Saved queries</h2>
      {tools && tools.saved.length === 0 && <p className="muted small">None yet: name the query below and save it.</p>}
      <ul className="query-list">
        {tools?.saved.map((q) => (
          <li key={q.name}>
            <button type="button" className="btn btn-link" onClick={() => onOpen(q)}>
              {q.name}
            </button>
            <button
              type="button"
              className="icon-btn"
              aria-label={`Delete the saved query ${q.name}`}
              onClick={() => void remove(q)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        className="save-query"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label htmlFor="query-name" className="field-label">
          Save this query as
        </label>
        <div className="inline-form">
          <input
            id="query-name"
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Name"
          />
          <button type="submit" className="btn btn-secondary btn-small">
            Save
          </button>
        </div>
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
      </form>
      <details className="schema-list">
        <summary>Tables</summary>
        <ul>
          {tools?.schema.map((t) => (
            <li key={t.name}>
              <span className="mono">{t.name}</span>
              <span className="muted small"> {t.columns.map((c) => c.name).join(', ')}</span>
            </li>
          ))}
        </ul>
      </details>
    </aside>
  );
}
