import { useEffect, useState } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';
import { duration, intOf, utc } from './format.js';

interface Rule {
  mode: string;
  limit: number;
  window_seconds: number;
}
export interface VelocityPolicy {
  backoff: { type: string; max_seconds: number };
  rules: Record<string, Rule>;
  updated_at: string | null;
}

// The API's rules (docs/abuse.md, "Velocity limits"), in its order, with what each counts by.
const KEYS: Array<[string, string]> = [
  ['recipient', 'Recipient (the number)'],
  ['user', 'User'],
  ['ip', 'IP address (IPv6 by /64)'],
  ['client', 'Application'],
  ['tenant', 'Tenant'],
  ['prefix', 'Prefix (1,000 numbers)'],
  ['country', 'Country'],
];
const MODES = ['enforce', 'monitor', 'off'];
type Draft = Record<string, { mode: string; limit: string; window: string }>;

const draftOf = (p: VelocityPolicy): Draft => Object.fromEntries(KEYS.map(([k]) => [k, { mode: p.rules[k]!.mode, limit: String(p.rules[k]!.limit), window: String(p.rules[k]!.window_seconds) }]));

/**
 * The velocity limits (`GET/PATCH /attack-protection/phone-velocity-limits`) and Auth0's backoff type
 * (`GET/PATCH /attack-protection/phone-provider-protection`). Saving sends a merge patch of the rules
 * that changed, and the backoff type through Auth0's resource when it changed.
 */
export function VelocityLimits({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const { data, error, loading } = useLoad(
    async () => {
      const [policy, protection] = await Promise.all([mgmt<VelocityPolicy>(tenant, 'GET', '/attack-protection/phone-velocity-limits'), mgmt<{ type: string }>(tenant, 'GET', '/attack-protection/phone-provider-protection')]);
      return { policy, protection };
    },
    [tenant],
  );
  const [policy, setPolicy] = useState<VelocityPolicy>();
  const [draft, setDraft] = useState<Draft>({});
  const [backoff, setBackoff] = useState('');
  const [maxBackoff, setMaxBackoff] = useState('');
  const [saveError, setSaveError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const load = (p: VelocityPolicy, type: string) => {
    setPolicy(p);
    setDraft(draftOf(p));
    setBackoff(type);
    setMaxBackoff(String(p.backoff.max_seconds));
  };
  useEffect(() => {
    if (data) load(data.policy, data.protection.type);
  }, [data]);

  const save = async () => {
    if (!policy) return;
    setSaveError(undefined);
    setSaved(false);
    const rules: Record<string, Partial<Rule>> = {};
    for (const [k, label] of KEYS) {
      const d = draft[k]!;
      const had = policy.rules[k]!;
      const limit = intOf(d.limit);
      const window = intOf(d.window);
      if (limit === undefined || window === undefined) {
        setSaveError(new Error(`${label}: the limit and the window are whole numbers`));
        return;
      }
      const change: Partial<Rule> = {};
      if (d.mode !== had.mode) change.mode = d.mode;
      if (limit !== had.limit) change.limit = limit;
      if (window !== had.window_seconds) change.window_seconds = window;
      if (Object.keys(change).length) rules[k] = change;
    }
    const max = intOf(maxBackoff);
    if (max === undefined) {
      setSaveError(new Error('The longest backoff is a whole number of seconds'));
      return;
    }
    try {
      let type = backoff;
      // Auth0's resource carries the type; the rest of the backoff is ours.
      if (backoff !== policy.backoff.type) type = (await mgmt<{ type: string }>(tenant, 'PATCH', '/attack-protection/phone-provider-protection', { type: backoff })).type;
      const body = { ...(Object.keys(rules).length ? { rules } : {}), ...(max !== policy.backoff.max_seconds ? { backoff: { max_seconds: max } } : {}) };
      const next = Object.keys(body).length ? await mgmt<VelocityPolicy>(tenant, 'PATCH', '/attack-protection/phone-velocity-limits', body) : await mgmt<VelocityPolicy>(tenant, 'GET', '/attack-protection/phone-velocity-limits');
      load(next, type);
      setSaved(true);
    } catch (e) {
      setSaveError(e);
    }
  };

  const set = (k: string, part: 'mode' | 'limit' | 'window', v: string) => setDraft({ ...draft, [k]: { ...draft[k]!, [part]: v } });

  return (
    <section className="card" aria-labelledby="velocity-title" aria-busy={loading} data-testid="velocity">
      <h2 id="velocity-title">Velocity limits</h2>
      <p className="muted small">
        Sends counted per key over a window; past the limit a send is refused (429) and issues no code. {policy ? (policy.updated_at ? `Last changed ${utc(policy.updated_at)}.` : 'The defaults: never changed.') : ''}
      </p>
      {loading && <Loading />}
      <ErrorNote error={error} />
      {policy && (
        <>
          <div className="table-wrap" role="region" aria-label="Velocity rules, one per key" tabIndex={0}>
            <table className="table velocity-rules" data-testid="velocity-rules">
              <thead>
                <tr>
                  <th scope="col">Counted by</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Limit (sends)</th>
                  <th scope="col">Window (seconds)</th>
                </tr>
              </thead>
              <tbody>
                {KEYS.map(([k, label]) => (
                  <tr key={k}>
                    <th scope="row">{label}</th>
                    <td>
                      <select aria-label={`${label}: mode`} value={draft[k]?.mode ?? ''} disabled={readOnly} onChange={(e) => set(k, 'mode', e.target.value)}>
                        {MODES.map((m) => (
                          <option key={m} value={m}>
                            {m}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input className="num" inputMode="numeric" aria-label={`${label}: limit`} value={draft[k]?.limit ?? ''} disabled={readOnly} onChange={(e) => set(k, 'limit', e.target.value)} />
                    </td>
                    <td>
                      <input className="num" inputMode="numeric" aria-label={`${label}: window in seconds`} value={draft[k]?.window ?? ''} disabled={readOnly} onChange={(e) => set(k, 'window', e.target.value)} />
                      <span className="muted small"> {duration(policy.rules[k]!.window_seconds)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <fieldset>
            <legend>Backoff of a key that keeps going over</legend>
            <div className="choices" role="radiogroup" aria-label="Backoff type">
              <label className="choice">
                <input type="radio" name="backoff-type" value="exponential" checked={backoff === 'exponential'} disabled={readOnly} onChange={() => setBackoff('exponential')} />
                Exponential: each breach within a day doubles the wait
              </label>
              <label className="choice">
                <input type="radio" name="backoff-type" value="none" checked={backoff === 'none'} disabled={readOnly} onChange={() => setBackoff('none')} />
                None: wait out the window
              </label>
            </div>
            <label className="field">
              <span>Longest backoff (seconds, at most 86400)</span>
              <input className="num" inputMode="numeric" value={maxBackoff} disabled={readOnly} onChange={(e) => setMaxBackoff(e.target.value)} />
            </label>
          </fieldset>
          {!readOnly && (
            <ActionButton onClick={save} busyLabel="Saving…">
              Save velocity limits
            </ActionButton>
          )}
          <ErrorNote error={saveError} />
          {saved && <Notice kind="ok">Velocity limits saved.</Notice>}
        </>
      )}
    </section>
  );
}
