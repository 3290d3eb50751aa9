import { useEffect, useState } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';

type Methods = Array<'text' | 'voice'>;
interface Rule {
  countries?: { mode: string; list: string[] };
  number_types?: { mode: string; blocked: string[] };
  delivery_methods?: Methods;
}
export interface SendPolicy {
  countries: { mode: string; list: string[] };
  number_types: { mode: string; blocked: string[] };
  flows: Record<string, Rule | undefined>;
  updated_at: string | null;
}

// The API's values (docs/api.md, "Phone send policy").
const COUNTRY_MODES = [
  { value: 'allow_list', label: 'Allow only the listed countries' },
  { value: 'deny_list', label: 'Refuse the listed countries' },
  { value: 'monitor', label: 'Monitor: record, refuse nothing' },
];
const TYPE_MODES = [
  { value: 'enforce', label: 'Refuse the checked types' },
  { value: 'monitor', label: 'Monitor: record, refuse nothing' },
];
const NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL', 'UNKNOWN'];
const FLOWS: Array<[string, string]> = [
  ['signup', 'Sign-up'],
  ['passwordless', 'Passwordless'],
  ['mfa_enrollment', 'MFA enrollment'],
  ['mfa_challenge', 'MFA challenge'],
  ['password_reset', 'Password reset'],
  ['account_notice', 'Account notices'],
  ['test_send', 'Test sends'],
];
const METHODS: Methods = ['text', 'voice'];

const methodsOf = (p: SendPolicy, flow: string): Methods => p.flows[flow]?.delivery_methods ?? METHODS;

/** The phone send policy (`GET/PATCH /attack-protection/phone-send-policy`): countries, number types, delivery methods per flow. */
export function SendPolicyEditor({ tenant, readOnly, onSaved }: { tenant: string; readOnly: boolean; onSaved?: () => void }) {
  const { data, error, loading } = useLoad(() => mgmt<SendPolicy>(tenant, 'GET', '/attack-protection/phone-send-policy'), [tenant]);
  const [countryMode, setCountryMode] = useState('');
  const [countries, setCountries] = useState('');
  const [typeMode, setTypeMode] = useState('');
  const [blocked, setBlocked] = useState<string[]>([]);
  const [flows, setFlows] = useState<Record<string, Methods>>({});
  const [policy, setPolicy] = useState<SendPolicy>();
  const [saveError, setSaveError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const load = (p: SendPolicy) => {
    setPolicy(p);
    setCountryMode(p.countries.mode);
    setCountries(p.countries.list.join(', '));
    setTypeMode(p.number_types.mode);
    setBlocked(p.number_types.blocked);
    setFlows(Object.fromEntries(FLOWS.map(([f]) => [f, methodsOf(p, f)])));
  };
  useEffect(() => {
    if (data) load(data);
  }, [data]);

  const save = async () => {
    if (!policy) return;
    setSaveError(undefined);
    setSaved(false);
    const flowPatch: Record<string, { delivery_methods: Methods | null }> = {};
    for (const [f] of FLOWS) {
      const want = METHODS.filter((m) => flows[f]?.includes(m));
      const had = policy.flows[f]?.delivery_methods;
      // Both methods is the default: a restriction that is lifted is removed (null), not stored as [text, voice].
      if (want.length === METHODS.length) {
        if (had) flowPatch[f] = { delivery_methods: null };
      } else if (!had || had.join() !== want.join()) flowPatch[f] = { delivery_methods: want };
    }
    const body = {
      countries: { mode: countryMode, list: countries.split(/[\s,;]+/).filter(Boolean).map((c) => c.toUpperCase()) },
      number_types: { mode: typeMode, blocked: NUMBER_TYPES.filter((t) => blocked.includes(t)) },
      ...(Object.keys(flowPatch).length ? { flows: flowPatch } : {}),
    };
    try {
      load(await mgmt<SendPolicy>(tenant, 'PATCH', '/attack-protection/phone-send-policy', body));
      setSaved(true);
      onSaved?.();
    } catch (e) {
      setSaveError(e);
    }
  };

  if (loading) return <Loading />;
  if (error) return <ErrorNote error={error} />;
  if (!policy) return null;
  const overrides = FLOWS.filter(([f]) => policy.flows[f]?.countries || policy.flows[f]?.number_types);

  return (
    <section className="card" aria-labelledby="policy-title">
      <h2 id="policy-title">Phone send policy</h2>
      <p className="muted small">
        Checked before every phone message: a refused send issues no code and costs nothing. {policy.updated_at ? `Last changed ${policy.updated_at.replace('T', ' ').slice(0, 16)} UTC.` : 'The defaults: never changed.'}
      </p>
      <fieldset>
        <legend>Destination countries</legend>
        <div className="choices" role="radiogroup" aria-label="Country rule">
          {COUNTRY_MODES.map((m) => (
            <label key={m.value} className="choice">
              <input type="radio" name="country-mode" value={m.value} checked={countryMode === m.value} disabled={readOnly} onChange={() => setCountryMode(m.value)} />
              {m.label}
            </label>
          ))}
        </div>
        <label className="field">
          <span>Countries (ISO codes, comma-separated; 001 for non-geographic numbers)</span>
          <input value={countries} disabled={readOnly} onChange={(e) => setCountries(e.target.value)} placeholder="US, CA, GB" autoComplete="off" />
        </label>
      </fieldset>
      <fieldset>
        <legend>Number types</legend>
        <div className="choices" role="radiogroup" aria-label="Number type rule">
          {TYPE_MODES.map((m) => (
            <label key={m.value} className="choice">
              <input type="radio" name="type-mode" value={m.value} checked={typeMode === m.value} disabled={readOnly} onChange={() => setTypeMode(m.value)} />
              {m.label}
            </label>
          ))}
        </div>
        <div className="choices grid-choices">
          {NUMBER_TYPES.map((t) => (
            <label key={t} className="choice">
              <input type="checkbox" checked={blocked.includes(t)} disabled={readOnly} onChange={(e) => setBlocked(e.target.checked ? [...blocked, t] : blocked.filter((x) => x !== t))} />
              {t.toLowerCase().replace(/_/g, ' ')}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Delivery methods per flow</legend>
        <div className="table-wrap" role="region" aria-label="Delivery methods per flow" tabIndex={0}>
          <table className="table" data-testid="flow-methods">
            <thead>
              <tr>
                <th scope="col">Flow</th>
                <th scope="col">Text</th>
                <th scope="col">Voice</th>
              </tr>
            </thead>
            <tbody>
              {FLOWS.map(([f, label]) => (
                <tr key={f}>
                  <th scope="row">{label}</th>
                  {METHODS.map((m) => (
                    <td key={m}>
                      <input
                        type="checkbox"
                        aria-label={`${label}: ${m === 'text' ? 'text' : 'voice'}`}
                        checked={flows[f]?.includes(m) ?? true}
                        disabled={readOnly}
                        onChange={(e) => setFlows({ ...flows, [f]: e.target.checked ? [...(flows[f] ?? []), m] : (flows[f] ?? []).filter((x) => x !== m) })}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {overrides.length > 0 && (
          <p className="muted small">
            Flows with country or number-type rules of their own (kept as they are; set them with the API or <code>unifone send-policy set</code>): {overrides.map(([, l]) => l).join(', ')}.
          </p>
        )}
      </fieldset>
      {!readOnly && (
        <ActionButton onClick={save} busyLabel="Saving…">
          Save policy
        </ActionButton>
      )}
      <ErrorNote error={saveError} />
      {saved && <Notice kind="ok">Saved.</Notice>}
    </section>
  );
}
