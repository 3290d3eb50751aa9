import { useState } from 'react';
import { ApiError, mgmt } from '../api.js';
import { DiffView } from '../editor/CodeEditor.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';

type Method = 'text' | 'voice';
type MessageType = 'sms' | 'voice';
interface Issue {
  code: string;
  message: string;
}
interface Twilio {
  sid: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  auth_token_set: boolean;
}
interface Plan {
  tenant: string;
  status: 'legacy' | 'unified' | 'migrated';
  eligible: boolean;
  sources: {
    mfa: { enabled: boolean; message_types: MessageType[]; selected_provider: string; twilio: Twilio; actions: { id: string; name: string }[] };
    passwordless: { enabled: boolean; connection: { name: string } | null; provider: string | null; twilio: Twilio | null; gateway: { url: string | null } | null };
  };
  target: null | {
    kind: string;
    reason: string;
    provider: { name: string; configuration: Record<string, unknown>; credentials_from: string | null };
    action?: { name: string; source: 'translated' | 'generated'; original_action_id?: string; code: string; changes: { line: number; description: string }[]; warnings: { line: number; code: string; message: string }[] };
  };
  delivery_methods: Method[];
  message_types: MessageType[];
  checks: { rule: string; ok: boolean; user_action: string; message: string }[];
  templates: { type: string; body: { text: string; voice?: string }; source: string }[];
  secrets: { name: string; source: string }[];
  warnings: Issue[];
  blockers: Issue[];
  plan_hash: string;
}
interface Change {
  op: string;
  resource: string;
  id?: string;
  before?: unknown;
  after?: unknown;
}

const brief = (v: unknown) => {
  if (v === undefined) return '';
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
};
const toggle = <T,>(list: T[], x: T) => (list.includes(x) ? list.filter((y) => y !== x) : [...list, x]);

/**
 * The migration wizard (`/api/v2/phone-migration`): the plan, the Action's translation beside the
 * original, the choices, a dry run's exact changes, apply, and rollback.
 */
export function PhoneMigrationPage({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const [methods, setMethods] = useState<Method[]>();
  const [types, setTypes] = useState<MessageType[]>();
  const query = new URLSearchParams({ ...(methods ? { delivery_methods: methods.join(',') } : {}), ...(types ? { message_types: types.join(',') } : {}) }).toString();
  const plan = useLoad(() => mgmt<Plan>(tenant, 'GET', `/phone-migration${query ? `?${query}` : ''}`), [tenant, query]);
  const [result, setResult] = useState<{ title: string; changes: Change[] }>();
  if (plan.loading && !plan.data) return <Loading />;
  if (!plan.data) return <ErrorNote error={plan.error} />;
  const p = plan.data;
  return (
    <>
      <ErrorNote error={plan.error} />
      <section className="card" aria-labelledby="plan-h">
        <h2 id="plan-h">Plan</h2>
        <p>
          Status: <strong data-testid="migration-status">{p.status}</strong>
          {p.status === 'legacy' && (p.eligible ? ' — this tenant can move to the Unified Phone Experience.' : ' — nothing to migrate (no MFA phone factor or passwordless SMS configured).')}
          {p.status === 'migrated' && ' — applied here; it can be rolled back.'}
          {p.status === 'unified' && ' — the tenant already uses its tenant-level provider.'}
        </p>
        {/* Once applied (or on the unified experience) the blockers only restate the status. */}
        {p.status === 'legacy' && p.blockers.length > 0 && (
          <div className="notice notice-warn" role="alert">
            <strong>Blocked:</strong>
            <ul>
              {p.blockers.map((b) => (
                <li key={b.code + b.message}>
                  <code>{b.code}</code> {b.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        {p.warnings.length > 0 && (
          <Notice kind="warn">
            <strong>Warnings:</strong>
            <ul>
              {p.warnings.map((w) => (
                <li key={w.code + w.message}>
                  <code>{w.code}</code> {w.message}
                </li>
              ))}
            </ul>
          </Notice>
        )}
        <div className="split">
          <div>
            <h3>Sources</h3>
            <dl className="kv">
              <dt>MFA phone factor</dt>
              <dd>
                {p.sources.mfa.enabled ? 'on' : 'off'} ({p.sources.mfa.message_types.join(' + ') || 'no message types'}), provider <code>{p.sources.mfa.selected_provider}</code>
              </dd>
              {p.sources.mfa.selected_provider === 'twilio' && (
                <>
                  <dt>Guardian Twilio</dt>
                  <dd>
                    {p.sources.mfa.twilio.sid ?? '—'} · {p.sources.mfa.twilio.messaging_service_sid ?? p.sources.mfa.twilio.from ?? '—'} · token {p.sources.mfa.twilio.auth_token_set ? 'set' : 'missing'}
                  </dd>
                </>
              )}
              {p.sources.mfa.actions.length > 0 && (
                <>
                  <dt>send-phone-message</dt>
                  <dd>{p.sources.mfa.actions.map((a) => a.name).join(', ')}</dd>
                </>
              )}
              <dt>Passwordless SMS</dt>
              <dd>
                {p.sources.passwordless.connection ? `${p.sources.passwordless.enabled ? 'on' : 'off'}, provider ${p.sources.passwordless.provider ?? 'none'}` : 'no sms connection'}
              </dd>
            </dl>
          </div>
          <div>
            <h3>Target</h3>
            {p.target ? (
              <dl className="kv">
                <dt>Provider</dt>
                <dd>
                  <strong data-testid="migration-target">{p.target.kind}</strong>
                </dd>
                <dt>Why</dt>
                <dd>{p.target.reason}</dd>
                <dt>Delivery methods</dt>
                <dd>{p.delivery_methods.join(', ')}</dd>
                <dt>MFA message types</dt>
                <dd>{p.message_types.join(', ') || '—'}</dd>
                {p.target.provider.credentials_from && (
                  <>
                    <dt>Credentials from</dt>
                    <dd>{p.target.provider.credentials_from}</dd>
                  </>
                )}
              </dl>
            ) : (
              <p className="muted">
                {p.status === 'migrated' ? 'Applied: the tenant uses its tenant-level provider. Roll back to plan again.' : 'No target while the plan is blocked or there is nothing to move.'}
              </p>
            )}
          </div>
        </div>
        {p.checks.length > 0 && (
          <>
            <h3>Checks (the seed's tables)</h3>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Result</th>
                  <th scope="col">User action</th>
                </tr>
              </thead>
              <tbody>
                {p.checks.map((c) => (
                  <tr key={c.rule}>
                    <td>
                      <code>{c.rule}</code>
                      <br />
                      <small className="muted">{c.message}</small>
                    </td>
                    <td className={c.ok ? 'ok' : 'error'}>{c.ok ? 'ok' : 'fails'}</td>
                    <td>{c.user_action}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {p.templates.length > 0 && (
          <>
            <h3>Templates it writes</h3>
            <ul>
              {p.templates.map((t) => (
                <li key={t.type}>
                  <code>{t.type}</code> ({t.source}): <span className="muted">{t.body.text}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {p.target?.action && <ActionSection tenant={tenant} action={p.target.action} />}
      {p.status !== 'unified' && (
        <Choices
          tenant={tenant}
          plan={p}
          readOnly={readOnly}
          methods={methods ?? p.delivery_methods}
          types={types ?? p.message_types}
          onMethods={setMethods}
          onTypes={setTypes}
          onResult={setResult}
          reload={plan.reload}
        />
      )}
      {result && (
        <section className="card" aria-labelledby="result-h">
          <h2 id="result-h">{result.title}</h2>
          <ChangeTable changes={result.changes} />
        </section>
      )}
    </>
  );
}

function ActionSection({ tenant, action }: { tenant: string; action: NonNullable<NonNullable<Plan['target']>['action']> }) {
  const original = useLoad(
    async () => (action.original_action_id ? (await mgmt<{ code: string; name: string }>(tenant, 'GET', `/actions/actions/${action.original_action_id}`)).code : null),
    [tenant, action.original_action_id],
  );
  return (
    <section className="card" aria-labelledby="translation-h">
      <h2 id="translation-h">{action.source === 'translated' ? 'The send-phone-message Action and its translation' : 'The generated custom-phone-provider Action'}</h2>
      {original.error ? <ErrorNote error={original.error} /> : null}
      {original.data !== undefined && (
        <DiffView a={original.data ?? ''} b={action.code} labelA={original.data === null ? '(no original: generated)' : 'Original (send-phone-message)'} labelB={`${action.name} (custom-phone-provider)`} />
      )}
      {action.changes.length > 0 && (
        <>
          <h3>What changed</h3>
          <ul data-testid="translation-changes">
            {action.changes.map((c, i) => (
              <li key={i}>
                line {c.line}: {c.description}
              </li>
            ))}
          </ul>
        </>
      )}
      {action.warnings.length > 0 && (
        <>
          <h3>Needs a look</h3>
          <ul>
            {action.warnings.map((w, i) => (
              <li key={i}>
                line {w.line}: <code>{w.code}</code> {w.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Choices(props: {
  tenant: string;
  plan: Plan;
  readOnly: boolean;
  methods: Method[];
  types: MessageType[];
  onMethods: (m: Method[]) => void;
  onTypes: (t: MessageType[]) => void;
  onResult: (r: { title: string; changes: Change[] } | undefined) => void;
  reload: () => Promise<void>;
}) {
  const { tenant, plan, readOnly } = props;
  const [copySecrets, setCopySecrets] = useState(false);
  const [error, setError] = useState<unknown>();
  const [changedSince, setChangedSince] = useState<string>();
  const body = () => ({ plan_hash: plan.plan_hash, delivery_methods: props.methods, ...(props.types.length ? { message_types: props.types } : {}), copy_secrets: copySecrets });

  const run = async (dryRun: boolean) => {
    setError(undefined);
    props.onResult(undefined);
    try {
      const r = await mgmt<{ changes: Change[] }>(tenant, 'POST', `/phone-migration${dryRun ? '?dry_run=true' : ''}`, body());
      props.onResult({ title: dryRun ? 'Dry run: the changes apply would make' : 'Applied', changes: r.changes });
      if (!dryRun) await props.reload();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'phone_migration_plan_changed') await props.reload();
    }
  };
  const rollback = async (force: boolean) => {
    setError(undefined);
    setChangedSince(undefined);
    props.onResult(undefined);
    try {
      const r = await mgmt<{ restored: Change[] }>(tenant, 'DELETE', `/phone-migration${force ? '?force=true' : ''}`);
      props.onResult({ title: 'Rolled back', changes: r.restored });
      await props.reload();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'phone_migration_changed_since') setChangedSince(e.message);
      else setError(e);
    }
  };

  if (plan.status === 'migrated') {
    return (
      <section className="card" aria-labelledby="rollback-h">
        <h2 id="rollback-h">Rollback</h2>
        <p>Restores the legacy settings exactly as they were and removes what the migration created (the provider, its Action, the templates).</p>
        {!readOnly && (
          <ActionButton kind="danger" onClick={() => rollback(false)} busyLabel="Rolling back…">
            Roll back
          </ActionButton>
        )}
        {changedSince && (
          <div className="notice notice-warn" role="alert">
            <p>
              <strong>Something the migration created was changed since.</strong> {changedSince} Rolling back anyway discards those changes.
            </p>
            <ActionButton kind="danger" onClick={() => rollback(true)} busyLabel="Rolling back…">
              Roll back anyway
            </ActionButton>
          </div>
        )}
        <ErrorNote error={error} />
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="choices-h">
      <h2 id="choices-h">Choices</h2>
      <fieldset disabled={readOnly}>
        <legend>Delivery methods of the tenant-level provider</legend>
        {(['text', 'voice'] as const).map((m) => (
          <label key={m} className="choice">
            <input type="checkbox" name={`migration-method-${m}`} checked={props.methods.includes(m)} onChange={() => toggle(props.methods, m).length && props.onMethods(toggle(props.methods, m))} />
            {m === 'text' ? 'Text (SMS)' : 'Voice'}
          </label>
        ))}
      </fieldset>
      <fieldset disabled={readOnly}>
        <legend>MFA message types after the migration</legend>
        {(['sms', 'voice'] as const).map((t) => (
          <label key={t} className="choice">
            <input type="checkbox" name={`migration-type-${t}`} checked={props.types.includes(t)} onChange={() => toggle(props.types, t).length && props.onTypes(toggle(props.types, t))} />
            {t === 'sms' ? 'SMS' : 'Voice'}
          </label>
        ))}
      </fieldset>
      {plan.secrets.length > 0 && (
        <fieldset disabled={readOnly}>
          <legend>Secrets</legend>
          <ul>
            {plan.secrets.map((s) => (
              <li key={s.name}>
                <code>{s.name}</code> <span className="muted">from {s.source}</span>
              </li>
            ))}
          </ul>
          <label className="choice">
            <input type="checkbox" name="copy_secrets" checked={copySecrets} onChange={(e) => setCopySecrets(e.target.checked)} /> Copy these secrets into the new Action
          </label>
        </fieldset>
      )}
      <ErrorNote error={error} />
      {!readOnly && (
        <div className="row">
          <ActionButton kind="secondary" onClick={() => run(true)} disabled={!plan.eligible || plan.blockers.length > 0} busyLabel="Running…">
            Dry run
          </ActionButton>
          <ActionButton onClick={() => run(false)} disabled={!plan.eligible || plan.blockers.length > 0} busyLabel="Applying…">
            Apply migration
          </ActionButton>
        </div>
      )}
    </section>
  );
}

function ChangeTable({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p className="muted">No changes.</p>;
  return (
    <table className="table" data-testid="migration-changes">
      <thead>
        <tr>
          <th scope="col">Change</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c, i) => (
          <tr key={i}>
            <td>
              <code>
                {c.op} {c.resource}
              </code>
              {c.id && <small className="muted"> {c.id}</small>}
            </td>
            <td>
              <code>{brief(c.before)}</code>
            </td>
            <td>
              <code>{brief(c.after)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
