import { useEffect, useState } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';
import { duration, intOf, utc } from './format.js';

export interface FraudSettings {
  mode: string;
  cooling_period_seconds: number;
  thresholds: Record<string, number>;
  updated_at: string | null;
}

const MODES = [
  { value: 'enforce', label: 'Enforce: refuse sends to quarantined prefixes' },
  { value: 'monitor', label: 'Monitor: quarantine and record, refuse nothing' },
  { value: 'off', label: 'Off: judge nothing' },
];

/** The fraud guard's settings (`GET/PATCH /attack-protection/phone-fraud-guard`): mode and cooling period; the thresholds shown. */
export function FraudGuardSettings({ tenant, readOnly, onSaved }: { tenant: string; readOnly: boolean; onSaved?: () => void }) {
  const { data, error, loading } = useLoad(() => mgmt<FraudSettings>(tenant, 'GET', '/attack-protection/phone-fraud-guard'), [tenant]);
  const [settings, setSettings] = useState<FraudSettings>();
  const [mode, setMode] = useState('');
  const [cooling, setCooling] = useState('');
  const [saveError, setSaveError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const load = (s: FraudSettings) => {
    setSettings(s);
    setMode(s.mode);
    setCooling(String(s.cooling_period_seconds));
  };
  useEffect(() => {
    if (data) load(data);
  }, [data]);

  const save = async () => {
    setSaveError(undefined);
    setSaved(false);
    const c = intOf(cooling);
    if (c === undefined) {
      setSaveError(new Error('The cooling period is a whole number of seconds'));
      return;
    }
    try {
      load(await mgmt<FraudSettings>(tenant, 'PATCH', '/attack-protection/phone-fraud-guard', { mode, cooling_period_seconds: c }));
      setSaved(true);
      onSaved?.();
    } catch (e) {
      setSaveError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="fraud-title" aria-busy={loading} data-testid="fraud-guard">
      <h2 id="fraud-title">Fraud guard</h2>
      <p className="muted small">
        Watches where codes go and whether they are typed: a prefix (a block of 10,000 numbers) whose codes are not verified is quarantined for the cooling period.{' '}
        {settings ? (settings.updated_at ? `Last changed ${utc(settings.updated_at)}.` : 'Never changed: the server’s default mode.') : ''}
      </p>
      {loading && <Loading />}
      <ErrorNote error={error} />
      {settings && (
        <>
          <fieldset>
            <legend>Mode</legend>
            <div className="choices" role="radiogroup" aria-label="Fraud guard mode">
              {MODES.map((m) => (
                <label key={m.value} className="choice">
                  <input type="radio" name="fraud-mode" value={m.value} checked={mode === m.value} disabled={readOnly} onChange={() => setMode(m.value)} />
                  {m.label}
                </label>
              ))}
            </div>
          </fieldset>
          <label className="field">
            <span>Cooling period (seconds, 60 to 2592000; now {duration(settings.cooling_period_seconds)})</span>
            <input className="num" inputMode="numeric" value={cooling} disabled={readOnly} onChange={(e) => setCooling(e.target.value)} autoComplete="off" />
          </label>
          <details>
            <summary>Thresholds (set with the API or the CLI)</summary>
            <dl className="facts" data-testid="fraud-thresholds">
              {Object.entries(settings.thresholds).map(([k, v]) => (
                <div key={k} className="contents">
                  <dt>
                    <code>{k}</code>
                  </dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          </details>
          {!readOnly && (
            <ActionButton onClick={save} busyLabel="Saving…">
              Save fraud guard
            </ActionButton>
          )}
          <ErrorNote error={saveError} />
          {saved && <Notice kind="ok">Fraud guard saved.</Notice>}
        </>
      )}
    </section>
  );
}
