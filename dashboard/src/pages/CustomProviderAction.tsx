import { useState } from 'react';
import { mgmt } from '../api.js';
import { CodeEditor } from '../editor/CodeEditor.js';
import { CUSTOM_PROVIDER_EXAMPLE, EXAMPLE_SECRETS } from '../editor/seed-example.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';

interface Action {
  id: string;
  name: string;
  code: string;
  secrets: { name: string; updated_at: string }[];
  all_changes_deployed: boolean;
  deployed_version?: { number: number };
}

/** A secret row: a stored one shows "set" until replaced; its value is never read back. */
interface SecretRow {
  key: number;
  name: string;
  value: string;
  stored: boolean;
  replacing: boolean;
}

const TRIGGER = { id: 'custom-phone-provider', version: 'v1' };
let nextKey = 1;

/**
 * The Action a custom provider runs (trigger `custom-phone-provider`): its code in the editor, its
 * secrets (write-only), and deploy. A new one starts from the seed's example.
 */
export function CustomProviderAction({ tenant, readOnly, onDeployed }: { tenant: string; readOnly: boolean; onDeployed?: () => void }) {
  const { data, error, loading, reload } = useLoad(
    async () => (await mgmt<{ actions: Action[] }>(tenant, 'GET', `/actions/actions?triggerId=${TRIGGER.id}`)).actions[0] ?? null,
    [tenant],
  );
  // Kept here: the form is rebuilt from the API's answer after a deploy.
  const [deployed, setDeployed] = useState<string>();
  if (loading && data === undefined) return <Loading />;
  if (error) return <ErrorNote error={error} />;
  return (
    <ActionForm
      key={data?.id ?? 'new'}
      tenant={tenant}
      action={data ?? null}
      readOnly={readOnly}
      deployed={deployed}
      onDeploying={() => setDeployed(undefined)}
      onDeployed={async (version) => {
        await reload();
        setDeployed(`Deployed: version ${version}.`);
        onDeployed?.();
      }}
    />
  );
}

function ActionForm(props: { tenant: string; action: Action | null; readOnly: boolean; deployed: string | undefined; onDeploying: () => void; onDeployed: (version: number) => Promise<void> }) {
  const { tenant, action, readOnly } = props;
  const [code, setCode] = useState(action?.code ?? CUSTOM_PROVIDER_EXAMPLE);
  const [secrets, setSecrets] = useState<SecretRow[]>(() =>
    action
      ? action.secrets.map((s) => ({ key: nextKey++, name: s.name, value: '', stored: true, replacing: false }))
      : EXAMPLE_SECRETS.map((name) => ({ key: nextKey++, name, value: '', stored: false, replacing: true })),
  );
  const [error, setError] = useState<unknown>();

  const edit = (key: number, patch: Partial<SecretRow>) => setSecrets((rows) => rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  const deploy = async () => {
    setError(undefined);
    props.onDeploying();
    // A stored secret sent without a value keeps its value; a new one needs one.
    const payload = secrets
      .filter((s) => s.name.trim())
      .map((s) => (s.value !== '' ? { name: s.name.trim(), value: s.value } : { name: s.name.trim() }));
    const missing = payload.find((s) => !('value' in s) && !secrets.find((r) => r.name.trim() === s.name && r.stored));
    if (missing) {
      setError(new Error(`The secret ${missing.name} needs a value`));
      return;
    }
    try {
      let id = action?.id;
      if (!id) {
        const created = await mgmt<Action>(tenant, 'POST', '/actions/actions', { name: 'Custom Phone Provider', supported_triggers: [TRIGGER], code, secrets: payload });
        id = created.id;
      } else {
        await mgmt(tenant, 'PATCH', `/actions/actions/${id}`, { code, secrets: payload });
      }
      const v = await mgmt<{ number: number }>(tenant, 'POST', `/actions/actions/${id}/deploy`);
      await props.onDeployed(v.number);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="action-h">
      <h2 id="action-h">Provider Configuration: the custom-phone-provider Action</h2>
      <p className="muted">
        {action ? (
          <>
            Action <strong>{action.name}</strong>
            {action.deployed_version ? `, deployed version ${action.deployed_version.number}` : ', never deployed'}
            {action.all_changes_deployed ? '.' : ' (changes not deployed yet).'}
          </>
        ) : (
          <>No Action yet: the editor starts from the example of the Unified Phone Experience guide. Deploying creates it and binds it to the trigger.</>
        )}
      </p>
      <CodeEditor label="Action code (JavaScript)" language="javascript" value={code} onChange={setCode} readOnly={readOnly} hint="exports.onExecuteCustomPhoneProvider = async (event, api) => { … } — event.notification carries recipient, as_text, as_voice, code, delivery_method, message_type, locale." />
      <fieldset disabled={readOnly}>
        <legend>Secrets</legend>
        <p className="muted">Write-only: values are stored sealed and never shown again. Read them in the code as <code>event.secrets.NAME</code>.</p>
        <table className="table secrets">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {secrets.map((s) => (
              <tr key={s.key}>
                <td>
                  {s.stored ? (
                    <code>{s.name}</code>
                  ) : (
                    <input aria-label="Secret name" value={s.name} onChange={(e) => edit(s.key, { name: e.target.value })} autoComplete="off" spellCheck={false} />
                  )}
                </td>
                <td>
                  {s.replacing ? (
                    <input type="password" aria-label={`Value of ${s.name || 'the new secret'}`} value={s.value} onChange={(e) => edit(s.key, { value: e.target.value })} autoComplete="new-password" />
                  ) : (
                    <span className="secret-set">
                      <span className="badge">set</span>
                      {!readOnly && (
                        <button type="button" className="btn btn-secondary" aria-label={`Replace ${s.name}`} onClick={() => edit(s.key, { replacing: true })}>
                          Replace
                        </button>
                      )}
                    </span>
                  )}
                </td>
                <td>
                  {!readOnly && (
                    <button type="button" className="btn btn-secondary" aria-label={`Remove ${s.name || 'the new secret'}`} onClick={() => setSecrets((rows) => rows.filter((r) => r.key !== s.key))}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!readOnly && (
          <button type="button" className="btn btn-secondary" onClick={() => setSecrets((rows) => [...rows, { key: nextKey++, name: '', value: '', stored: false, replacing: true }])}>
            Add secret
          </button>
        )}
      </fieldset>
      <ErrorNote error={error} />
      {props.deployed && <Notice kind="ok">{props.deployed}</Notice>}
      {!readOnly && (
        <ActionButton onClick={deploy} busyLabel="Deploying…">
          Deploy
        </ActionButton>
      )}
    </section>
  );
}
