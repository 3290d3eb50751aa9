import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import { assertProviderChangeKeepsMfa } from '../mfa/delivery-rules.js';
import { defaultGuardianSettings } from '../tenants/tenant-service.js';
import { isE164 } from '../phone-number.js';
import type { PhoneProviderConfiguration, PhoneProviderName, PhoneProviderRecord, Sealer, TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import { openProviderCredentials, sealProviderCredentials } from './provider-credentials.js';
import type { ProviderCredentials, ProviderKind } from './provider-kind.js';
import type { ProviderRegistry } from './provider-registry.js';

export interface NewPhoneProvider {
  name: PhoneProviderName;
  /** As the API accepts them: the keys of any kind (an empty object for a kind that needs none). */
  credentials: Readonly<Record<string, unknown>>;
  disabled?: boolean | undefined;
  configuration?: PhoneProviderConfiguration | undefined;
}

export type PhoneProviderPatch = Partial<NewPhoneProvider>;

const bad = (detail: string) => new AppError('bad_phone_provider_configuration', `Bad Operation on Notification Resource: ${detail}`);

/**
 * Checks the provider as it will be stored: the generic rules, then the kind's own. A provider keeps
 * whatever keys of other kinds it was given (Auth0 was observed to keep them after a switch of
 * `name`), but a sender number must still be valid.
 */
function checkProvider(kinds: ProviderRegistry, kind: ProviderKind, cfg: PhoneProviderConfiguration | undefined, credentials: ProviderCredentials): PhoneProviderConfiguration {
  if (!cfg) throw bad('configuration with delivery_methods is required');
  if (cfg.delivery_methods.length === 0) throw bad('configuration.delivery_methods needs at least one of text, voice');
  const unsupported = cfg.delivery_methods.filter((m) => !kind.deliveryMethods.includes(m));
  if (unsupported.length > 0) throw bad(`${kind.name} cannot deliver by ${unsupported.join(', ')}`);
  if (cfg.default_from !== undefined && !isE164(cfg.default_from)) {
    throw bad('configuration.default_from must be a valid phone number in E.164 format, e.g. +14155552671');
  }
  const problem = kind.check?.(cfg, credentials);
  if (problem) throw bad(problem);
  return kinds.normalizeConfiguration(cfg);
}

/** The tenant's phone provider (Unified Phone Experience): one per tenant, credentials sealed at rest. */
export class PhoneProviderService {
  constructor(
    private readonly repos: Repositories,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    /** The provider kinds this server offers (the provider API builds its schemas from them). */
    readonly kinds: ProviderRegistry,
  ) {}

  /** The kind named `name`; the API schema only lets registered names through, so this guards direct callers. */
  private kindOf(name: string): ProviderKind {
    const kind = this.kinds.get(name);
    if (!kind) throw bad(`unknown provider ${JSON.stringify(name)}; one of ${this.kinds.names.join(', ')}`);
    return kind;
  }

  /** The tenant's provider as a list of zero or one, optionally filtered on `disabled`. */
  async list(tenant: TenantRecord, filter: { disabled?: boolean | undefined } = {}): Promise<PhoneProviderRecord[]> {
    const p = await this.repos.phoneProviders.getForTenant(tenant.id);
    if (!p || (filter.disabled !== undefined && p.disabled !== filter.disabled)) return [];
    return [p];
  }

  async get(tenant: TenantRecord, id: string): Promise<PhoneProviderRecord> {
    const p = await this.repos.phoneProviders.get(tenant.id, id);
    if (!p) throw new AppError('inexistent_phone_provider');
    return p;
  }

  /** The stored credentials, opened; for the senders (never for API responses). */
  credentialsOf(provider: PhoneProviderRecord): ProviderCredentials {
    return openProviderCredentials(this.sealer, provider.credentialsSealed);
  }

  /**
   * The provider `input` describes, checked and with its credentials sealed, not stored. The kind's
   * admission (a custom provider needs its Action) is the caller's to check: a migration creates the
   * Action in the same transaction.
   */
  prepare(input: NewPhoneProvider): PhoneProviderRecord {
    const kind = this.kindOf(input.name);
    const credentials = this.kinds.pickCredentials(input.credentials);
    const configuration = checkProvider(this.kinds, kind, input.configuration, credentials);
    const now = this.clock.now().toISOString();
    return {
      id: newId('pro'),
      name: input.name,
      disabled: input.disabled ?? false,
      configuration,
      credentialsSealed: sealProviderCredentials(this.sealer, credentials),
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Creates the tenant's provider. The MFA phone factor may already be on (it can be enabled before
   * any provider exists): an enabled provider must then carry at least one of its message types
   * (409 otherwise), and the message types narrow to the ones it carries, as on update.
   */
  async create(tenant: TenantRecord, input: NewPhoneProvider): Promise<PhoneProviderRecord> {
    const provider = this.prepare(input);
    await this.kindOf(input.name).admit?.(tenant.id);
    await this.repos.transaction(async (r) => {
      const guardian = await r.guardian.lock(tenant.id, defaultGuardianSettings(provider.createdAt));
      // A disabled provider changes nothing for a factor that has no provider yet.
      const narrowed = provider.disabled ? undefined : assertProviderChangeKeepsMfa(tenant, guardian, provider, false);
      // The unique tenant_id column decides races between two creates; the loser gets the 409.
      if (!(await r.phoneProviders.insert(tenant.id, provider))) throw new AppError('phone_provider_conflict');
      if (narrowed) await r.guardian.put(tenant.id, { ...guardian, messageTypes: narrowed, updatedAt: provider.updatedAt });
    });
    return provider;
  }

  /**
   * Partial update: only given fields change; a given configuration replaces the stored one. Without
   * new credentials the stored ones are kept, so a provider can be edited without resending its
   * secrets. `force` only overrides the refusal to disable a provider the MFA phone factor depends on.
   */
  async update(tenant: TenantRecord, id: string, patch: PhoneProviderPatch, force: boolean): Promise<PhoneProviderRecord> {
    const before = await this.get(tenant, id);
    // Checked here, outside the transaction (it may read other aggregates, a custom provider's actions).
    if (patch.name !== undefined && patch.name !== before.name) await this.kindOf(patch.name).admit?.(tenant.id);
    const newCredentials = patch.credentials ? this.kinds.pickCredentials(patch.credentials) : undefined;
    const sealed = newCredentials ? sealProviderCredentials(this.sealer, newCredentials) : undefined;
    const updatedAt = this.clock.now().toISOString();
    let next!: PhoneProviderRecord;
    await this.repos.transaction(async (r) => {
      // Read with the row locked, so a concurrent Guardian change is neither lost nor checked stale.
      // The lock also serialises the tenant's provider changes: the provider is read after it, so two
      // concurrent PATCHes (say `disabled: true` and a new configuration) both take effect.
      const guardian = await r.guardian.lock(tenant.id, defaultGuardianSettings(updatedAt));
      const current = await r.phoneProviders.get(tenant.id, id);
      if (!current) throw new AppError('inexistent_phone_provider');
      const name = patch.name ?? current.name;
      const credentials = newCredentials ?? this.credentialsOf(current);
      const configuration = checkProvider(this.kinds, this.kindOf(name), patch.configuration ?? current.configuration, credentials);
      // A PATCH that changes nothing writes nothing (a configuration tool re-applying its file).
      if (
        name === current.name &&
        (patch.disabled ?? current.disabled) === current.disabled &&
        isDeepStrictEqual(configuration, current.configuration) &&
        (newCredentials === undefined || isDeepStrictEqual(newCredentials, this.credentialsOf(current)))
      ) {
        next = current;
        return;
      }
      next = {
        ...current,
        name,
        disabled: patch.disabled ?? current.disabled,
        configuration,
        credentialsSealed: sealed ?? current.credentialsSealed,
        updatedAt,
      };
      const narrowed = assertProviderChangeKeepsMfa(tenant, guardian, next, force);
      if (!(await r.phoneProviders.replace(tenant.id, next))) throw new AppError('inexistent_phone_provider');
      // The MFA message types follow the provider down to what it can still deliver.
      if (narrowed) await r.guardian.put(tenant.id, { ...guardian, messageTypes: narrowed, updatedAt: next.updatedAt });
    });
    return next;
  }

  async delete(tenant: TenantRecord, id: string, force: boolean): Promise<void> {
    await this.get(tenant, id);
    assertProviderChangeKeepsMfa(tenant, await this.repos.guardian.get(tenant.id), undefined, force);
    if (!(await this.repos.phoneProviders.delete(tenant.id, id))) throw new AppError('inexistent_phone_provider');
  }
}
