import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GuardianService } from '../../domain/mfa/guardian-service.js';
import type { TenantService } from '../../domain/tenants/tenant-service.js';
import type { TenantRecord, TenantSettingsPatch } from '../../domain/ports.js';
import { responses, Strict } from '../schemas/common.js';

// `format: uri` alone accepts any scheme (javascript:, data:); these URLs end up in pages and
// messages, so the scheme is pinned as well.
const HttpUrl = Type.String({ format: 'uri', pattern: '^https?://[^\\s]+$', maxLength: 2048 });
// Auth0 documents default_redirection_uri as "must be https".
const HttpsUrl = Type.String({ format: 'uri', pattern: '^https://[^\\s]+$', maxLength: 2048 });
const Email = Type.String({ format: 'email', maxLength: 254 });
// BCP 47 as Auth0 spells its locales: "en", "fr-CA", "es-419", "zh-Hant-TW".
const Locale = Type.String({ pattern: '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$', maxLength: 35 });
const orNull = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

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
});
type SettingsOut = Static<typeof Settings>;

const FIELDS = Object.keys(SettingsPatch.properties);
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
  };
}

/** Auth0's `fields` / `include_fields` projection; unknown field names are ignored, as Auth0 does. */
function project(out: SettingsOut, fields: string | undefined, include = true): SettingsOut {
  if (fields === undefined) return out;
  const named = new Set(fields.split(',').filter((f) => FIELDS.includes(f)));
  return Object.fromEntries(Object.entries(out).filter(([k]) => named.has(k) === include)) as SettingsOut;
}

function toPatch(b: Static<typeof SettingsPatch>): TenantSettingsPatch {
  return {
    ...(b.friendly_name !== undefined ? { friendlyName: b.friendly_name } : {}),
    ...(b.picture_url !== undefined ? { pictureUrl: b.picture_url } : {}),
    ...(b.support_email !== undefined ? { supportEmail: b.support_email } : {}),
    ...(b.support_url !== undefined ? { supportUrl: b.support_url } : {}),
    ...(b.default_redirection_uri !== undefined ? { homeUrl: b.default_redirection_uri } : {}),
    ...(b.enabled_locales !== undefined ? { enabledLocales: b.enabled_locales } : {}),
    ...(b.phone_consolidated_experience !== undefined ? { phoneConsolidatedExperience: b.phone_consolidated_experience } : {}),
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
      async (req) => project(view(req.tenant), req.query.fields, req.query.include_fields),
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
