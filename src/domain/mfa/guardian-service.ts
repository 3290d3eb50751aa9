import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { GuardianSettingsRecord, LegacySelectedProvider, MfaMessageType, Sealer, TenantRecord, TenantSettingsPatch } from '../ports.js';
import type { Repositories } from '../repositories.js';
import { defaultGuardianSettings } from '../tenants/tenant-service.js';
import { isE164 } from '../phone-number.js';
import { GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE } from '../purposes.js';
import { assertMessageTypesSupported } from './delivery-rules.js';

/** Every factor Auth0 lists, in the order `GET /guardian/factors` returns them. */
export const FACTOR_NAMES = [
  'push-notification',
  'sms',
  'email',
  'duo',
  'otp',
  'webauthn-roaming',
  'webauthn-platform',
  'recovery-code',
] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

export const MFA_POLICIES = ['all-applications', 'confidence-score'] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

/** Auth0's pre-UPE Guardian defaults (OAS `GetGuardianFactorPhoneTemplatesResponseContent`). */
export const LEGACY_ENROLLMENT_DEFAULT =
  '{{code}} is your verification code for {{tenant.friendly_name}}. Please enter this code to verify your enrollment.';
export const LEGACY_VERIFICATION_DEFAULT = '{{code}} is your verification code for {{tenant.friendly_name}}';

export interface FactorView {
  name: FactorName;
  enabled: boolean;
  trial_expired: false;
}

/** The legacy Twilio settings as shown: the auth token is never part of it, only whether one is set. */
export interface LegacyTwilioView {
  sid: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  hasAuthToken: boolean;
}

/** A legacy Twilio update: absent keys keep their value, null clears (see `setTwilio`). */
export interface LegacyTwilioPatch {
  sid?: string | null | undefined;
  from?: string | null | undefined;
  messaging_service_sid?: string | null | undefined;
  auth_token?: string | null | undefined;
}

/**
 * Why a legacy Guardian template cannot be used, or undefined when it can. The legacy syntax is
 * mustache-like (`{{code}}`, `{{tenant.friendly_name}}`); a full parse is not needed to catch the
 * mistakes that matter: an unclosed or stray delimiter, or an empty expression.
 */
export function checkLegacyTemplate(text: string): string | undefined {
  const re = /\{\{|\}\}|\{%|%\}/g;
  let open: { token: string; at: number } | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const token = m[0];
    if (token === '{{' || token === '{%') {
      if (open) return `"${open.token}" at position ${open.at} is not closed before "${token}" at position ${m.index}`;
      open = { token, at: m.index };
      continue;
    }
    const expected = token === '}}' ? '{{' : '{%';
    if (open?.token !== expected) return `unexpected "${token}" at position ${m.index}`;
    if (text.slice(open.at + 2, m.index).trim() === '') return `empty expression at position ${open.at}`;
    open = undefined;
  }
  return open ? `"${open.token}" at position ${open.at} is not closed` : undefined;
}

const isPolicy = (p: string): p is MfaPolicy => (MFA_POLICIES as readonly string[]).includes(p);

export const isFactorName = (name: string): name is FactorName => (FACTOR_NAMES as readonly string[]).includes(name);

/**
 * Guardian (MFA) settings: factors, phone message types, policies, and the legacy (pre-UPE) phone
 * provider and templates. Holds the Unified Phone Experience rule from the caller's side: with the
 * unified experience on, the phone factor only works through an enabled tenant provider whose
 * delivery methods carry every message type. (The provider's side of the rule lives with the
 * provider service, through `assertProviderChangeKeepsMfa`.)
 *
 * Read-modify-write updates run in one transaction so a change is checked against the provider and
 * written atomically on SQLite; on PostgreSQL (READ COMMITTED, no row lock in the repository port)
 * two concurrent writers to the same tenant can still race, last write wins.
 */
export class GuardianService {
  constructor(
    private readonly repos: Repositories,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
  ) {}

  /** The tenant's settings; a tenant created before the row existed gets the defaults. */
  private async load(repos: Repositories, tenantId: string): Promise<GuardianSettingsRecord> {
    return (await repos.guardian.get(tenantId)) ?? defaultGuardianSettings(this.clock.now().toISOString());
  }

  private async update(
    tenantId: string,
    change: (current: GuardianSettingsRecord, repos: Repositories) => Promise<Partial<GuardianSettingsRecord>> | Partial<GuardianSettingsRecord>,
  ): Promise<GuardianSettingsRecord> {
    return this.repos.transaction(async (repos) => {
      const current = await repos.guardian.lock(tenantId, defaultGuardianSettings(this.clock.now().toISOString()));
      const next: GuardianSettingsRecord = { ...current, ...(await change(current, repos)), updatedAt: this.clock.now().toISOString() };
      await repos.guardian.put(tenantId, next);
      return next;
    });
  }

  // ---- factors, message types, policies (work in both modes) ----

  async listFactors(tenantId: string): Promise<FactorView[]> {
    const s = await this.load(this.repos, tenantId);
    return FACTOR_NAMES.map((name) => ({ name, enabled: Boolean(s.factors[name]), trial_expired: false }));
  }

  /**
   * Enables or disables a factor. Enabling `sms` under the unified experience with a tenant provider
   * needs that provider enabled and carrying the current message types (409 otherwise). With no
   * provider at all it is allowed, as the tenant flag is: configuration tools set the factor before
   * they create the provider (Auth0's Deploy CLI does), and the provider's create is then checked
   * against the factor. Until a provider exists, MFA by phone fails with `provider_not_configured`.
   */
  async setFactor(tenant: TenantRecord, name: string, enabled: boolean): Promise<{ enabled: boolean }> {
    if (!isFactorName(name)) throw new AppError('inexistent_factor', `The factor ${name} does not exist.`);
    await this.update(tenant.id, async (current, repos) => {
      if (name === 'sms' && enabled && tenant.phoneConsolidatedExperience) {
        const provider = await repos.phoneProviders.getForTenant(tenant.id);
        if (provider?.disabled) {
          throw new AppError(
            'phone_provider_not_configured',
            'The phone factor needs an enabled tenant-level phone provider: configure one with POST /api/v2/branding/phone/providers first',
          );
        }
        if (provider) assertMessageTypesSupported(current.messageTypes, provider);
      }
      return { factors: { ...current.factors, [name]: enabled } };
    });
    return { enabled };
  }

  async getMessageTypes(tenantId: string): Promise<MfaMessageType[]> {
    return (await this.load(this.repos, tenantId)).messageTypes;
  }

  /**
   * Under the unified experience the message types must be a subset of the tenant provider's delivery
   * methods whether or not the factor is enabled yet, so that enabling it later cannot fail on them.
   * Without a provider there is nothing to compare against (the provider check happens on enable).
   */
  async setMessageTypes(tenant: TenantRecord, messageTypes: MfaMessageType[]): Promise<MfaMessageType[]> {
    const s = await this.update(tenant.id, async (_current, repos) => {
      if (tenant.phoneConsolidatedExperience) assertMessageTypesSupported(messageTypes, await repos.phoneProviders.getForTenant(tenant.id));
      return { messageTypes };
    });
    return s.messageTypes;
  }

  async getPolicies(tenantId: string): Promise<MfaPolicy[]> {
    // The column holds plain strings; only known policies are shown (all writes go through the enum).
    return (await this.load(this.repos, tenantId)).policies.filter(isPolicy);
  }

  async setPolicies(tenantId: string, policies: MfaPolicy[]): Promise<MfaPolicy[]> {
    await this.update(tenantId, () => ({ policies }));
    return policies;
  }

  /**
   * Refuses (409) to turn the unified experience on when the enabled phone factor's message types
   * cannot be delivered by the existing provider. Without a provider the switch is allowed: Auth0's
   * Terraform migration order sets the flag first and creates the provider after.
   */
  async assertSettingsPatchAllowed(tenant: TenantRecord, patch: TenantSettingsPatch): Promise<void> {
    if (patch.phoneConsolidatedExperience !== true || tenant.phoneConsolidatedExperience) return;
    const s = await this.load(this.repos, tenant.id);
    if (!s.factors['sms']) return;
    assertMessageTypesSupported(s.messageTypes, await this.repos.phoneProviders.getForTenant(tenant.id));
  }

  // ---- legacy (pre-UPE) phone provider and templates: only while the unified experience is off ----

  private assertLegacy(tenant: TenantRecord): void {
    if (tenant.phoneConsolidatedExperience) throw new AppError('legacy_mfa_phone_provider_not_allowed');
  }

  private twilioView(s: GuardianSettingsRecord): LegacyTwilioView {
    return { ...s.twilio, hasAuthToken: s.twilioAuthTokenSealed !== null };
  }

  async getTwilio(tenant: TenantRecord): Promise<LegacyTwilioView> {
    this.assertLegacy(tenant);
    return this.twilioView(await this.load(this.repos, tenant.id));
  }

  /**
   * Merge semantics although the verb is PUT: the auth token is never returned, so a client that
   * reads, edits and writes back the settings must not wipe it by omission. null clears a field.
   */
  async setTwilio(tenant: TenantRecord, patch: LegacyTwilioPatch): Promise<LegacyTwilioView> {
    this.assertLegacy(tenant);
    if (typeof patch.from === 'string' && !isE164(patch.from)) {
      throw new AppError('invalid_body', 'Payload validation error: from must be a valid phone number in E.164 format (+14155552671)');
    }
    const s = await this.update(tenant.id, (current) => {
      const twilio = { ...current.twilio };
      if (patch.sid !== undefined) twilio.sid = patch.sid;
      if (patch.from !== undefined) twilio.from = patch.from;
      if (patch.messaging_service_sid !== undefined) twilio.messaging_service_sid = patch.messaging_service_sid;
      const token = patch.auth_token;
      const twilioAuthTokenSealed =
        token === undefined ? current.twilioAuthTokenSealed : token === null ? null : this.sealer.seal(token, GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE);
      return { twilio, twilioAuthTokenSealed };
    });
    return this.twilioView(s);
  }

  async getSelectedProvider(tenant: TenantRecord): Promise<LegacySelectedProvider> {
    this.assertLegacy(tenant);
    return (await this.load(this.repos, tenant.id)).selectedProvider;
  }

  async setSelectedProvider(tenant: TenantRecord, provider: LegacySelectedProvider): Promise<LegacySelectedProvider> {
    this.assertLegacy(tenant);
    return (await this.update(tenant.id, () => ({ selectedProvider: provider }))).selectedProvider;
  }

  async getTemplates(tenant: TenantRecord): Promise<{ enrollment_message: string; verification_message: string }> {
    this.assertLegacy(tenant);
    const s = await this.load(this.repos, tenant.id);
    return {
      enrollment_message: s.enrollmentMessage ?? LEGACY_ENROLLMENT_DEFAULT,
      verification_message: s.verificationMessage ?? LEGACY_VERIFICATION_DEFAULT,
    };
  }

  async setTemplates(
    tenant: TenantRecord,
    t: { enrollment_message: string; verification_message: string },
  ): Promise<{ enrollment_message: string; verification_message: string }> {
    this.assertLegacy(tenant);
    for (const field of ['enrollment_message', 'verification_message'] as const) {
      const problem = checkLegacyTemplate(t[field]);
      if (problem) throw new AppError('invalid_template', `Invalid ${field} template: ${problem}`);
    }
    await this.update(tenant.id, () => ({ enrollmentMessage: t.enrollment_message, verificationMessage: t.verification_message }));
    return { enrollment_message: t.enrollment_message, verification_message: t.verification_message };
  }
}
