import { useState } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';

type Selected = 'auth0' | 'twilio' | 'phone-message-hook';
interface Legacy {
  provider: Selected;
  twilio: { sid: string | null; from: string | null; messaging_service_sid: string | null };
  templates: { enrollment_message: string; verification_message: string };
}

const PROVIDERS: { value: Selected; label: string }[] = [
  { value: 'auth0', label: "Auth0's SMS service (no credentials; cannot be migrated)" },
  { value: 'twilio', label: 'Twilio' },
  { value: 'phone-message-hook', label: 'Custom: the send-phone-message Action' },
];

async function load(tenant: string): Promise<Legacy> {
  const [p, twilio, templates] = await Promise.all([
    mgmt<{ provider: Selected }>(tenant, 'GET', '/guardian/factors/phone/selected-provider'),
    mgmt<Legacy['twilio']>(tenant, 'GET', '/guardian/factors/phone/providers/twilio'),
    mgmt<Legacy['templates']>(tenant, 'GET', '/guardian/factors/phone/templates'),
  ]);
  return { provider: p.provider, twilio, templates };
}

/**
 * The MFA phone factor's own settings (Guardian), used while "Use Tenant-level Messaging Provider" is
 * off: the selected provider, its Twilio account (auth token write-only), and the two messages.
 */
export function MfaLegacySettings({ tenant, readOnly, tokenSet }: { tenant: string; readOnly: boolean; tokenSet: boolean | undefined }) {
  const { data, error, loading, reload } = useLoad(() => load(tenant), [tenant]);
  // Kept here: the form is rebuilt from what the API answers after a save.
  const [saved, setSaved] = useState(false);
  if (loading && !data) return <Loading />;
  if (error || !data) return <ErrorNote error={error} />;
  return (
    <LegacyForm
      key={JSON.stringify(data)}
      tenant={tenant}
      readOnly={readOnly}
      state={data}
      tokenSet={tokenSet}
      saved={saved}
      onSaving={() => setSaved(false)}
      onSaved={async () => {
        await reload();
        setSaved(true);
      }}
    />
  );
}

function LegacyForm(props: { tenant: string; readOnly: boolean; state: Legacy; tokenSet: boolean | undefined; saved: boolean; onSaving: () => void; onSaved: () => Promise<void> }) {
  const { tenant, readOnly, state, tokenSet } = props;
  const [provider, setProvider] = useState(state.provider);
  const [sid, setSid] = useState(state.twilio.sid ?? '');
  const [from, setFrom] = useState(state.twilio.from ?? '');
  const [mssid, setMssid] = useState(state.twilio.messaging_service_sid ?? '');
  const [authToken, setAuthToken] = useState('');
  const [enrollment, setEnrollment] = useState(state.templates.enrollment_message);
  const [verification, setVerification] = useState(state.templates.verification_message);
  const [error, setError] = useState<unknown>();

  const save = async () => {
    setError(undefined);
    props.onSaving();
    try {
      if (provider === 'twilio') {
        await mgmt(tenant, 'PUT', '/guardian/factors/phone/providers/twilio', {
          sid: sid.trim() || null,
          from: mssid.trim() ? null : from.trim() || null,
          messaging_service_sid: mssid.trim() || null,
          ...(authToken ? { auth_token: authToken } : {}),
        });
      }
      if (provider !== state.provider) await mgmt(tenant, 'PUT', '/guardian/factors/phone/selected-provider', { provider });
      if (enrollment !== state.templates.enrollment_message || verification !== state.templates.verification_message) {
        await mgmt(tenant, 'PUT', '/guardian/factors/phone/templates', { enrollment_message: enrollment, verification_message: verification });
      }
      setAuthToken('');
      await props.onSaved();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="legacy-h">
      <h2 id="legacy-h">Legacy phone settings (MFA only)</h2>
      <p className="muted">Used while the tenant-level provider is off. Passwordless SMS keeps its own settings on the sms connection.</p>
      <fieldset disabled={readOnly}>
        <legend>Provider</legend>
        {PROVIDERS.map((p) => (
          <label key={p.value} className="choice">
            <input type="radio" name="legacy_provider" value={p.value} checked={provider === p.value} onChange={() => setProvider(p.value)} /> {p.label}
          </label>
        ))}
      </fieldset>
      {provider === 'twilio' && (
        <fieldset disabled={readOnly}>
          <legend>Twilio (Guardian)</legend>
          <label className="field">
            <span>Guardian Twilio SID</span>
            <input name="legacy_sid" value={sid} onChange={(e) => setSid(e.target.value)} autoComplete="off" spellCheck={false} />
          </label>
          <label className="field">
            <span>Guardian from number</span>
            <input name="legacy_from" value={from} onChange={(e) => setFrom(e.target.value)} disabled={readOnly || mssid.trim() !== ''} />
          </label>
          <label className="field">
            <span>Guardian Messaging Service SID</span>
            <input name="legacy_mssid" value={mssid} onChange={(e) => setMssid(e.target.value)} autoComplete="off" spellCheck={false} />
          </label>
          <label className="field">
            <span>Guardian auth token</span>
            <input type="password" name="legacy_auth_token" value={authToken} onChange={(e) => setAuthToken(e.target.value)} autoComplete="new-password" placeholder={tokenSet ? 'set — type to replace' : ''} />
            <small className="muted">Write-only{tokenSet ? ': one is set; leave empty to keep it' : ''}.</small>
          </label>
        </fieldset>
      )}
      {provider === 'phone-message-hook' && <Notice>The Action bound to the send-phone-message trigger sends the codes (Management API /api/v2/actions).</Notice>}
      <fieldset disabled={readOnly}>
        <legend>Messages (Liquid: code, tenant.friendly_name, tenant.name, message_type, locale)</legend>
        <label className="field">
          <span>Enrollment message</span>
          <textarea name="enrollment_message" rows={3} value={enrollment} onChange={(e) => setEnrollment(e.target.value)} spellCheck={false} />
        </label>
        <label className="field">
          <span>Verification message</span>
          <textarea name="verification_message" rows={3} value={verification} onChange={(e) => setVerification(e.target.value)} spellCheck={false} />
        </label>
      </fieldset>
      <ErrorNote error={error} />
      {props.saved && <Notice kind="ok">Legacy settings saved.</Notice>}
      {!readOnly && (
        <ActionButton onClick={save} busyLabel="Saving…">
          Save legacy settings
        </ActionButton>
      )}
    </section>
  );
}
