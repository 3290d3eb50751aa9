import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import { assertProviderChangeKeepsMfa } from '../mfa/delivery-rules.js';
import { defaultGuardianSettings } from '../tenants/tenant-service.js';
import { isE164 } from '../phone-number.js';
import type {
  PhoneProviderConfiguration,
  PhoneProviderName,
  PhoneProviderRecord,
  Repositories,
  Sealer,
  TenantRecord,
} from '../ports.js';
import { PHONE_PROVIDER_CREDENTIALS_PURPOSE } from '../purposes.js';


/** What the service needs to know about the tenant's Actions (a custom provider is an Action). */
export interface CustomProviderActions {
  hasDeployedCustomPhoneProviderAction(tenantId: string): Promise<boolean>;
}

/** Credentials as the API accepts them: Twilio's auth token, or `{}` for a custom provider. */
export interface PhoneProviderCredentials {
  auth_token?: string | undefined;
}

/**
 * A provider's credentials, sealed for storage. Only the known key is kept, so nothing unexpected
 * ends up sealed and later echoed by a sender.
 */
export function sealProviderCredentials(sealer: Pick<Sealer, 'seal'>, credentials: PhoneProviderCredentials): string {
  const clean = credentials.auth_token !== undefined ? { auth_token: credentials.auth_token } : {};
  return sealer.seal(JSON.stringify(clean), PHONE_PROVIDER_CREDENTIALS_PURPOSE);
}

/** A provider's sealed credentials, opened (senders, receipt checks; never for API responses). */
export function openProviderCredentials(sealer: Pick<Sealer, 'open'>, sealed: string | null): PhoneProviderCredentials {
  return sealed ? (JSON.parse(sealer.open(sealed, PHONE_PROVIDER_CREDENTIALS_PURPOSE)) as PhoneProviderCredentials) : {};
}

export interface NewPhoneProvider {
  name: PhoneProviderName;
  credentials: PhoneProviderCredentials;
  disabled?: boolean | undefined;
  configuration?: PhoneProviderConfiguration | undefined;
}

export type PhoneProviderPatch = Partial<NewPhoneProvider>;

const bad = (detail: string) => new AppError('bad_phone_provider_configuration', `Bad Operation on Notification Resource: ${detail}`);

/** Rebuilds the configuration with known keys only, in the order Auth0 returns them. */
function normalize(cfg: PhoneProviderConfiguration): PhoneProviderConfiguration {
  return {
    ...(cfg.sid !== undefined ? { sid: cfg.sid } : {}),
    ...(cfg.default_from !== undefined ? { default_from: cfg.default_from } : {}),
    ...(cfg.mssid !== undefined ? { mssid: cfg.mssid } : {}),
    delivery_methods: [...cfg.delivery_methods],
  };
}

/**
 * Checks the provider as it will be stored. A custom provider keeps whatever Twilio keys it was
 * given (Auth0 was observed to keep them after switching), but a sender number must still be valid.
 */
function checkProvider(name: PhoneProviderName, cfg: PhoneProviderConfiguration | undefined, hasAuthToken: boolean): PhoneProviderConfiguration {
  if (!cfg) throw bad('configuration with delivery_methods is required');
  if (cfg.delivery_methods.length === 0) throw bad('configuration.delivery_methods needs at least one of text, voice');
  if (cfg.default_from !== undefined && !isE164(cfg.default_from)) {
    throw bad('configuration.default_from must be a valid phone number in E.164 format, e.g. +14155552671');
  }
  if (name === 'twilio') {
    if (!cfg.sid) throw bad('twilio needs configuration.sid');
    if ((cfg.default_from === undefined) === (cfg.mssid === undefined)) throw bad('twilio needs exactly one of default_from or mssid');
    if (!hasAuthToken) throw bad('twilio needs credentials.auth_token');
  }
  return normalize(cfg);
}

/** The tenant's phone provider (Unified Phone Experience): one per tenant, credentials sealed at rest. */
export class PhoneProviderService {
  constructor(
    private readonly repos: Repositories,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly actions: CustomProviderActions,
  ) {}

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
  credentialsOf(provider: PhoneProviderRecord): PhoneProviderCredentials {
    return openProviderCredentials(this.sealer, provider.credentialsSealed);
  }

  async create(tenant: TenantRecord, input: NewPhoneProvider): Promise<PhoneProviderRecord> {
    const configuration = checkProvider(input.name, input.configuration, Boolean(input.credentials.auth_token));
    if (input.name === 'custom') await this.requireCustomAction(tenant.id);
    const now = this.clock.now().toISOString();
    const provider: PhoneProviderRecord = {
      id: newId('pro'),
      name: input.name,
      disabled: input.disabled ?? false,
      configuration,
      credentialsSealed: sealProviderCredentials(this.sealer, input.credentials),
      createdAt: now,
      updatedAt: now,
    };
    // The unique tenant_id column decides races between two creates; the loser gets the 409.
    if (!(await this.repos.phoneProviders.insert(tenant.id, provider))) throw new AppError('phone_provider_conflict');
    return provider;
  }

  /**
   * Partial update: only given fields change; a given configuration replaces the stored one. Without
   * new credentials the stored ones are kept, so a Twilio provider can be edited without resending its
   * token. `force` only overrides the refusal to disable a provider the MFA phone factor depends on.
   */
  async update(tenant: TenantRecord, id: string, patch: PhoneProviderPatch, force: boolean): Promise<PhoneProviderRecord> {
    const before = await this.get(tenant, id);
    // Checked here, outside the transaction (it reads the actions): switching to custom needs an action.
    if ((patch.name ?? before.name) === 'custom' && before.name !== 'custom') await this.requireCustomAction(tenant.id);
    const sealed = patch.credentials ? sealProviderCredentials(this.sealer, patch.credentials) : undefined;
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
      const hasAuthToken = patch.credentials ? Boolean(patch.credentials.auth_token) : Boolean(this.credentialsOf(current).auth_token);
      const configuration = checkProvider(name, patch.configuration ?? current.configuration, hasAuthToken);
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

  private async requireCustomAction(tenantId: string): Promise<void> {
    if (!(await this.actions.hasDeployedCustomPhoneProviderAction(tenantId))) {
      throw new AppError('custom_email_provider_deployed_action_not_found');
    }
  }
}
