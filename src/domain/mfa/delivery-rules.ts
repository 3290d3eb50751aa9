import { AppError } from '../errors.js';
import type { DeliveryMethod, GuardianSettingsRecord, MfaMessageType, PhoneProviderRecord, TenantRecord } from '../ports.js';

/**
 * The Unified Phone Experience rule between MFA phone message types and the tenant provider's
 * delivery methods (seed: "Update MFA phone factors and delivery methods"): with the unified
 * experience on, every MFA message type must be carried by a delivery method of the provider,
 * `sms` by `text` and `voice` by `voice`.
 */
export const METHOD_FOR_MESSAGE_TYPE: Readonly<Record<MfaMessageType, DeliveryMethod>> = { sms: 'text', voice: 'voice' };

/** The message types that `deliveryMethods` cannot carry (empty when all are supported). */
export function unsupportedMessageTypes(messageTypes: readonly MfaMessageType[], deliveryMethods: readonly DeliveryMethod[]): MfaMessageType[] {
  return messageTypes.filter((t) => !deliveryMethods.includes(METHOD_FOR_MESSAGE_TYPE[t]));
}

/** True when the MFA phone factor is enabled and served by the tenant-level provider. */
export function mfaPhoneDependsOnProvider(tenant: TenantRecord, guardian: GuardianSettingsRecord | undefined): boolean {
  return tenant.phoneConsolidatedExperience && Boolean(guardian?.factors['sms']);
}

/**
 * Refuses (409 `message_type_not_supported`) a set of MFA message types that the provider cannot
 * deliver. With no provider there is nothing to compare against and the change is allowed.
 */
export function assertMessageTypesSupported(
  messageTypes: readonly MfaMessageType[],
  provider: Pick<PhoneProviderRecord, 'configuration'> | undefined,
): void {
  if (!provider) return;
  const missing = unsupportedMessageTypes(messageTypes, provider.configuration.delivery_methods);
  if (missing.length) {
    throw new AppError(
      'message_type_not_supported',
      `Message Type is not supported by the configured phone provider: ${missing.join(', ')} needs delivery method ${missing
        .map((t) => METHOD_FOR_MESSAGE_TYPE[t])
        .join(', ')}`,
    );
  }
}

/**
 * Checks a change to the tenant's provider against the MFA phone factor that depends on it, and
 * says what the MFA message types become. `next` is the provider after the change, or undefined for
 * a delete.
 *
 * - Without `force`, a delete or a disable that would leave enabled MFA with no provider is refused
 *   (409 `phone_provider_in_use`).
 * - Delivery methods that carry none of the message types are refused (409
 *   `message_type_not_supported`): MFA would have no way to reach anyone.
 * - Delivery methods that still carry some of them are accepted, and the message types narrow to
 *   those (seed table 2: "SMS + Voice | SMS + Voice | SMS | None"), so the subset rule keeps holding
 *   without the user having to change the factor first. The caller stores the returned list.
 *
 * Returns the narrowed message types, or undefined when they stay as they are.
 */
export function assertProviderChangeKeepsMfa(
  tenant: TenantRecord,
  guardian: GuardianSettingsRecord | undefined,
  next: Pick<PhoneProviderRecord, 'configuration' | 'disabled'> | undefined,
  force: boolean,
): MfaMessageType[] | undefined {
  if (!guardian || !mfaPhoneDependsOnProvider(tenant, guardian)) return undefined;
  if (!next || next.disabled) {
    if (force) return undefined;
    throw new AppError(
      'phone_provider_in_use',
      `The MFA phone factor (message types: ${guardian.messageTypes.join(', ')}) uses this provider; ${
        next ? 'disabling' : 'deleting'
      } it would break MFA. Disable the MFA phone factor first, or repeat with ?force=true`,
    );
  }
  const missing = unsupportedMessageTypes(guardian.messageTypes, next.configuration.delivery_methods);
  if (missing.length === 0) return undefined;
  const kept = guardian.messageTypes.filter((t) => !missing.includes(t));
  if (kept.length === 0) assertMessageTypesSupported(guardian.messageTypes, next);
  return kept;
}
