// "Sign in with" on the Connection screen: an access key (the default), temporary keys with their
// session token and expiry, an AWS profile of ~/.aws/config, the default chain, or a public bucket;
// and a role to assume on top of any but the last. Secrets go to the keychain; the screen shows only
// that one is stored.
import { useState } from 'react';
import type { ConnectionConfig, Overview } from '../../../electron/shared/contract';
import {
  formatExpiry,
  METHODS_WITH_KEYS,
  SIGN_IN_METHOD_LABELS,
  SIGN_IN_METHODS,
  signInOf,
  ssoLoginCommand,
  type SignInConfig,
  type SignInMethod as Method,
} from '../../../electron/shared/sign-in';
import { Banner } from '../components/Banner';
import { SelectField, TextField } from '../components/Field';

export interface SignInForm {
  method: Method;
  accessKeyId: string;
  secret: string;
  sessionToken: string;
  /** As a datetime-local input holds it (local time); empty when unknown. */
  expiresAt: string;
  profile: string;
  assumeRole: boolean;
  roleArn: string;
  externalId: string;
}

export type SignInErrors = Partial<Record<'accessKeyId' | 'secret' | 'sessionToken' | 'profile' | 'roleArn', string>>;

function toLocalInput(iso: string): string {
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function toSignInForm(connection: ConnectionConfig | undefined): SignInForm {
  const signIn = connection ? signInOf(connection) : ({ method: 'accessKey' } as SignInConfig);
  const role = signIn.method === 'public' ? undefined : signIn.assumeRole;
  return {
    method: signIn.method,
    accessKeyId: connection?.accessKeyId ?? '',
    secret: '',
    sessionToken: '',
    expiresAt: signIn.method === 'temporaryKeys' && signIn.expiresAt ? toLocalInput(signIn.expiresAt) : '',
    profile: signIn.method === 'profile' ? signIn.profile : '',
    assumeRole: role !== undefined,
    roleArn: role?.roleArn ?? '',
    externalId: role?.externalId ?? '',
  };
}

/** The connection's accessKeyId and signIn; a plain access key keeps the config as it was before sign-in methods. */
export function signInFields(form: SignInForm): Pick<ConnectionConfig, 'accessKeyId' | 'signIn'> {
  const assumeRole =
    form.method !== 'public' && form.assumeRole
      ? { roleArn: form.roleArn.trim(), ...(form.externalId.trim() ? { externalId: form.externalId.trim() } : {}) }
      : undefined;
  const role = assumeRole ? { assumeRole } : {};
  const keyId = METHODS_WITH_KEYS.includes(form.method) ? { accessKeyId: form.accessKeyId.trim() } : {};
  switch (form.method) {
    case 'accessKey':
      return assumeRole ? { ...keyId, signIn: { method: 'accessKey', ...role } } : keyId;
    case 'temporaryKeys':
      return {
        ...keyId,
        signIn: {
          method: 'temporaryKeys',
          ...(form.expiresAt ? { expiresAt: new Date(form.expiresAt).toISOString() } : {}),
          ...role,
        },
      };
    case 'profile':
      return { signIn: { method: 'profile', profile: form.profile.trim(), ...role } };
    case 'defaultChain':
      return { signIn: { method: 'defaultChain', ...role } };
    case 'public':
      return { signIn: { method: 'public' } };
  }
}

/** What is missing, in words, before asking the back end. */
export function checkSignIn(form: SignInForm, needsSecret: boolean, needsToken: boolean): SignInErrors {
  const errors: SignInErrors = {};
  if (METHODS_WITH_KEYS.includes(form.method) && !form.accessKeyId.trim())
    errors.accessKeyId =
      form.method === 'temporaryKeys'
        ? 'Enter the temporary access key ID (it starts with ASIA).'
        : 'Enter the access key ID (it starts with AKIA for IAM users).';
  if (needsSecret && !form.secret) errors.secret = 'Enter the secret access key that came with these keys.';
  if (needsToken && !form.sessionToken) errors.sessionToken = 'Enter the session token that came with these keys.';
  if (form.method === 'profile' && !form.profile.trim()) errors.profile = 'Choose or type the name of an AWS profile.';
  if (form.method !== 'public' && form.assumeRole && !form.roleArn.trim())
    errors.roleArn = 'Enter the ARN of the role to assume, as the bucket owner gave it to you.';
  return errors;
}

interface SignInMethodProps {
  form: SignInForm;
  onChange: (patch: Partial<SignInForm>) => void;
  errors: SignInErrors;
  saved: ConnectionConfig | undefined;
  overview: Pick<Overview, 'secretStored' | 'sessionTokenStored' | 'awsProfiles'>;
  /** Whether the keychain already holds this key's secret (and token): the inputs are then hidden. */
  storedForThisKey: boolean;
  replacingSecret: boolean;
  onReplaceSecret: (replacing: boolean) => void;
}

export function SignInMethod(props: SignInMethodProps) {
  const { form, onChange, errors } = props;
  return (
    <fieldset className="sign-in">
      <legend className="visually-hidden">How to sign in</legend>
      <SelectField
        id="connection-signInMethod"
        label="Sign in with"
        value={form.method}
        onChange={(e) => onChange({ method: e.target.value as Method })}
      >
        {SIGN_IN_METHODS.map((method) => (
          <option key={method} value={method}>
            {SIGN_IN_METHOD_LABELS[method]}
          </option>
        ))}
      </SelectField>
      {METHODS_WITH_KEYS.includes(form.method) && <KeyFields {...props} />}
      {form.method === 'profile' && <ProfileField {...props} />}
      {form.method === 'defaultChain' && (
        <p className="hint">
          For servers: the keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), else the default
          profile, else the instance or container role.
        </p>
      )}
      {form.method === 'public' && (
        <p className="hint">Requests go out unsigned: only a bucket that anyone may list and read works this way.</p>
      )}
      {form.method !== 'public' && (
        <div className="assume-role">
          <div className="field checkbox-field">
            <input
              id="connection-assumeRole"
              type="checkbox"
              checked={form.assumeRole}
              onChange={(e) => onChange({ assumeRole: e.target.checked })}
            />
            <label htmlFor="connection-assumeRole">Assume a role (in the bucket owner’s account)</label>
          </div>
          {form.assumeRole && (
            <div className="form-grid">
              <TextField
                id="connection-roleArn"
                label="Role ARN"
                value={form.roleArn}
                onChange={(e) => onChange({ roleArn: e.target.value })}
                error={errors.roleArn}
                placeholder="arn:aws:iam::123456789012:role/vitally-exports-reader"
                autoComplete="off"
                spellCheck={false}
              />
              <TextField
                id="connection-externalId"
                label="External ID (optional)"
                value={form.externalId}
                onChange={(e) => onChange({ externalId: e.target.value })}
                hint="Only if the role’s owner gave you one."
                autoComplete="off"
                spellCheck={false}
              />
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}

function KeyFields({
  form,
  onChange,
  errors,
  saved,
  storedForThisKey,
  replacingSecret,
  onReplaceSecret,
}: SignInMethodProps) {
  const temporary = form.method === 'temporaryKeys';
  const showInputs = !storedForThisKey || replacingSecret;
  const expiredAt =
    temporary && form.expiresAt && new Date(form.expiresAt).getTime() <= Date.now()
      ? formatExpiry(new Date(form.expiresAt).toISOString())
      : null;
  return (
    <>
      <div className="form-grid">
        <TextField
          id="connection-accessKeyId"
          label="Access key ID"
          value={form.accessKeyId}
          onChange={(e) => onChange({ accessKeyId: e.target.value })}
          error={errors.accessKeyId}
          placeholder={temporary ? 'ASIA…' : 'AKIA…'}
          autoComplete="off"
          spellCheck={false}
        />
        {temporary && (
          <TextField
            id="connection-expiresAt"
            label="Expires at (optional)"
            type="datetime-local"
            value={form.expiresAt}
            onChange={(e) => onChange({ expiresAt: e.target.value })}
            hint="As given with the keys; the app then says plainly when they have expired."
          />
        )}
      </div>
      {expiredAt && (
        <Banner tone="warning" title={`These keys expired at ${expiredAt}`}>
          Syncs fail until you enter new ones: key ID, secret and session token.
        </Banner>
      )}
      {showInputs ? (
        <div className="secret-row">
          <TextField
            id="connection-secretAccessKey"
            label="Secret access key"
            type="password"
            value={form.secret}
            onChange={(e) => onChange({ secret: e.target.value })}
            error={errors.secret}
            autoComplete="new-password"
            spellCheck={false}
            hint={
              storedForThisKey
                ? 'The new secret replaces the stored one in the OS keychain when you save.'
                : saved && form.accessKeyId.trim() !== saved.accessKeyId && form.accessKeyId.trim()
                  ? 'Stored in the OS keychain when you save. Leave it empty if the keychain already holds the secret for this access key ID.'
                  : 'Stored in the OS keychain when you save, never in the settings file.'
            }
          />
          {temporary && (
            <TextField
              id="connection-sessionToken"
              label="Session token"
              type="password"
              value={form.sessionToken}
              onChange={(e) => onChange({ sessionToken: e.target.value })}
              error={errors.sessionToken}
              autoComplete="new-password"
              spellCheck={false}
              hint="Stored in the OS keychain with the secret."
            />
          )}
          {replacingSecret && (
            <button type="button" className="btn btn-ghost" onClick={() => onReplaceSecret(false)}>
              Keep the stored secret
            </button>
          )}
        </div>
      ) : (
        <div className="field">
          <span className="field-label" id="secret-status-label">
            {temporary ? 'Secret access key and session token' : 'Secret access key'}
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
                onReplaceSecret(true);
                window.setTimeout(() => document.getElementById('connection-secretAccessKey')?.focus(), 0);
              }}
            >
              {temporary ? 'Enter new keys' : 'Replace secret'}
            </button>
          </div>
        </div>
      )}
    </>
  );
}

function ProfileField({ form, onChange, errors, overview }: SignInMethodProps) {
  const [copied, setCopied] = useState(false);
  const profiles = overview.awsProfiles;
  const chosen = profiles.find((p) => p.name === form.profile.trim());
  const command = ssoLoginCommand(form.profile.trim());
  return (
    <>
      <TextField
        id="connection-profile"
        label="AWS profile"
        value={form.profile}
        onChange={(e) => onChange({ profile: e.target.value })}
        error={errors.profile}
        list="aws-profiles"
        placeholder={profiles[0]?.name ?? 'default'}
        autoComplete="off"
        spellCheck={false}
        hint={
          profiles.length
            ? `From ~/.aws/config: ${profiles.map((p) => `${p.name}${p.kind === 'sso' ? ' (SSO)' : ''}`).join(', ')}.`
            : 'No profiles found in ~/.aws/config or ~/.aws/credentials on this machine.'
        }
      />
      <datalist id="aws-profiles">
        {profiles.map((p) => (
          <option key={p.name} value={p.name} />
        ))}
      </datalist>
      {chosen?.kind === 'sso' && chosen.ssoSignInExpired && (
        <Banner tone="warning" title={`The SSO sign-in of “${chosen.name}” has expired`}>
          <p>Run this in a terminal, sign in in the browser, then test the connection again:</p>
          <div className="copy-command">
            <code>{command}</code>
            <button
              type="button"
              className="btn btn-secondary btn-small"
              onClick={() => void navigator.clipboard?.writeText(command).then(() => setCopied(true))}
            >
              {copied ? 'Copied' : 'Copy command'}
            </button>
          </div>
        </Banner>
      )}
    </>
  );
}
