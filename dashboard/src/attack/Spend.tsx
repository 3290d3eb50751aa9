import { useEffect, useState } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';
import { utc } from './format.js';

export interface PhoneSpend {
  currency: string;
  daily_cap: number | null;
  monthly_cap: number | null;
  spent: { day: { period: string; amount: number }; month: { period: string; amount: number } };
  updated_at: string | null;
}

const money = (n: number, currency: string) => `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })} ${currency}`;

/** A cap field's value: empty is "no cap" (null); otherwise a non-negative number, or undefined when it is not one. */
function capOf(s: string): number | null | undefined {
  const t = s.trim();
  if (!t) return null;
  const n = Number(t);
  return /^\d+(\.\d+)?$/.test(t) && Number.isFinite(n) ? n : undefined;
}

function Meter({ id, label, spent, cap, period, currency }: { id: string; label: string; spent: number; cap: number | null; period: string; currency: string }) {
  const text = cap === null ? `${money(spent, currency)} spent, no cap` : `${money(spent, currency)} of ${money(cap, currency)} (${cap > 0 ? Math.round((spent / cap) * 100) : 100} %)`;
  return (
    <div className="spend-meter" data-testid={`spend-${id}`}>
      <div className="row spread">
        <span id={`spend-${id}-label`}>
          <strong>{label}</strong> <span className="muted small">{period}</span>
        </span>
        <span className="small">{text}</span>
      </div>
      {cap !== null && <meter aria-labelledby={`spend-${id}-label`} min={0} max={cap || 1} low={(cap || 1) * 0.7} high={(cap || 1) * 0.9} optimum={0} value={Math.min(spent, cap || 1)} />}
    </div>
  );
}

/** Spend against caps (`GET/PATCH /attack-protection/phone-spend`): today and this month (UTC), caps editable. */
export function SpendCaps({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const { data, error, loading, reload } = useLoad(() => mgmt<PhoneSpend>(tenant, 'GET', '/attack-protection/phone-spend'), [tenant]);
  const [spend, setSpend] = useState<PhoneSpend>();
  const [daily, setDaily] = useState('');
  const [monthly, setMonthly] = useState('');
  const [saveError, setSaveError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const load = (s: PhoneSpend) => {
    setSpend(s);
    setDaily(s.daily_cap === null ? '' : String(s.daily_cap));
    setMonthly(s.monthly_cap === null ? '' : String(s.monthly_cap));
  };
  useEffect(() => {
    if (data) load(data);
  }, [data]);

  const save = async () => {
    setSaveError(undefined);
    setSaved(false);
    const d = capOf(daily);
    const m = capOf(monthly);
    if (d === undefined || m === undefined) {
      setSaveError(new Error('A cap is an amount (such as 50 or 12.5), or empty for no cap'));
      return;
    }
    try {
      load(await mgmt<PhoneSpend>(tenant, 'PATCH', '/attack-protection/phone-spend', { daily_cap: d, monthly_cap: m }));
      setSaved(true);
    } catch (e) {
      setSaveError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="spend-title" aria-busy={loading} data-testid="spend">
      <div className="row spread">
        <h2 id="spend-title">Spend against caps</h2>
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void reload()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh spend'}
        </button>
      </div>
      <p className="muted small">What the phone messages cost so far (UTC day and month, at the prices the API lists). At a cap, sends are refused (429) until the period ends. {spend?.updated_at ? `Caps last changed ${utc(spend.updated_at)}.` : ''}</p>
      {loading && !spend && <Loading />}
      <ErrorNote error={error} />
      {spend && (
        <>
          <Meter id="day" label="Today" spent={spend.spent.day.amount} cap={spend.daily_cap} period={spend.spent.day.period} currency={spend.currency} />
          <Meter id="month" label="This month" spent={spend.spent.month.amount} cap={spend.monthly_cap} period={spend.spent.month.period} currency={spend.currency} />
          <div className="row end">
            <label className="field grow">
              <span>Daily cap ({spend.currency}; empty: no cap)</span>
              <input inputMode="decimal" value={daily} disabled={readOnly} onChange={(e) => setDaily(e.target.value)} autoComplete="off" />
            </label>
            <label className="field grow">
              <span>Monthly cap ({spend.currency}; empty: no cap)</span>
              <input inputMode="decimal" value={monthly} disabled={readOnly} onChange={(e) => setMonthly(e.target.value)} autoComplete="off" />
            </label>
          </div>
          {!readOnly && (
            <ActionButton onClick={save} busyLabel="Saving…">
              Save caps
            </ActionButton>
          )}
          <ErrorNote error={saveError} />
          {saved && <Notice kind="ok">Caps saved.</Notice>}
        </>
      )}
    </section>
  );
}
