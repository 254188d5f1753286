// Connection: where the bucket is and how to sign in (SignInMethod.tsx), then where the data goes
// (TargetSettings.tsx). Secrets go to the OS keychain on save and are never shown again: the screen
// only says that one is stored, and offers to replace it.
import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import type { ConnectionConfig, ConnectionInput, TestConnectionResult } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { Banner, ProblemsBanner } from '../components/Banner';
import { TextField } from '../components/Field';
import { formatNumber } from '../lib/format';
import {
  checkSignIn,
  signInFields,
  SignInMethod,
  toSignInForm,
  type SignInErrors,
  type SignInForm,
} from './SignInMethod';
import { TargetSettings } from './TargetSettings';

interface ConnectionForm {
  bucket: string;
  prefix: string;
  region: string;
  endpoint: string;
  forcePathStyle: boolean;
}

type FieldName = keyof ConnectionForm | keyof SignInErrors;

function toForm(connection: ConnectionConfig | undefined): ConnectionForm {
  return {
    bucket: connection?.bucket ?? '',
    prefix: connection?.prefix ?? '',
    region: connection?.region ?? '',
    endpoint: connection?.endpoint ?? '',
    forcePathStyle: connection?.forcePathStyle ?? false,
  };
}

function toConnection(form: ConnectionForm, signIn: SignInForm): ConnectionConfig {
  const connection: ConnectionConfig = {
    bucket: form.bucket.trim(),
    prefix: form.prefix.trim(),
    region: form.region.trim(),
    ...signInFields(signIn),
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
    if (match && (match[1]! in toForm(undefined) || match[1] === 'accessKeyId'))
      fields[match[1] as FieldName] = `This ${match[2]}`;
    else other.push(problem);
  }
  return { fields, other };
}

export function describeTestResult(result: TestConnectionResult, prefix: string): string {
  if (!result.ok) return result.message;
  const where = prefix ? `under “${prefix}”` : 'in the bucket';
  const connected = result.identity ? `Connected as ${result.identity}.` : 'Connected.';
  if (result.fileCount === 0) return `${connected} There are no files ${where} yet.`;
  if (result.more) return `${connected} It sees more than ${formatNumber(result.fileCount)} files ${where}.`;
  return `${connected} It sees ${formatNumber(result.fileCount)} ${result.fileCount === 1 ? 'file' : 'files'} ${where}.`;
}

export function ConnectionScreen() {
  const { api, overview, refreshOverview, notify, navigate } = useApp();
  const saved = overview.config?.connection;
  const [form, setForm] = useState<ConnectionForm>(() => toForm(saved));
  const [signIn, setSignIn] = useState<SignInForm>(() => toSignInForm(saved));
  const [replacingSecret, setReplacingSecret] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [otherProblems, setOtherProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [testResult, setTestResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [advancedOpen, setAdvancedOpen] = useState(Boolean(saved?.endpoint || saved?.forcePathStyle));

  const temporary = signIn.method === 'temporaryKeys';
  const storedForThisId =
    overview.secretStored &&
    (!temporary || overview.sessionTokenStored) &&
    saved !== undefined &&
    signIn.accessKeyId.trim() === saved.accessKeyId;
  const showSecretInput = !storedForThisId || replacingSecret;

  function updateSignIn(patch: Partial<SignInForm>) {
    setSignIn((current) => ({ ...current, ...patch }));
    setErrors((current) => ({ ...current, ...Object.fromEntries(Object.keys(patch).map((k) => [k, undefined])) }));
    setTestResult(null);
  }

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
    // Temporary keys come as a set: new ones need their secret and token (a stored token fits only its key).
    const newTemporaryKeys = temporary && showSecretInput && (signIn.secret !== '' || signIn.sessionToken !== '');
    Object.assign(next, checkSignIn(signIn, newTemporaryKeys, newTemporaryKeys));
    setErrors(next);
    setOtherProblems([]);
    if (Object.keys(next).length > 0) {
      document.getElementById(`connection-${Object.keys(next)[0]}`)?.focus();
      return null;
    }
    const input: ConnectionInput = { connection: toConnection(form, signIn) };
    if (showSecretInput && signIn.secret) input.secretAccessKey = signIn.secret;
    if (showSecretInput && temporary && signIn.sessionToken) input.sessionToken = signIn.sessionToken;
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
        setSignIn((current) => ({ ...current, secret: '', sessionToken: '' }));
        setReplacingSecret(false);
        await refreshOverview();
        notify(
          'success',
          input.secretAccessKey
            ? `Connection saved; the secret access key${input.sessionToken ? ' and session token are' : ' is'} stored in the keychain.`
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
          Where your CSV exports are, and how to sign in to read them. The app only lists and reads; it never writes to
          the bucket.
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
        </div>

        <SignInMethod
          form={signIn}
          onChange={updateSignIn}
          errors={errors}
          saved={saved}
          overview={overview}
          storedForThisKey={storedForThisId}
          replacingSecret={replacingSecret}
          onReplaceSecret={(replacing) => {
            setReplacingSecret(replacing);
            if (!replacing) setSignIn((current) => ({ ...current, secret: '', sessionToken: '' }));
          }}
        />

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

        <ProblemsBanner title="The connection was not saved" problems={otherProblems} />
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

      {overview.config && (
        <TargetSettings key={JSON.stringify(overview.config.target ?? null)} config={overview.config} />
      )}

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
          The connection, file patterns, mappings and schedule as a JSON file. No secret (access key, session token) is
          ever in it.
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
      <ProblemsBanner title="The configuration was not imported; nothing changed" problems={problems} />
    </section>
  );
}
