// Connection: where the bucket is and how to sign in. The secret goes to the OS keychain on save and
// is never shown again: the screen only says that one is stored, and offers to replace it.
import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import type { ConnectionConfig, ConnectionInput, TestConnectionResult } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { Banner } from '../components/Banner';
import { TextField } from '../components/Field';
import { formatNumber } from '../lib/format';

interface ConnectionForm {
  bucket: string;
  prefix: string;
  region: string;
  accessKeyId: string;
  endpoint: string;
  forcePathStyle: boolean;
}

type FieldName = keyof ConnectionForm | 'secretAccessKey';

function toForm(connection: ConnectionConfig | undefined): ConnectionForm {
  return {
    bucket: connection?.bucket ?? '',
    prefix: connection?.prefix ?? '',
    region: connection?.region ?? '',
    accessKeyId: connection?.accessKeyId ?? '',
    endpoint: connection?.endpoint ?? '',
    forcePathStyle: connection?.forcePathStyle ?? false,
  };
}

function toConnection(form: ConnectionForm): ConnectionConfig {
  const connection: ConnectionConfig = {
    bucket: form.bucket.trim(),
    prefix: form.prefix.trim(),
    region: form.region.trim(),
    accessKeyId: form.accessKeyId.trim(),
  };
  if (form.endpoint.trim()) connection.endpoint = form.endpoint.trim();
  if (form.forcePathStyle) connection.forcePathStyle = true;
  return connection;
}

/** Problems from the back end read "connection.bucket: must be …": put each under its field. */
function problemsByField(problems: string[]): { fields: Partial<Record<FieldName, string>>; other: string[] } {
  const fields: Partial<Record<FieldName, string>> = {};
  const other: string[] = [];
  for (const problem of problems) {
    const match = /^connection\.(\w+): (.*)$/.exec(problem);
    if (match && match[1]! in toForm(undefined)) fields[match[1] as FieldName] = `This ${match[2]}`;
    else other.push(problem);
  }
  return { fields, other };
}

export function describeTestResult(result: TestConnectionResult, prefix: string): string {
  if (!result.ok) return result.message;
  const where = prefix ? `under “${prefix}”` : 'in the bucket';
  if (result.fileCount === 0) return `Connected. There are no files ${where} yet.`;
  if (result.more) return `Connected. It sees more than ${formatNumber(result.fileCount)} files ${where}.`;
  return `Connected. It sees ${formatNumber(result.fileCount)} ${result.fileCount === 1 ? 'file' : 'files'} ${where}.`;
}

export function ConnectionScreen() {
  const { api, overview, refreshOverview, notify, navigate } = useApp();
  const saved = overview.config?.connection;
  const [form, setForm] = useState<ConnectionForm>(() => toForm(saved));
  const [secret, setSecret] = useState('');
  const [replacingSecret, setReplacingSecret] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [otherProblems, setOtherProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [testResult, setTestResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [advancedOpen, setAdvancedOpen] = useState(Boolean(saved?.endpoint || saved?.forcePathStyle));

  const storedForThisId = overview.secretStored && saved !== undefined && form.accessKeyId.trim() === saved.accessKeyId;
  const showSecretInput = !storedForThisId || replacingSecret;

  function update<K extends keyof ConnectionForm>(key: K, value: ConnectionForm[K]) {
    setForm((current) => ({ ...current, [key]: value }));
    setErrors((current) => ({ ...current, [key]: undefined }));
    setTestResult(null);
  }

  /** Catches the empty fields here, in words, before asking the back end. */
  function checkForm(): ConnectionInput | null {
    const next: Partial<Record<FieldName, string>> = {};
    if (!form.bucket.trim()) next.bucket = 'Enter the name of the bucket that holds the CSV files.';
    if (!form.region.trim()) next.region = 'Enter the bucket’s AWS region, for example us-east-1.';
    if (!form.accessKeyId.trim()) next.accessKeyId = 'Enter the access key ID (it starts with AKIA for IAM users).';
    setErrors(next);
    setOtherProblems([]);
    if (Object.keys(next).length > 0) {
      document.getElementById(`connection-${Object.keys(next)[0]}`)?.focus();
      return null;
    }
    const input: ConnectionInput = { connection: toConnection(form) };
    if (showSecretInput && secret) input.secretAccessKey = secret;
    return input;
  }

  async function onTest() {
    const input = checkForm();
    if (!input) return;
    setBusy('test');
    setTestResult(null);
    try {
      const result = await api.testConnection(input);
      setTestResult({ ok: result.ok, text: describeTestResult(result, input.connection.prefix) });
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
      const result = await api.saveConnection(input);
      if (result.ok) {
        setSecret('');
        setReplacingSecret(false);
        await refreshOverview();
        notify(
          'success',
          input.secretAccessKey
            ? 'Connection saved; the secret access key is stored in the keychain.'
            : 'Connection saved.',
        );
      } else {
        const { fields, other } = problemsByField(result.problems);
        setErrors(fields);
        setOtherProblems(other.length || Object.keys(fields).length ? other : [result.message]);
      }
    } catch (error) {
      setOtherProblems([(error as Error).message]);
    } finally {
      setBusy(null);
    }
  }

  const hasObjects = overview.config && Object.keys(overview.config.objects).length > 0;

  return (
    <section aria-labelledby="connection-title" className="screen">
      <div className="screen-head">
        <h1 id="connection-title" tabIndex={-1}>
          Connection
        </h1>
        <p className="screen-lead">
          Where your CSV exports are, and the access key that may read them. The app only lists and reads; it never
          writes to the bucket.
        </p>
      </div>

      <form
        className="card form-card"
        onSubmit={(event) => void onSave(event)}
        noValidate
        aria-label="Connection settings"
      >
        <div className="form-grid">
          <TextField
            id="connection-bucket"
            label="Bucket name"
            value={form.bucket}
            onChange={(e) => update('bucket', e.target.value)}
            error={errors.bucket}
            placeholder="acme-exports"
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            id="connection-prefix"
            label="Prefix"
            value={form.prefix}
            onChange={(e) => update('prefix', e.target.value)}
            error={errors.prefix}
            placeholder="vitally/"
            hint="Only keys that start with this are listed. Leave empty for the whole bucket."
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            id="connection-region"
            label="Region"
            value={form.region}
            onChange={(e) => update('region', e.target.value)}
            error={errors.region}
            placeholder="us-east-1"
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            id="connection-accessKeyId"
            label="Access key ID"
            value={form.accessKeyId}
            onChange={(e) => update('accessKeyId', e.target.value)}
            error={errors.accessKeyId}
            placeholder="AKIA…"
            autoComplete="off"
            spellCheck={false}
          />
        </div>

        {showSecretInput ? (
          <div className="secret-row">
            <TextField
              id="connection-secretAccessKey"
              label="Secret access key"
              type="password"
              value={secret}
              onChange={(e) => {
                setSecret(e.target.value);
                setTestResult(null);
              }}
              autoComplete="new-password"
              spellCheck={false}
              hint={
                storedForThisId
                  ? 'The new secret replaces the stored one in the OS keychain when you save.'
                  : saved && form.accessKeyId.trim() !== saved.accessKeyId && form.accessKeyId.trim()
                    ? 'Stored in the OS keychain when you save. Leave it empty if the keychain already holds the secret for this access key ID.'
                    : 'Stored in the OS keychain when you save, never in the settings file.'
              }
            />
            {replacingSecret && (
              <button
                type="button"
                className="btn btn-ghost"
                onClick={() => {
                  setReplacingSecret(false);
                  setSecret('');
                }}
              >
                Keep the stored secret
              </button>
            )}
          </div>
        ) : (
          <div className="field">
            <span className="field-label" id="secret-status-label">
              Secret access key
            </span>
            <div className="secret-stored" aria-labelledby="secret-status-label" role="group">
              <span className="secret-dots" aria-hidden="true">
                ••••••••••••
              </span>
              <span>
                Stored in the keychain for <span className="mono">{saved?.accessKeyId}</span>.
              </span>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => {
                  setReplacingSecret(true);
                  window.setTimeout(() => document.getElementById('connection-secretAccessKey')?.focus(), 0);
                }}
              >
                Replace secret
              </button>
            </div>
          </div>
        )}

        <details
          className="advanced"
          open={advancedOpen}
          onToggle={(e) => setAdvancedOpen((e.target as HTMLDetailsElement).open)}
        >
          <summary>Advanced</summary>
          <p className="hint">
            For S3-compatible stores (MinIO, Cloudflare R2, a local test server). Leave empty for Amazon S3.
          </p>
          <div className="form-grid">
            <TextField
              id="connection-endpoint"
              label="Custom endpoint"
              type="url"
              value={form.endpoint}
              onChange={(e) => update('endpoint', e.target.value)}
              error={errors.endpoint}
              placeholder="http://127.0.0.1:9000"
              autoComplete="off"
              spellCheck={false}
            />
            <div className="field checkbox-field">
              <input
                id="connection-forcePathStyle"
                type="checkbox"
                checked={form.forcePathStyle}
                onChange={(e) => update('forcePathStyle', e.target.checked)}
                aria-describedby="path-style-hint"
              />
              <label htmlFor="connection-forcePathStyle">Path-style addressing</label>
              <span id="path-style-hint" className="hint">
                Addresses the bucket as endpoint/bucket instead of bucket.endpoint; most S3-compatible stores need it.
              </span>
            </div>
          </div>
        </details>

        {otherProblems.length > 0 && (
          <Banner tone="error" title="The connection was not saved">
            <ul>
              {otherProblems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Banner>
        )}
        {testResult && <Banner tone={testResult.ok ? 'success' : 'error'}>{testResult.text}</Banner>}

        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={() => void onTest()} disabled={busy !== null}>
            {busy === 'test' ? 'Testing…' : 'Test connection'}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy !== null}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>

      {overview.config && <ShareSetup />}

      {overview.config && !hasObjects && (
        <div className="card next-step">
          <p>
            <strong>Next:</strong> choose which files to read for each object type.
          </p>
          <button type="button" className="btn btn-secondary" onClick={() => navigate('objects')}>
            Go to Objects
          </button>
        </div>
      )}
    </section>
  );
}

/** Export the configuration (never the secret) to a JSON file, or import one: a teammate's setup. */
function ShareSetup() {
  const { api, refreshOverview, notify } = useApp();
  const fileInput = useRef<HTMLInputElement>(null);
  const [problems, setProblems] = useState<string[]>([]);

  async function exportConfig() {
    try {
      const { json } = await api.exportConfig();
      const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 's3-csv-sync-config.json';
      link.click();
      window.setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      notify('error', (error as Error).message);
    }
  }

  async function importConfig(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setProblems([]);
    try {
      const result = await api.importConfig({ json: await file.text() });
      if (!result.ok) {
        setProblems(result.problems.length ? result.problems : [result.message]);
        return;
      }
      await refreshOverview();
      notify(
        'success',
        `Configuration imported from ${file.name}.${result.scheduler.running ? ' A sync has started.' : ''}`,
      );
    } catch (error) {
      setProblems([(error as Error).message]);
    }
  }

  return (
    <section className="card share-setup" aria-labelledby="share-title">
      <div>
        <h2 id="share-title">Share this setup</h2>
        <p className="muted">
          The connection, file patterns, mappings and schedule as a JSON file. The secret access key is never in it.
        </p>
      </div>
      <div className="share-actions">
        <button type="button" className="btn btn-secondary" onClick={() => void exportConfig()}>
          Export configuration
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => fileInput.current?.click()}>
          Import configuration…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          className="visually-hidden"
          tabIndex={-1}
          aria-label="Configuration file to import"
          onChange={(e) => void importConfig(e)}
        />
      </div>
      {problems.length > 0 && (
        <Banner tone="error" title="The configuration was not imported; nothing changed">
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Banner>
      )}
    </section>
  );
}
