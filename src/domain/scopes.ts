/**
 * Management API scopes. Each route declares exactly one required scope; a token must carry it.
 * The bootstrap management client is granted all of them.
 */
export const MANAGEMENT_SCOPES = [
  'read:phone_providers',
  'create:phone_providers',
  'update:phone_providers',
  'delete:phone_providers',
  'read:phone_templates',
  'create:phone_templates',
  'update:phone_templates',
  'delete:phone_templates',
  'read:guardian_factors',
  'update:guardian_factors',
  'read:mfa_policies',
  'update:mfa_policies',
  'read:tenant_settings',
  'update:tenant_settings',
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'read:client_keys',
  'update:client_keys',
  'read:client_grants',
  'create:client_grants',
  'update:client_grants',
  'delete:client_grants',
  'read:resource_servers',
  'create:resource_servers',
  'update:resource_servers',
  'delete:resource_servers',
  'read:logs',
  'read:actions',
  'create:actions',
  'update:actions',
  'delete:actions',
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  'read:connections',
  'create:connections',
  'update:connections',
  'delete:connections',
  'read:attack_protection',
  'update:attack_protection',
  'read:authentication_methods',
  'delete:authentication_methods',
  'read:guardian_enrollments',
  'delete:guardian_enrollments',
  // Our extension: the send-phone-message → custom-phone-provider migration tools.
  'read:phone_migration',
  'update:phone_migration',
  // Our extension: the tenant's phone send policy (countries, number types, delivery methods per flow).
  'read:phone_send_policy',
  'update:phone_send_policy',
  // Our extension: the fraud guard (quarantined and safe-listed prefixes) and the spend caps.
  'read:phone_fraud_guard',
  'update:phone_fraud_guard',
  'read:phone_spend',
  'update:phone_spend',
  // Our extension: the tenant's velocity limits (windows per recipient, user, IP, client, tenant, prefix, country).
  'read:phone_velocity_limits',
  'update:phone_velocity_limits',
  // Our extension: the bot check (a CAPTCHA token required before a code is sent).
  'read:phone_bot_check',
  'update:phone_bot_check',
] as const;

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

const known = new Set<string>(MANAGEMENT_SCOPES);
export const isManagementScope = (s: string): s is ManagementScope => known.has(s);

/** `https://{host}/api/v2/`: the audience of the Management API as seen at `host`. */
export const managementAudience = (host: string): string => `https://${host}/api/v2/`;

const AUDIENCE_RE = /^https:\/\/([^/?#\s]+)\/api\/v2\/?$/;

/** The host of a Management API audience, or undefined when `aud` is not one. */
export function managementAudienceHost(aud: string): string | undefined {
  return AUDIENCE_RE.exec(aud)?.[1]?.toLowerCase();
}
