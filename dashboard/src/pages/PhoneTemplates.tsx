import { useEffect, useState } from 'react';
import { mgmt } from '../api.js';
import { CodeEditor } from '../editor/CodeEditor.js';
import { segmentInfo } from '../sms.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';

interface Template {
  id?: string;
  type: string;
  disabled: boolean;
  content: { from?: string; body: { text: string; voice: string } };
}

const LABELS: Record<string, string> = {
  otp_verify: 'Verification code (otp_verify)',
  otp_enroll: 'Enrollment code (otp_enroll)',
  blocked_account: 'Blocked account (blocked_account)',
  change_password: 'Password changed (change_password)',
  password_breach: 'Breached password (password_breach)',
};

export function PhoneTemplatesPage({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const { data, error, loading, reload } = useLoad(async () => (await mgmt<{ templates: Template[] }>(tenant, 'GET', '/branding/phone/templates')).templates, [tenant]);
  const [selected, setSelected] = useState<string>();
  if (loading && !data) return <Loading />;
  if (error) return <ErrorNote error={error} />;
  const current = data?.find((t) => t.type === selected);
  return (
    <>
      <section className="card" aria-labelledby="templates-h">
        <h2 id="templates-h">Templates</h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Notification</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Edit</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.map((t) => (
              <tr key={t.type} aria-selected={t.type === selected}>
                <td>{LABELS[t.type] ?? t.type}</td>
                <td>{t.id ? (t.disabled ? 'customized, disabled' : 'customized') : 'default'}</td>
                <td>
                  <button type="button" className="btn btn-secondary" onClick={() => setSelected(t.type)} aria-label={`${readOnly ? 'View' : 'Edit'} ${t.type}`}>
                    {readOnly ? 'View' : 'Edit'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {current && <TemplateEditor key={current.type} tenant={tenant} template={current} readOnly={readOnly} onSaved={reload} />}
    </>
  );
}

function Segments({ text, label, testId }: { text: string; label: string; testId: string }) {
  const s = segmentInfo(text);
  return (
    <p className="muted" aria-live="polite" data-testid={testId}>
      {label}: {s.encoding} · {s.units} {s.encoding === 'GSM-7' ? 'septets' : 'UTF-16 units'} · {s.segments} segment{s.segments === 1 ? '' : 's'} ({s.perSegment} per segment)
      {s.nonGsm.length > 0 && <> · not in GSM-7: {s.nonGsm.map((c) => JSON.stringify(c)).join(' ')}</>}
    </p>
  );
}

interface Preview {
  text: string;
  voice: string;
  body_locale: string;
  sample: { code: string | null };
}

const CODE_TYPES = new Set(['otp_verify', 'otp_enroll', 'change_password']);
const LOCALES = ['en', 'fr', 'es', 'de'];

/**
 * The WebOTP line (origin-bound one-time codes): the message's last line is `@host #code`, and the
 * browser offers the code only to a page of that host.
 */
export function webOtpCheck(rendered: string, code: string | null, host: string): { ok: boolean; message: string } {
  const last = rendered.split('\n').at(-1)?.trim() ?? '';
  const m = /^@([^\s#@]+) #([^\s@]+)(?: @([^\s]+))?$/.exec(last);
  if (!m) return { ok: false, message: `No WebOTP line: browsers will not offer to fill the code. End the text with a line "@${host} #{{ code }}".` };
  if (code !== null && m[2] !== code) return { ok: false, message: `The WebOTP line's code (#${m[2]}) is not the one-time code: use #{{ code }}.` };
  if (m[1] !== host) return { ok: false, message: `The WebOTP line names ${m[1]}: browsers offer the code only on that host, not on ${host}.` };
  return { ok: true, message: `WebOTP line found: @${m[1]} #${m[2]} — browsers on ${host} can fill the code.` };
}

function TemplateEditor({ tenant, template, readOnly, onSaved }: { tenant: string; template: Template; readOnly: boolean; onSaved: () => Promise<void> }) {
  const [text, setText] = useState(template.content.body.text);
  const [voice, setVoice] = useState(template.content.body.voice);
  const [from, setFrom] = useState(template.content.from ?? '');
  const [disabled, setDisabled] = useState(template.disabled);
  const [locale, setLocale] = useState('en');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const [preview, setPreview] = useState<Preview>();
  const [previewError, setPreviewError] = useState<unknown>();
  const settings = useLoad(() => mgmt<{ enabled_locales?: string[] }>(tenant, 'GET', '/tenants/settings'), [tenant]);
  const locales = [...new Set([...(settings.data?.enabled_locales ?? []), ...LOCALES])];

  // The preview follows the draft, rendered by the server (debounced; a stale answer is dropped).
  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      mgmt<Preview>(tenant, 'POST', '/branding/phone/templates/render', { type: template.type, locale, content: { body: { text, voice } } }).then(
        (p) => {
          if (stale) return;
          setPreview(p);
          setPreviewError(undefined);
        },
        (e) => {
          if (!stale) setPreviewError(e);
        },
      );
    }, 250);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [tenant, template.type, text, voice, locale]);

  const save = async () => {
    setError(undefined);
    setSaved(false);
    const content = { ...(from.trim() ? { from: from.trim() } : {}), body: { text, voice } };
    try {
      if (template.id) await mgmt(tenant, 'PATCH', `/branding/phone/templates/${template.id}`, { content, disabled });
      else await mgmt(tenant, 'POST', '/branding/phone/templates', { type: template.type, disabled, content });
      setSaved(true);
      await onSaved();
    } catch (e) {
      setError(e);
    }
  };
  const reset = async () => {
    setError(undefined);
    setSaved(false);
    try {
      const t = await mgmt<Template>(tenant, 'PATCH', `/branding/phone/templates/${template.id}/reset`, {});
      setText(t.content.body.text);
      setVoice(t.content.body.voice);
      await onSaved();
    } catch (e) {
      setError(e);
    }
  };
  const otp = preview && CODE_TYPES.has(template.type) ? webOtpCheck(preview.text, preview.sample.code, window.location.hostname) : undefined;

  return (
    <section className="card" aria-labelledby="editor-h">
      <h2 id="editor-h">{LABELS[template.type] ?? template.type}</h2>
      {!template.id && <Notice>This is the built-in default; saving creates the tenant's own template.</Notice>}
      <fieldset disabled={readOnly}>
        <label className="field">
          <span>From (optional, E.164; overrides the provider's default)</span>
          <input name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
      </fieldset>
      <CodeEditor label="Text message (Liquid)" language="liquid" value={text} onChange={setText} readOnly={readOnly} />
      <Segments text={text} label="As written" testId="segments" />
      <CodeEditor label="Voice message (Liquid)" language="liquid" value={voice} onChange={setVoice} readOnly={readOnly} hint="{{ pause }} becomes a pause; the code is spoken digit by digit." />
      <fieldset disabled={readOnly}>
        <label className="choice">
          <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} /> Disabled (notifications of this type use the built-in text)
        </label>
      </fieldset>
      <ErrorNote error={error} />
      {saved && <Notice kind="ok">Saved.</Notice>}
      {!readOnly && (
        <div className="row">
          <ActionButton onClick={save} busyLabel="Saving…">
            Save
          </ActionButton>
          {template.id && (
            <ActionButton kind="secondary" onClick={reset} busyLabel="Resetting…">
              Reset to default
            </ActionButton>
          )}
        </div>
      )}
      <h3>Preview</h3>
      <label className="field">
        <span>Preview locale</span>
        <select name="preview_locale" value={locale} onChange={(e) => setLocale(e.target.value)}>
          {locales.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <p className="muted">Rendered by the server's own renderer with sample data (user Jane Doe, application Sample App{CODE_TYPES.has(template.type) ? ', code 123456' : ''}).</p>
      {previewError ? (
        <ErrorNote error={previewError} />
      ) : preview ? (
        <>
          <div className="field">
            <span>Text</span>
            <pre className="preview" data-testid="preview-text">{preview.text}</pre>
          </div>
          <Segments text={preview.text} label="Rendered" testId="segments-rendered" />
          {otp && (
            <p className={otp.ok ? 'ok' : 'muted'} data-testid="webotp">
              {otp.message}
            </p>
          )}
          <div className="field">
            <span>Voice</span>
            <pre className="preview" data-testid="preview-voice">{preview.voice}</pre>
          </div>
        </>
      ) : (
        <Loading />
      )}
      {template.id && <TemplateTest tenant={tenant} id={template.id} readOnly={readOnly} />}
    </section>
  );
}

const FINAL = new Set(['delivered', 'undelivered', 'failed']);

/** Sends the saved template through the pipeline (`POST …/{id}/try`) and follows the notification. */
function TemplateTest({ tenant, id, readOnly }: { tenant: string; id: string; readOnly: boolean }) {
  const [to, setTo] = useState('');
  const [method, setMethod] = useState<'text' | 'voice'>('text');
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<unknown>();
  const send = async () => {
    setError(undefined);
    setStatus(undefined);
    try {
      const r = await mgmt<{ notification_id: string }>(tenant, 'POST', `/branding/phone/templates/${id}/try`, { to: to.trim(), delivery_method: method });
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        const n = await mgmt<{ status: string; last_error: string | null }>(tenant, 'GET', `/phone/notifications/${r.notification_id}`);
        setStatus(n.status + (n.last_error ? ` (${n.last_error})` : ''));
        if (FINAL.has(n.status) || n.status === 'sent') break;
        await new Promise((ok) => setTimeout(ok, 1000));
      }
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <h3>Test send</h3>
      <p className="muted">Sends the saved template (not the draft) through the tenant's provider.</p>
      <fieldset disabled={readOnly} className="row">
        <label className="field">
          <span>Phone number</span>
          <input name="template_test_to" type="tel" value={to} onChange={(e) => setTo(e.target.value)} placeholder="+14155550100" autoComplete="off" />
        </label>
        <label className="field">
          <span>Delivery method</span>
          <select name="template_test_method" value={method} onChange={(e) => setMethod(e.target.value as 'text' | 'voice')}>
            <option value="text">Text (SMS)</option>
            <option value="voice">Voice</option>
          </select>
        </label>
      </fieldset>
      {!readOnly && (
        <ActionButton onClick={send} disabled={!to.trim()} busyLabel="Sending…">
          Send test
        </ActionButton>
      )}
      <ErrorNote error={error} />
      {status && (
        <p>
          Status: <strong data-testid="template-test-status">{status}</strong>
        </p>
      )}
    </>
  );
}
