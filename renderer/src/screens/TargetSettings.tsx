// "Where the data goes", on the Connection screen beside where it comes from: this computer's SQLite
// file, or a shared PostgreSQL database (address, schema, TLS, password into the keychain). Test asks
// the back end to connect exactly as a sync would; the answer is its plain words.
import { useState, type FormEvent } from 'react';
import type { SyncConfig, TargetConfig, TargetInput } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { Banner, ProblemsBanner } from '../components/Banner';
import { SelectField, TextField } from '../components/Field';

const SSL_CHOICES = [
  { value: 'disable', label: 'Off (a trusted network)' },
  { value: 'require', label: 'Encrypted, certificate not checked (require)' },
  { value: 'verify-ca', label: 'Encrypted, certificate checked against the CA (verify-ca)' },
  { value: 'verify-full', label: 'Encrypted, certificate and host name checked (verify-full)' },
] as const;

interface TargetForm {
  kind: 'sqlite' | 'postgres';
  url: string;
  schema: string;
  sslmode: string;
  sslRootCert: string;
  password: string;
}

type FieldName = 'url' | 'schema' | 'sslmode' | 'sslRootCert';

function toForm(target: TargetConfig | undefined): TargetForm {
  const pg = target?.kind === 'postgres' ? target : undefined;
  return {
    kind: pg ? 'postgres' : 'sqlite',
    url: pg?.url ?? '',
    schema: pg?.schema ?? 's3sync',
    sslmode: pg?.sslmode ?? 'disable',
    sslRootCert: pg?.sslRootCert ?? '',
    password: '',
  };
}

function toInput(form: TargetForm): TargetInput {
  if (form.kind === 'sqlite') return { target: { kind: 'sqlite' } };
  const target: TargetConfig = { kind: 'postgres', url: form.url.trim(), schema: form.schema.trim() };
  if (form.sslmode !== 'disable') target.sslmode = form.sslmode as NonNullable<typeof target.sslmode>;
  if (form.sslRootCert.trim()) target.sslRootCert = form.sslRootCert.trim();
  return form.password ? { target, password: form.password } : { target };
}

/** "target.url: must be …" from the back end goes under its field. */
function problemsByField(problems: string[]): { fields: Partial<Record<FieldName, string>>; other: string[] } {
  const fields: Partial<Record<FieldName, string>> = {};
  const other: string[] = [];
  for (const problem of problems) {
    const match = /^target\.(url|schema|sslmode|sslRootCert): (.*)$/.exec(problem);
    if (match) fields[match[1] as FieldName] = `This ${match[2]}`;
    else other.push(problem);
  }
  return { fields, other };
}

export function TargetSettings({ config }: { config: SyncConfig }) {
  const { api, overview, refreshOverview, notify } = useApp();
  const [form, setForm] = useState<TargetForm>(() => toForm(config.target));
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [testResult, setTestResult] = useState<{ ok: boolean; text: string } | null>(null);
  const savedUrl = config.target?.kind === 'postgres' ? config.target.url : null;
  const passwordStored = overview.targetPasswordStored && savedUrl !== null && savedUrl === form.url.trim();

  function update<K extends keyof TargetForm>(key: K, value: TargetForm[K]) {
    setForm((current) => ({ ...current, [key]: value }));
    setErrors((current) => ({ ...current, [key]: undefined }));
    setTestResult(null);
  }

  /** The empty address is caught here, in words; the back end checks the rest. */
  function checkForm(): TargetInput | null {
    setProblems([]);
    if (form.kind === 'postgres' && !form.url.trim()) {
      setErrors({ url: 'Enter the database’s address, for example postgres://sync@db.internal:5432/cs.' });
      document.getElementById('target-url')?.focus();
      return null;
    }
    setErrors({});
    return toInput(form);
  }

  function showProblems(list: string[], message: string) {
    const { fields, other } = problemsByField(list);
    setErrors(fields);
    setProblems(other.length || Object.keys(fields).length ? other : [message]);
  }

  async function onTest() {
    const input = checkForm();
    if (!input) return;
    setBusy('test');
    setTestResult(null);
    try {
      const result = await api.testTarget(input);
      if (!result.ok && result.problems.length) showProblems(result.problems, result.message);
      else setTestResult({ ok: result.ok, text: result.message });
    } catch (error) {
      setTestResult({ ok: false, text: (error as Error).message });
    } finally {
      setBusy(null);
    }
  }

  async function onSave(event: FormEvent) {
    event.preventDefault();
    const input = checkForm();
    if (!input) return;
    setBusy('save');
    try {
      const result = await api.saveTarget(input);
      if (!result.ok) {
        showProblems(result.problems, result.message);
        return;
      }
      setForm((current) => ({ ...current, password: '' }));
      await refreshOverview();
      notify(
        'success',
        input.target.kind === 'sqlite'
          ? 'Syncs write into the SQLite file on this computer.'
          : `Syncs write into the PostgreSQL database${input.password ? '; its password is stored in the keychain' : ''}.`,
      );
    } catch (error) {
      setProblems([(error as Error).message]);
    } finally {
      setBusy(null);
    }
  }

  return (
    <form
      className="card form-card target-settings"
      onSubmit={(event) => void onSave(event)}
      noValidate
      aria-labelledby="target-title"
    >
      <h2 id="target-title">Where the data goes</h2>
      <fieldset className="radio-group radio-cards target-choices">
        <legend className="visually-hidden">Where syncs write</legend>
        <label className="radio radio-card">
          <input
            type="radio"
            name="target-kind"
            checked={form.kind === 'sqlite'}
            onChange={() => update('kind', 'sqlite')}
          />
          <span>
            <span className="radio-card-title">This computer</span>
            <span className="muted">A SQLite file: {overview.databasePath}</span>
          </span>
        </label>
        <label className="radio radio-card">
          <input
            type="radio"
            name="target-kind"
            checked={form.kind === 'postgres'}
            onChange={() => update('kind', 'postgres')}
          />
          <span>
            <span className="radio-card-title">A shared PostgreSQL database</span>
            <span className="muted">One copy for the team, a BI tool or a server.</span>
          </span>
        </label>
      </fieldset>

      {form.kind === 'postgres' && (
        <div className="form-grid">
          <TextField
            id="target-url"
            label="Database address"
            value={form.url}
            onChange={(e) => update('url', e.target.value)}
            error={errors.url}
            placeholder="postgres://sync@db.internal:5432/cs"
            hint="postgres://user@host:port/database, without the password."
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            id="target-schema"
            label="Schema"
            value={form.schema}
            onChange={(e) => update('schema', e.target.value)}
            error={errors.schema}
            hint="Created by the first sync if it does not exist."
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            id="target-password"
            label="Password"
            type="password"
            value={form.password}
            onChange={(e) => update('password', e.target.value)}
            hint={
              passwordStored
                ? 'A password for this address is stored in the keychain; type one only to replace it.'
                : 'Stored in the OS keychain on Save. Leave empty to use PGPASSWORD or ~/.pgpass.'
            }
            autoComplete="new-password"
          />
          <SelectField
            id="target-sslmode"
            label="TLS"
            value={form.sslmode}
            onChange={(e) => update('sslmode', e.target.value)}
            error={errors.sslmode}
          >
            {SSL_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </SelectField>
          {form.sslmode !== 'disable' && (
            <TextField
              id="target-sslRootCert"
              label="CA certificate file (optional)"
              value={form.sslRootCert}
              onChange={(e) => update('sslRootCert', e.target.value)}
              error={errors.sslRootCert}
              placeholder="/etc/ssl/certs/db-ca.pem"
              hint="The file of the authority that signed the server’s certificate, on this computer."
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </div>
      )}

      <ProblemsBanner title="Where the data goes was not changed" problems={problems} />
      {testResult && <Banner tone={testResult.ok ? 'success' : 'error'}>{testResult.text}</Banner>}

      <div className="form-actions">
        <span className="hint">The Sync log and Data screens read from here.</span>
        <button type="button" className="btn btn-secondary" onClick={() => void onTest()} disabled={busy !== null}>
          {busy === 'test' ? 'Testing…' : 'Test database'}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy !== null}>
          {busy === 'save' ? 'Saving…' : 'Save database'}
        </button>
      </div>
    </form>
  );
}
