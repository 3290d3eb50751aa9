import { createHash } from 'node:crypto';
import type { ActionBindingRecord, ActionRecord } from '../actions/ports.js';
import { CUSTOM_PHONE_PROVIDER, SEND_PHONE_MESSAGE } from '../actions/triggers.js';
import { DEFAULT_SMS_CONNECTION } from '../auth/connection-catalog.js';
import type { ConnectionRecord, SmsConnectionOptions } from '../auth/ports.js';
import type { GuardianSettingsRecord, PhoneProviderRecord, PhoneTemplateRecord, TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import { defaultGuardianSettings } from '../tenants/tenant-service.js';
import type { PhoneMigrationRecord } from './ports.js';

/** Everything a migration reads of a tenant, read together (inside the apply transaction, from it). */
export interface LegacyState {
  tenant: TenantRecord;
  guardian: GuardianSettingsRecord;
  sms: (ConnectionRecord & { options: SmsConnectionOptions }) | undefined;
  /** The send-phone-message bindings with their actions (the legacy MFA hook). */
  hooks: Array<{ binding: ActionBindingRecord; action: ActionRecord }>;
  /** Actions that support custom-phone-provider (at most one per tenant). */
  customActions: ActionRecord[];
  customBindings: ActionBindingRecord[];
  provider: PhoneProviderRecord | undefined;
  templates: PhoneTemplateRecord[];
  migration: PhoneMigrationRecord | undefined;
}

export async function readLegacyState(repos: Repositories, tenant: TenantRecord): Promise<LegacyState> {
  const [guardian, sms, hookBindings, customBindings, custom, provider, templates, migration] = await Promise.all([
    repos.guardian.get(tenant.id),
    repos.connections.getByName(tenant.id, DEFAULT_SMS_CONNECTION),
    repos.actions.listBindings(tenant.id, SEND_PHONE_MESSAGE),
    repos.actions.listBindings(tenant.id, CUSTOM_PHONE_PROVIDER),
    repos.actions.list(tenant.id, { triggerId: CUSTOM_PHONE_PROVIDER }, { page: 0, perPage: 10 }),
    repos.phoneProviders.getForTenant(tenant.id),
    repos.phoneTemplates.list(tenant.id),
    repos.phoneMigrations.get(tenant.id),
  ]);
  const hooks: LegacyState['hooks'] = [];
  for (const binding of hookBindings) {
    const action = await repos.actions.get(tenant.id, binding.actionId);
    if (action) hooks.push({ binding, action });
  }
  return {
    tenant,
    // Dated at the tenant's creation, so that a tenant without settings hashes the same on every read.
    guardian: guardian ?? defaultGuardianSettings(tenant.createdAt),
    sms: sms?.strategy === 'sms' ? (sms as LegacyState['sms']) : undefined,
    hooks,
    customActions: custom.items,
    customBindings,
    provider,
    templates,
    migration,
  };
}

/** Keys sorted at every level: one spelling of a value, for hashing. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * The plan's hash: everything the plan was made from (sealed values by their sealed text, the
 * objects it would replace by their version). Any change to the tenant's phone configuration changes
 * it; reading does not.
 */
export function stateHash(s: LegacyState): string {
  const digest = {
    flag: s.tenant.phoneConsolidatedExperience,
    guardian: { ...s.guardian },
    sms: s.sms ? { id: s.sms.id, options: s.sms.options, enabledClients: s.sms.enabledClients, updatedAt: s.sms.updatedAt } : null,
    hooks: s.hooks.map((h) => ({ binding: h.binding.id, action: h.action.id, updatedAt: h.action.updatedAt })),
    customActions: s.customActions.map((a) => ({ id: a.id, updatedAt: a.updatedAt })),
    customBindings: s.customBindings.map((b) => ({ id: b.id, action: b.actionId })),
    provider: s.provider ? { id: s.provider.id, updatedAt: s.provider.updatedAt } : null,
    templates: s.templates.map((t) => ({ id: t.id, version: t.version })),
    migrated: s.migration?.appliedAt ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canonical(digest))).digest('base64url');
}
