import { useState } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';
import { MfaLegacySettings } from './MfaLegacy.js';

type MessageType = 'sms' | 'voice';
interface State {
  enabled: boolean;
  messageTypes: MessageType[];
  consolidated: boolean;
  deliveryMethods: string[] | null;
  providerDisabled: boolean;
}
interface Migration {
  eligible: boolean;
  status: string;
  sources?: { mfa?: { twilio?: { auth_token_set?: boolean } } };
}

const CHOICES: { value: string; label: string; types: MessageType[] }[] = [
  { value: 'sms', label: 'SMS', types: ['sms'] },
  { value: 'voice', label: 'Voice', types: ['voice'] },
  { value: 'both', label: 'SMS and Voice', types: ['sms', 'voice'] },
];
const METHOD: Record<MessageType, string> = { sms: 'text', voice: 'voice' };
const choiceOf = (types: MessageType[]) => (types.length === 2 ? 'both' : (types[0] ?? 'sms'));

async function load(tenant: string): Promise<State> {
  const [factors, types, settings, providers] = await Promise.all([
    mgmt<{ name: string; enabled: boolean }[]>(tenant, 'GET', '/guardian/factors'),
    mgmt<{ message_types: MessageType[] }>(tenant, 'GET', '/guardian/factors/phone/message-types'),
    mgmt<{ phone_consolidated_experience?: boolean }>(tenant, 'GET', '/tenants/settings'),
    mgmt<{ providers: { disabled: boolean; configuration: { delivery_methods?: string[] } }[] }>(tenant, 'GET', '/branding/phone/providers'),
  ]);
  const p = providers.providers[0];
  return {
    enabled: factors.find((f) => f.name === 'sms')?.enabled ?? false,
    messageTypes: types.message_types,
    consolidated: settings.phone_consolidated_experience ?? false,
    deliveryMethods: p ? (p.configuration.delivery_methods ?? []) : null,
    providerDisabled: p?.disabled ?? false,
  };
}

export function MfaPhonePage({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const { data, error, loading, reload } = useLoad(() => load(tenant), [tenant]);
  const migration = useLoad(() => mgmt<Migration>(tenant, 'GET', '/phone-migration'), [tenant]);
  // Kept here: the form is rebuilt from what the API answers after a save.
  const [saved, setSaved] = useState(false);
  if (loading && !data) return <Loading />;
  if (error || !data) return <ErrorNote error={error} />;
  return (
    <>
      {migration.data?.eligible && (
        <Notice kind="warn">
          <strong>Move to the Unified Phone Experience.</strong> This tenant's MFA or passwordless phone settings can move to one tenant-level provider (migration
          status: <code>{migration.data.status}</code>). Configure it under <a href="#/branding/phone-provider">Branding › Phone Provider</a>, send a test
          message, then select <em>Use Tenant-level Messaging Provider</em> below — or let the{' '}
          <a href="#/security/mfa/phone-migration">migration wizard</a> do it in one step that can be rolled back.
        </Notice>
      )}
      {migration.data && !migration.data.eligible && <p className="muted">Migration status: {migration.data.status}</p>}
      <ErrorNote error={migration.error} />
      <MfaForm
        key={JSON.stringify(data)}
        tenant={tenant}
        state={data}
        readOnly={readOnly}
        onSaving={() => setSaved(false)}
        onSaved={async () => {
          await reload();
          setSaved(true);
        }}
      />
      {saved && <Notice kind="ok">Saved.</Notice>}
      {!data.consolidated && <MfaLegacySettings tenant={tenant} readOnly={readOnly} tokenSet={migration.data?.sources?.mfa?.twilio?.auth_token_set} />}
    </>
  );
}

function MfaForm({ tenant, state, readOnly, onSaving, onSaved }: { tenant: string; state: State; readOnly: boolean; onSaving: () => void; onSaved: () => Promise<void> }) {
  const [enabled, setEnabled] = useState(state.enabled);
  const [choice, setChoice] = useState(choiceOf(state.messageTypes));
  const [consolidated, setConsolidated] = useState(state.consolidated);
  const [error, setError] = useState<unknown>();

  // With the tenant-level provider, a message type its delivery methods cannot carry is not offered.
  const cannot = (types: MessageType[]) => consolidated && state.deliveryMethods !== null && types.some((t) => !state.deliveryMethods!.includes(METHOD[t]));

  const save = async () => {
    setError(undefined);
    onSaving();
    const types = CHOICES.find((c) => c.value === choice)!.types;
    try {
      if (consolidated !== state.consolidated) await mgmt(tenant, 'PATCH', '/tenants/settings', { phone_consolidated_experience: consolidated });
      if (choiceOf(state.messageTypes) !== choice) await mgmt(tenant, 'PUT', '/guardian/factors/phone/message-types', { message_types: types });
      if (enabled !== state.enabled) await mgmt(tenant, 'PUT', '/guardian/factors/sms', { enabled });
      await onSaved();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="mfa-h">
      <h2 id="mfa-h">Phone Message</h2>
      <fieldset disabled={readOnly}>
        <label className="choice">
          <input type="checkbox" name="factor_enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enable the phone message factor
        </label>
        <label className="choice">
          <input type="checkbox" name="consolidated" checked={consolidated} onChange={(e) => setConsolidated(e.target.checked)} /> Use Tenant-level Messaging
          Provider
        </label>
        {consolidated && state.deliveryMethods === null && <Notice kind="warn">No tenant-level provider is configured yet (Branding › Phone Provider).</Notice>}
        {consolidated && state.providerDisabled && <Notice kind="warn">The tenant-level provider is disabled.</Notice>}
      </fieldset>
      <fieldset disabled={readOnly}>
        <legend>Delivery</legend>
        {CHOICES.map((c) => {
          const no = cannot(c.types);
          return (
            <label key={c.value} className={`choice${no ? ' unavailable' : ''}`}>
              <input type="radio" name="message_types" value={c.value} checked={choice === c.value} disabled={no} onChange={() => setChoice(c.value)} />
              {c.label}
              {no && <small className="muted"> — the tenant-level provider does not deliver by {c.types.filter((t) => !state.deliveryMethods!.includes(METHOD[t])).map((t) => METHOD[t]).join(', ')}</small>}
            </label>
          );
        })}
        {CHOICES.some((c) => cannot(c.types)) && (
          <p className="muted" data-testid="seed-rule">
            The MFA message types must be a subset of the tenant-level provider's delivery methods (SMS needs <code>text</code>, Voice needs <code>voice</code>).
            For a choice shown unavailable: <em>User must update tenant-level provider to allow for desired MFA phone factor</em> (Branding › Phone Provider,
            Delivery methods).
          </p>
        )}
      </fieldset>
      <ErrorNote error={error} />
      {!readOnly && (
        <ActionButton onClick={save} busyLabel="Saving…">
          Save
        </ActionButton>
      )}
    </section>
  );
}
