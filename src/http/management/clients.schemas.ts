import { Type, type TSchema } from '@sinclair/typebox';

/**
 * Auth0 client properties that unifone stores and returns unchanged without acting on them, so that
 * configuration tools (Deploy CLI, Terraform, the SDKs) round-trip an application. Each is checked by
 * type (names and shapes from the official SDK's `CreateClientRequestContent`/`UpdateClientRequestContent`);
 * nested objects Auth0 documents as open keep unknown keys. See docs/api.md for which properties act.
 */

const Str = (maxLength = 2048) => Type.String({ maxLength });
const Url = Type.String({ maxLength: 2048 });
const Urls = Type.Array(Url, { maxItems: 100 });
const Bool = Type.Boolean();
const Int = (minimum = 0, maximum = 2_147_483_647) => Type.Integer({ minimum, maximum });
const Enum = (...values: string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
/** An object whose listed keys are typed and whose other keys are kept as given. */
const Open = (props: Record<string, TSchema> = {}) =>
  Type.Object(
    Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])),
    { additionalProperties: true, maxProperties: 200 },
  );

const SigningAlg = Enum('HS256', 'RS256', 'RS512', 'PS256');

const RefreshToken = Type.Object(
  {
    rotation_type: Enum('rotating', 'non-rotating'),
    expiration_type: Enum('expiring', 'non-expiring'),
    leeway: Type.Optional(Int()),
    token_lifetime: Type.Optional(Int(1)),
    infinite_token_lifetime: Type.Optional(Bool),
    idle_token_lifetime: Type.Optional(Int(1)),
    infinite_idle_token_lifetime: Type.Optional(Bool),
    policies: Type.Optional(Nullable(Type.Array(Open({ audience: Str(600), scope: Type.Array(Str(280)) }), { maxItems: 100 }))),
  },
  { additionalProperties: false },
);

const Enabled = Open({ enabled: Bool });

export const STORED_CLIENT_PROPERTIES = {
  logo_uri: Url,
  oidc_logout: Open({ backchannel_logout_urls: Urls, backchannel_logout_initiators: Open(), backchannel_logout_session_metadata: Nullable(Open()) }),
  oidc_backchannel_logout: Open({ backchannel_logout_urls: Urls }),
  session_transfer: Nullable(Open()),
  allowed_origins: Urls,
  web_origins: Urls,
  client_aliases: Type.Array(Str(255), { maxItems: 100 }),
  allowed_clients: Type.Array(Str(64), { maxItems: 100 }),
  allowed_logout_urls: Urls,
  is_token_endpoint_ip_header_trusted: Bool,
  oidc_conformant: Bool,
  jwt_configuration: Open({ lifetime_in_seconds: Int(0, 36_000 * 24 * 365), secret_encoded: Bool, scopes: Open(), alg: SigningAlg }),
  encryption_key: Nullable(Open({ pub: Str(16_384), cert: Str(16_384), subject: Str(1024) })),
  sso: Bool,
  cross_origin_authentication: Bool,
  cross_origin_loc: Url,
  sso_disabled: Bool,
  custom_login_page_on: Bool,
  custom_login_page: Str(100_000),
  custom_login_page_preview: Str(100_000),
  form_template: Str(100_000),
  addons: Open(),
  mobile: Open({
    android: Open({ app_package_name: Str(255), sha256_cert_fingerprints: Type.Array(Str(255), { maxItems: 100 }) }),
    ios: Open({ team_id: Str(255), app_bundle_identifier: Str(255) }),
  }),
  initiate_login_uri: Url,
  native_social_login: Open({ apple: Enabled, facebook: Enabled, google: Enabled }),
  fedcm_login: Open(),
  refresh_token: Nullable(RefreshToken),
  default_organization: Nullable(Open({ organization_id: Str(255), flows: Type.Array(Str(64), { maxItems: 10 }) })),
  organization_usage: Enum('deny', 'allow', 'require'),
  organization_require_behavior: Enum('no_prompt', 'pre_login_prompt', 'post_login_prompt'),
  organization_discovery_methods: Type.Array(Enum('email', 'organization_name'), { maxItems: 2, uniqueItems: true }),
  client_authentication_methods: Nullable(Open()),
  require_pushed_authorization_requests: Bool,
  require_proof_of_possession: Bool,
  signed_request_object: Nullable(Open()),
  token_vault_privileged_access: Nullable(Open()),
  compliance_level: Nullable(Enum('none', 'fapi1_adv_pkj_par', 'fapi1_adv_mtls_par', 'fapi2_sp_pkj_mtls', 'fapi2_sp_mtls_mtls')),
  skip_non_verifiable_callback_uri_confirmation_prompt: Nullable(Bool),
  token_exchange: Nullable(Open()),
  par_request_expiry: Nullable(Int(5, 600)),
  token_quota: Nullable(Open()),
  identity_assertion_authorization_grant: Nullable(Open()),
  anonymous_sessions: Nullable(Open()),
  third_party_security_mode: Enum('strict', 'permissive'),
  redirection_policy: Enum('allow_always', 'open_redirect_protection'),
  express_configuration: Nullable(Open()),
  b2b_integration_configuration: Nullable(Open()),
  my_organization_configuration: Nullable(Open()),
  async_approval_notification_channels: Nullable(Type.Array(Type.Unknown(), { maxItems: 20 })),
} satisfies Record<string, TSchema>;

/** Accepted on create only, as Auth0 (the API the application represents). */
export const CREATE_ONLY_CLIENT_PROPERTIES = { resource_server_identifier: Str(600) } satisfies Record<string, TSchema>;

export type StoredClientProperty = keyof typeof STORED_CLIENT_PROPERTIES | keyof typeof CREATE_ONLY_CLIENT_PROPERTIES;
export const STORED_CLIENT_PROPERTY_NAMES = [
  ...Object.keys(STORED_CLIENT_PROPERTIES),
  ...Object.keys(CREATE_ONLY_CLIENT_PROPERTIES),
] as StoredClientProperty[];

const optional = (props: Record<string, TSchema>) => Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)]));

/** The stored-only properties as optional request properties. */
export const storedClientBody = optional(STORED_CLIENT_PROPERTIES);
export const storedClientCreateBody = optional({ ...STORED_CLIENT_PROPERTIES, ...CREATE_ONLY_CLIENT_PROPERTIES });

/** The stored-only properties in responses: any JSON, as stored. */
export const storedClientOut = Object.fromEntries(STORED_CLIENT_PROPERTY_NAMES.map((k) => [k, Type.Optional(Type.Unknown())]));

/** Auth0's application types (the SDK's `ClientAppTypeEnum`). */
export const APP_TYPES = [
  'native',
  'spa',
  'regular_web',
  'non_interactive',
  'resource_server',
  'express_configuration',
  'rms',
  'box',
  'cloudbees',
  'concur',
  'dropbox',
  'mscrm',
  'echosign',
  'egnyte',
  'newrelic',
  'office365',
  'salesforce',
  'sentry',
  'sharepoint',
  'slack',
  'springcm',
  'zendesk',
  'zoom',
  'sso_integration',
  'oag',
] as const;
