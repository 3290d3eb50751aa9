import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GuardianService } from '../../domain/mfa/guardian-service.js';
import type { TenantService } from '../../domain/tenants/tenant-service.js';
import type { TenantRecord, TenantSettingsPatch } from '../../domain/ports.js';
import { responses, Strict } from '../schemas/common.js';
import { project } from '../schemas/list.js';

// `format: uri` alone accepts any scheme (javascript:, data:); these URLs end up in pages and
// messages, so the scheme is pinned as well.
const HttpUrl = Type.String({ format: 'uri', pattern: '^https?://[^\\s]+$', maxLength: 2048 });
// Auth0 documents default_redirection_uri as "must be https".
const HttpsUrl = Type.String({ format: 'uri', pattern: '^https://[^\\s]+$', maxLength: 2048 });
const Email = Type.String({ format: 'email', maxLength: 254 });
// BCP 47 as Auth0 spells its locales: "en", "fr-CA", "es-419", "zh-Hant-TW".
const Locale = Type.String({ pattern: '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$', maxLength: 35 });
const orNull = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

const Open = Type.Object({}, { additionalProperties: true, maxProperties: 200 });
const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const Minutes = Type.Number({ minimum: 0, maximum: 1_000_000 });

/**
 * Tenant settings stored and returned unchanged without acting on them, so that configuration tools
 * round-trip a tenant (names and shapes from the SDK's `UpdateTenantSettingsRequestContent`). null
 * removes one. docs/api.md says which settings act.
 */
const STORED_SETTINGS = {
  change_password: Nullable(Open),
  device_flow: Nullable(Open),
  guardian_mfa_page: Nullable(Open),
  default_audience: Nullable(Type.String({ maxLength: 600 })),
  default_directory: Nullable(Type.String({ maxLength: 128 })),
  error_page: Nullable(Open),
  default_token_quota: Nullable(Open),
  flags: Nullable(Type.Record(Type.String({ maxLength: 100 }), Type.Boolean(), { maxProperties: 200 })),
  allowed_logout_urls: Nullable(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 100 })),
  session_lifetime: Nullable(Minutes),
  session_lifetime_in_minutes: Nullable(Minutes),
  idle_session_lifetime: Nullable(Minutes),
  idle_session_lifetime_in_minutes: Nullable(Minutes),
  ephemeral_session_lifetime: Nullable(Minutes),
  idle_ephemeral_session_lifetime: Nullable(Minutes),
  ephemeral_session_lifetime_in_minutes: Nullable(Minutes),
  idle_ephemeral_session_lifetime_in_minutes: Nullable(Minutes),
  sandbox_version: Nullable(Type.String({ maxLength: 16 })),
  legacy_sandbox_version: Nullable(Type.String({ maxLength: 16 })),
  security_headers: Nullable(Open),
  session_cookie: Nullable(Open),
  sessions: Nullable(Open),
  oidc_logout: Nullable(Open),
  customize_mfa_in_postlogin_action: Nullable(Type.Boolean()),
  allow_organization_name_in_authentication_api: Nullable(Type.Boolean()),
  acr_values_supported: Nullable(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 })),
  mtls: Nullable(Open),
  pushed_authorization_requests_supported: Nullable(Type.Boolean()),
  authorization_response_iss_parameter_supported: Nullable(Type.Boolean()),
  skip_non_verifiable_callback_uri_confirmation_prompt: Nullable(Type.Boolean()),
  resource_parameter_profile: Nullable(Type.String({ maxLength: 64 })),
  client_id_metadata_document_supported: Nullable(Type.Boolean()),
  enable_ai_guide: Nullable(Type.Boolean()),
  include_session_metadata_in_tenant_logs: Nullable(Type.Boolean()),
  dynamic_client_registration_security_mode: Nullable(Type.String({ maxLength: 64 })),
  country_codes: Nullable(Open),
} satisfies Record<string, TSchema>;
const STORED_NAMES = Object.keys(STORED_SETTINGS);

// null clears an optional field; friendly_name and the locales cannot be cleared (templates use them,
// the first locale is the tenant's default).
const SettingsPatch = Type.Object(
  {
    friendly_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    picture_url: Type.Optional(orNull(HttpUrl)),
    support_email: Type.Optional(orNull(Email)),
    support_url: Type.Optional(orNull(HttpUrl)),
    default_redirection_uri: Type.Optional(orNull(HttpsUrl)),
    enabled_locales: Type.Optional(Type.Array(Locale, { minItems: 1, maxItems: 100, uniqueItems: true })),
    phone_consolidated_experience: Type.Optional(Type.Boolean()),
    ...Object.fromEntries(Object.entries(STORED_SETTINGS).map(([k, v]) => [k, Type.Optional(v)])),
  },
  Strict,
);

const Settings = Type.Object({
  friendly_name: Type.Optional(Type.String()),
  picture_url: Type.Optional(Type.String()),
  support_email: Type.Optional(Type.String()),
  support_url: Type.Optional(Type.String()),
  default_redirection_uri: Type.Optional(Type.String()),
  enabled_locales: Type.Optional(Type.Array(Type.String())),
  phone_consolidated_experience: Type.Optional(Type.Boolean()),
  ...Object.fromEntries(STORED_NAMES.map((k) => [k, Type.Optional(Type.Unknown())])),
});
type SettingsOut = Static<typeof Settings>;

const SettingsQuery = Type.Object(
  {
    fields: Type.Optional(Type.String({ pattern: '^[a-z_]+(,[a-z_]+)*$', maxLength: 500 })),
    include_fields: Type.Optional(Type.Boolean()),
  },
  Strict,
);

/** Null fields are omitted, as Auth0 does; the UPE switch is always present. */
function view(t: TenantRecord): SettingsOut {
  return {
    friendly_name: t.friendlyName,
    ...(t.pictureUrl !== null ? { picture_url: t.pictureUrl } : {}),
    ...(t.supportEmail !== null ? { support_email: t.supportEmail } : {}),
    ...(t.supportUrl !== null ? { support_url: t.supportUrl } : {}),
    ...(t.homeUrl !== null ? { default_redirection_uri: t.homeUrl } : {}),
    enabled_locales: t.enabledLocales,
    phone_consolidated_experience: t.phoneConsolidatedExperience,
    ...t.properties,
  };
}

function toPatch(b: Static<typeof SettingsPatch>): TenantSettingsPatch {
  const stored = STORED_NAMES.filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return {
    ...(b.friendly_name !== undefined ? { friendlyName: b.friendly_name } : {}),
    ...(b.picture_url !== undefined ? { pictureUrl: b.picture_url } : {}),
    ...(b.support_email !== undefined ? { supportEmail: b.support_email } : {}),
    ...(b.support_url !== undefined ? { supportUrl: b.support_url } : {}),
    ...(b.default_redirection_uri !== undefined ? { homeUrl: b.default_redirection_uri } : {}),
    ...(b.enabled_locales !== undefined ? { enabledLocales: b.enabled_locales } : {}),
    ...(b.phone_consolidated_experience !== undefined ? { phoneConsolidatedExperience: b.phone_consolidated_experience } : {}),
    ...(stored.length > 0 ? { properties: Object.fromEntries(stored.map((k) => [k, (b as Record<string, unknown>)[k]])) } : {}),
  };
}

/**
 * `/api/v2/tenants/settings`: the tenant's public identity and the Unified Phone Experience switch
 * (`phone_consolidated_experience`). `default_redirection_uri` is the tenant home URL that phone
 * templates see as `home_url`.
 */
export interface TenantSettingsRouteDeps {
  tenants: TenantService;
  /** Checks that the legacy MFA settings allow the change of `phone_consolidated_experience`. */
  guardian: Pick<GuardianService, 'assertSettingsPatchAllowed'>;
}

export function tenantSettingsRoutes(deps: TenantSettingsRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/tenants/settings',
      {
        config: { scope: 'read:tenant_settings' },
        schema: { tags: ['tenants'], querystring: SettingsQuery, response: responses({ 200: Settings }) },
      },
      async (req) => project(view(req.tenant), req.query),
    );

    app.patch(
      '/tenants/settings',
      {
        config: { scope: 'update:tenant_settings' },
        schema: { tags: ['tenants'], body: SettingsPatch, response: responses({ 200: Settings }) },
      },
      async (req) => {
        const patch = toPatch(req.body);
        // Turning the unified experience on must not leave the enabled phone factor undeliverable.
        await deps.guardian.assertSettingsPatchAllowed(req.tenant, patch);
        return view(await deps.tenants.updateSettings(req.tenant.id, patch));
      },
    );
  };
}
