import { useState } from 'react';
import { mgmt } from '../api.js';
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

function Segments({ text }: { text: string }) {
  const s = segmentInfo(text);
  return (
    <p className="muted" aria-live="polite" data-testid="segments">
      {s.encoding} · {s.units} {s.encoding === 'GSM-7' ? 'septets' : 'UTF-16 units'} · {s.segments} segment{s.segments === 1 ? '' : 's'} ({s.perSegment} per segment)
      {s.nonGsm.length > 0 && <> · not in GSM-7: {s.nonGsm.map((c) => JSON.stringify(c)).join(' ')}</>}
      <br />
      Liquid tags are counted as written; the code and names filled in change the count.
    </p>
  );
}

function TemplateEditor({ tenant, template, readOnly, onSaved }: { tenant: string; template: Template; readOnly: boolean; onSaved: () => Promise<void> }) {
  const [text, setText] = useState(template.content.body.text);
  const [voice, setVoice] = useState(template.content.body.voice);
  const [from, setFrom] = useState(template.content.from ?? '');
  const [disabled, setDisabled] = useState(template.disabled);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

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
    try {
      await mgmt(tenant, 'PATCH', `/branding/phone/templates/${template.id}/reset`, {});
      await onSaved();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="editor-h">
      <h2 id="editor-h">{LABELS[template.type] ?? template.type}</h2>
      {!template.id && <Notice>This is the built-in default; saving creates the tenant's own template.</Notice>}
      <fieldset disabled={readOnly}>
        <label className="field">
          <span>From (optional, E.164; overrides the provider's default)</span>
          <input name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="field">
          <span>Text message (Liquid)</span>
          <textarea name="text" rows={4} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        </label>
        <Segments text={text} />
        <label className="field">
          <span>Voice message (Liquid)</span>
          <textarea name="voice" rows={4} value={voice} onChange={(e) => setVoice(e.target.value)} spellCheck={false} />
        </label>
        <label className="choice">
          <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} /> Disabled (notifications of this type are not sent)
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
    </section>
  );
}
