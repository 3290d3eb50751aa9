import { useEffect, useRef, useState } from 'react';
import { ApiError, mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';
import { CustomProviderAction } from './CustomProviderAction.js';

type Kind = 'twilio' | 'custom' | 'sms_gateway';
type Method = 'text' | 'voice';

interface Provider {
  id: string;
  name: Kind;
  disabled: boolean;
  configuration: { delivery_methods?: Method[]; sid?: string; default_from?: string; mssid?: string; gateway_url?: string };
}

interface Timeline {
  id: string;
  status: string;
  error_code: string | null;
  last_error: string | null;
  provider: string | null;
  provider_message_id: string | null;
  events: { at: string; kind: string; detail: Record<string, unknown> }[];
}

const KINDS: { value: Kind; label: string }[] = [
  { value: 'twilio', label: 'Twilio' },
  { value: 'custom', label: 'Custom (Action)' },
  { value: 'sms_gateway', label: 'SMS gateway' },
];
const FINAL = new Set(['delivered', 'undelivered', 'failed']);

export function PhoneProviderPage({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const { data, error, loading, reload } = useLoad(async () => (await mgmt<{ providers: Provider[] }>(tenant, 'GET', '/branding/phone/providers')).providers[0] ?? null, [tenant]);
  if (loading && data === undefined) return <Loading />;
  if (error) return <ErrorNote error={error} />;
  return (
    <>
      <ProviderForm tenant={tenant} provider={data ?? null} readOnly={readOnly} onSaved={reload} />
      {data && <EnableSection tenant={tenant} provider={data} readOnly={readOnly} onChanged={reload} />}
      {data && <TestMessage tenant={tenant} provider={data} readOnly={readOnly} />}
    </>
  );
}

function ProviderForm({ tenant, provider, readOnly, onSaved }: { tenant: string; provider: Provider | null; readOnly: boolean; onSaved: () => Promise<void> }) {
  const cfg = provider?.configuration ?? {};
  const [kind, setKind] = useState<Kind>(provider?.name ?? 'twilio');
  const [methods, setMethods] = useState<Method[]>(cfg.delivery_methods ?? ['text']);
  const [sid, setSid] = useState(cfg.sid ?? '');
  const [from, setFrom] = useState(cfg.default_from ?? '');
  const [mssid, setMssid] = useState(cfg.mssid ?? '');
  const [gatewayUrl, setGatewayUrl] = useState(cfg.gateway_url ?? '');
  const [authToken, setAuthToken] = useState('');
  // The auth token is write-only: the API never returns it, so a saved Twilio provider has one set.
  const tokenSet = provider?.name === 'twilio';
  const [replacing, setReplacing] = useState(!tokenSet);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const toggle = (m: Method) => setMethods((cur) => (cur.includes(m) ? cur.filter((x) => x !== m) : [...cur, m]));

  const save = async () => {
    setError(undefined);
    setSaved(false);
    const configuration: Record<string, unknown> = { delivery_methods: methods };
    if (kind === 'twilio') {
      configuration['sid'] = sid.trim();
      if (mssid.trim()) configuration['mssid'] = mssid.trim();
      else configuration['default_from'] = from.trim();
    }
    if (kind === 'sms_gateway') {
      configuration['gateway_url'] = gatewayUrl.trim();
      if (from.trim()) configuration['default_from'] = from.trim();
    }
    const credentials: Record<string, string> = {};
    if (kind === 'twilio' && replacing && authToken) credentials['auth_token'] = authToken;
    try {
      if (provider) {
        await mgmt(tenant, 'PATCH', `/branding/phone/providers/${provider.id}`, {
          name: kind,
          configuration,
          ...(Object.keys(credentials).length ? { credentials } : {}),
        });
      } else {
        await mgmt(tenant, 'POST', '/branding/phone/providers', { name: kind, configuration, credentials });
      }
      setAuthToken('');
      // A saved Twilio provider has its token: show "set" again (the field is for replacing it).
      if (kind === 'twilio') setReplacing(false);
      setSaved(true);
      await onSaved();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="provider-h">
      <h2 id="provider-h">Provider</h2>
      {!provider && <Notice>No tenant-level phone provider yet: choose one and save.</Notice>}
      <fieldset disabled={readOnly}>
        <legend>Phone provider</legend>
        <div className="choices" role="radiogroup">
          {KINDS.map((k) => (
            <label key={k.value} className="choice">
              <input type="radio" name="kind" value={k.value} checked={kind === k.value} onChange={() => setKind(k.value)} />
              {k.label}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={readOnly}>
        <legend>Delivery methods</legend>
        <label className="choice">
          <input type="checkbox" name="method-text" checked={methods.includes('text')} onChange={() => toggle('text')} /> Text (SMS)
        </label>
        <label className="choice">
          <input type="checkbox" name="method-voice" checked={methods.includes('voice')} onChange={() => toggle('voice')} /> Voice
        </label>
      </fieldset>
      {kind === 'twilio' && (
        <fieldset disabled={readOnly}>
          <legend>Twilio settings</legend>
          <label className="field">
            <span>Twilio SID</span>
            <input name="sid" value={sid} onChange={(e) => setSid(e.target.value)} placeholder="AC…" autoComplete="off" spellCheck={false} />
          </label>
          <label className="field">
            <span>Default from (E.164 number)</span>
            <input name="default_from" value={from} onChange={(e) => setFrom(e.target.value)} placeholder="+14155552671" disabled={readOnly || mssid.trim() !== ''} />
          </label>
          <label className="field">
            <span>Messaging Service SID (instead of a number)</span>
            <input name="mssid" value={mssid} onChange={(e) => setMssid(e.target.value)} placeholder="MG…" autoComplete="off" spellCheck={false} />
          </label>
          <div className="field">
            <span id="auth-token-label">Auth token</span>
            {replacing ? (
              <input
                type="password"
                name="auth_token"
                aria-labelledby="auth-token-label"
                value={authToken}
                onChange={(e) => setAuthToken(e.target.value)}
                autoComplete="new-password"
                placeholder={tokenSet ? 'new auth token' : ''}
              />
            ) : (
              <div className="secret-set">
                <span className="badge" aria-describedby="auth-token-label">
                  set
                </span>
                {!readOnly && (
                  <button type="button" className="btn btn-secondary" onClick={() => setReplacing(true)}>
                    Replace
                  </button>
                )}
              </div>
            )}
            <small className="muted">Write-only: it is stored encrypted and never shown again.</small>
          </div>
        </fieldset>
      )}
      {kind === 'sms_gateway' && (
        <fieldset disabled={readOnly}>
          <legend>SMS gateway settings</legend>
          <label className="field">
            <span>Gateway URL</span>
            <input name="gateway_url" value={gatewayUrl} onChange={(e) => setGatewayUrl(e.target.value)} placeholder="https://sms.example.com/send" />
          </label>
          <label className="field">
            <span>Default from (optional)</span>
            <input name="default_from" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
        </fieldset>
      )}
      {kind === 'custom' && (
        <>
          <p className="muted">
            A custom provider runs the deployed Action bound to the <code>custom-phone-provider</code> trigger. Deploy it here, then Save to make it the tenant's
            provider.
          </p>
          <CustomProviderAction tenant={tenant} readOnly={readOnly} />
        </>
      )}
      <ErrorNote error={error} />
      {saved && <Notice kind="ok">Saved.</Notice>}
      {!readOnly && (
        <ActionButton onClick={save} busyLabel="Saving…">
          Save
        </ActionButton>
      )}
    </section>
  );
}

function EnableSection({ tenant, provider, readOnly, onChanged }: { tenant: string; provider: Provider; readOnly: boolean; onChanged: () => Promise<void> }) {
  const [error, setError] = useState<unknown>();
  const [inUse, setInUse] = useState(false);
  const set = async (disabled: boolean, force = false) => {
    setError(undefined);
    try {
      await mgmt(tenant, 'PATCH', `/branding/phone/providers/${provider.id}${force ? '?force=true' : ''}`, { disabled });
      setInUse(false);
      await onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'phone_provider_in_use') setInUse(true);
      else setError(e);
    }
  };
  return (
    <section className="card" aria-labelledby="enable-h">
      <h2 id="enable-h">Status</h2>
      <p>
        The tenant-level provider is <strong data-testid="provider-status">{provider.disabled ? 'disabled' : 'enabled'}</strong>.
      </p>
      {!readOnly && (
        <ActionButton kind={provider.disabled ? 'primary' : 'secondary'} onClick={() => set(!provider.disabled)}>
          {provider.disabled ? 'Enable provider' : 'Disable provider'}
        </ActionButton>
      )}
      {inUse && (
        <div className="notice notice-warn" role="alert">
          <p>
            <strong>The MFA phone factor uses this provider.</strong> Disabling it stops SMS and voice MFA for this tenant's users until another provider is
            enabled (409 <code>phone_provider_in_use</code>).
          </p>
          <ActionButton kind="danger" onClick={() => set(true, true)}>
            Disable anyway
          </ActionButton>{' '}
          <button type="button" className="btn btn-secondary" onClick={() => setInUse(false)}>
            Keep it enabled
          </button>
        </div>
      )}
      <ErrorNote error={error} />
    </section>
  );
}

function TestMessage({ tenant, provider, readOnly }: { tenant: string; provider: Provider; readOnly: boolean }) {
  const methods = provider.configuration.delivery_methods ?? ['text'];
  const [to, setTo] = useState('');
  const [method, setMethod] = useState<Method>(methods[0] ?? 'text');
  const [error, setError] = useState<unknown>();
  const [timeline, setTimeline] = useState<Timeline>();
  const [polling, setPolling] = useState(false);
  const stop = useRef(false);
  useEffect(
    () => () => {
      stop.current = true;
    },
    [],
  );

  const send = async () => {
    setError(undefined);
    setTimeline(undefined);
    try {
      const r = await mgmt<{ notification_id: string }>(tenant, 'POST', `/branding/phone/providers/${provider.id}/try`, { to: to.trim(), delivery_method: method });
      setPolling(true);
      // Poll the notification's timeline until it is final (or two minutes have passed).
      const until = Date.now() + 120_000;
      while (!stop.current && Date.now() < until) {
        const t = await mgmt<Timeline>(tenant, 'GET', `/phone/notifications/${r.notification_id}`);
        setTimeline(t);
        if (FINAL.has(t.status)) break;
        await new Promise((ok) => setTimeout(ok, 1000));
      }
    } catch (e) {
      setError(e);
    } finally {
      setPolling(false);
    }
  };

  return (
    <section className="card" aria-labelledby="test-h">
      <h2 id="test-h">Send Test Message</h2>
      <fieldset disabled={readOnly}>
        <label className="field">
          <span>Phone number</span>
          <input name="test_to" type="tel" value={to} onChange={(e) => setTo(e.target.value)} placeholder="+14155550100" autoComplete="off" />
        </label>
        <label className="field">
          <span>Delivery method</span>
          <select name="test_method" value={method} onChange={(e) => setMethod(e.target.value as Method)}>
            {(['text', 'voice'] as const).map((m) => (
              <option key={m} value={m} disabled={!methods.includes(m)}>
                {m === 'text' ? 'Text (SMS)' : 'Voice'}
                {methods.includes(m) ? '' : ' — not enabled on the provider'}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {!readOnly && (
        <ActionButton onClick={send} disabled={!to.trim() || polling} busyLabel="Sending…">
          Send Test Message
        </ActionButton>
      )}
      <ErrorNote error={error} />
      {timeline && (
        <div className="timeline" aria-live="polite">
          <p>
            Status: <strong className={`status status-${timeline.status}`} data-testid="test-status">{timeline.status}</strong>
            {polling && !FINAL.has(timeline.status) && <span className="muted"> (waiting for the provider…)</span>}
          </p>
          {(timeline.error_code || timeline.last_error) && (
            <p className="error" role="alert">
              Provider error: {timeline.error_code ?? ''} {timeline.last_error ?? ''}
            </p>
          )}
          <ol className="events">
            {timeline.events.map((ev, i) => (
              <li key={i}>
                <time dateTime={ev.at}>{new Date(ev.at).toLocaleTimeString()}</time> {ev.kind}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
