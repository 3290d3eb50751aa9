import type { Generated } from 'kysely';
import type {
  ConnectionsTable,
  LoginFailuresTable,
  MfaEnrollmentsTable,
  OtpCodesTable,
  RecoveryCodesTable,
  RefreshTokensTable,
  UsersTable,
} from './auth-tables.js';
import type { ActionBindingsTable, ActionCacheTable, ActionExecutionsTable, ActionsTable, ActionVersionsTable } from './action-tables.js';

/**
 * Table shapes. Portable on purpose: booleans are integers (0/1), JSON is text, timestamps are ISO-8601
 * text, so no repository needs to know which dialect it runs on.
 */
export interface TenantsTable {
  id: string;
  name: string;
  friendly_name: string;
  picture_url: string | null;
  support_email: string | null;
  support_url: string | null;
  home_url: string | null;
  enabled_locales: string;
  phone_consolidated_experience: number;
  /** JSON of the stored-only Auth0 settings (migration 0007; null: none). */
  properties: string | null;
  created_at: string;
  updated_at: string;
}

export interface TenantDomainsTable {
  domain: string;
  tenant_id: string;
}

export interface SigningKeysTable {
  kid: string;
  tenant_id: string;
  alg: string;
  private_key_sealed: string;
  public_jwk: string;
  status: string;
  created_at: string;
}

export interface ClientsTable {
  client_id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  app_type: string | null;
  is_first_party: number;
  grant_types: string;
  client_metadata: string;
  callbacks: string;
  token_endpoint_auth_method: string;
  secret_sealed: string;
  /** JSON of the stored-only Auth0 client properties (migration 0007; null: none). */
  properties: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClientGrantsTable {
  id: string;
  tenant_id: string;
  client_id: string;
  audience: string;
  scope: string;
  /** JSON of the stored-only Auth0 grant properties (migration 0007; null: none). */
  properties: string | null;
  created_at: string;
}

export interface ResourceServersTable {
  id: string;
  tenant_id: string;
  identifier: string;
  name: string;
  /** JSON of every other property of the resource server. */
  properties: string;
  created_at: string;
  updated_at: string;
}

export interface PhoneProvidersTable {
  id: string;
  tenant_id: string;
  name: string;
  disabled: number;
  configuration: string;
  credentials_sealed: string | null;
  created_at: string;
  updated_at: string;
}

export interface PhoneTemplatesTable {
  id: string;
  tenant_id: string;
  type: string;
  disabled: number;
  from_number: string | null;
  body_text: string;
  body_voice: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface GuardianSettingsTable {
  tenant_id: string;
  factors: string;
  message_types: string;
  policies: string;
  selected_provider: string;
  twilio_config: string;
  twilio_auth_token_sealed: string | null;
  enrollment_message: string | null;
  verification_message: string | null;
  updated_at: string;
}

export interface NotificationsTable {
  id: string;
  tenant_id: string;
  type: string;
  delivery_method: string;
  recipient: string;
  source: string;
  channel: string;
  template_id: string | null;
  template_version: number | null;
  locale: string | null;
  context: string;
  code_sealed: string | null;
  client_id: string | null;
  user_id: string | null;
  ip: string | null;
  status: string;
  provider: string | null;
  provider_message_id: string | null;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  error_code: string | null;
  last_error: string | null;
  /** JSON: the send policy's decisions (migration 0006); null on older rows. */
  policy: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  final_at: string | null;
}

export interface NotificationAttemptsTable {
  id: string;
  notification_id: string;
  tenant_id: string;
  number: number;
  provider: string;
  started_at: string;
  duration_ms: number;
  outcome: string;
  error_code: string | null;
  reason: string | null;
  detail: string;
}

export interface NotificationEventsTable {
  id: string;
  notification_id: string;
  tenant_id: string;
  at: string;
  kind: string;
  detail: string;
}

export interface LogsTable {
  log_id: string;
  tenant_id: string;
  date: string;
  type: string;
  description: string;
  client_id: string | null;
  client_name: string | null;
  ip: string | null;
  user_id: string | null;
  details: string;
}

export interface PhoneTestNumbersTable {
  tenant_id: string;
  number: string;
  code: string | null;
  created_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface PhoneMigrationsTable {
  tenant_id: string;
  plan_hash: string;
  snapshot_sealed: string;
  created: string;
  applied_at: string;
}

export interface PhoneSendPoliciesTable {
  tenant_id: string;
  policy: string;
  updated_at: string;
}

export interface PhoneFraudSendsTable {
  id: string;
  tenant_id: string;
  otp_id: string;
  prefix: string;
  country: string;
  recipient: string;
  created_at: string;
}

export interface PhoneFraudMinutesTable {
  tenant_id: string;
  prefix: string;
  minute: string;
  country: string;
  sends: number;
  verified: number;
  numbers: number;
}

export interface PhoneFraudQuarantinesTable {
  id: string;
  tenant_id: string;
  prefix: string;
  country: string;
  mode: string;
  rule: string;
  evidence: string;
  blocked_sends: Generated<number>;
  created_at: string;
  until: string;
  released_at: string | null;
}

export interface PhoneFraudSafePrefixesTable {
  tenant_id: string;
  prefix: string;
  note: string;
  created_at: string;
}

export interface TenantSettingsJsonTable {
  tenant_id: string;
  settings: string;
  updated_at: string;
}

export interface PhoneBotCheckSettingsTable {
  tenant_id: string;
  settings: string;
  secret_sealed: string | null;
  updated_at: string;
}

export interface PhoneSpendTotalsTable {
  tenant_id: string;
  period: string;
  /** Micro-units; PostgreSQL's bigint arrives as a string. */
  amount: number | string;
}

export interface PhoneVelocityPoliciesTable {
  tenant_id: string;
  policy: string;
  updated_at: string;
}

/** rate-limiter-flexible's counters (adapters/rate-limits/): key, points, expiry in epoch ms. */
export interface RateLimitsTable {
  key: string;
  points: number;
  expire: number | null;
}

/** The embedded database's counters, as a journal of changes (`adapters/rate-limits/counter-journal.ts`). */
export interface RateLimitJournalTable {
  key: string;
  points: number;
  expire: number | null;
  /** 0 points added, 1 the whole state, 2 the key's end. */
  kind: number;
}

export interface Database {
  tenants: TenantsTable;
  tenant_domains: TenantDomainsTable;
  signing_keys: SigningKeysTable;
  clients: ClientsTable;
  client_grants: ClientGrantsTable;
  resource_servers: ResourceServersTable;
  phone_providers: PhoneProvidersTable;
  phone_templates: PhoneTemplatesTable;
  guardian_settings: GuardianSettingsTable;
  unifone_meta: MetaTable;
  phone_migrations: PhoneMigrationsTable;
  phone_send_policies: PhoneSendPoliciesTable;
  phone_fraud_sends: PhoneFraudSendsTable;
  phone_fraud_minutes: PhoneFraudMinutesTable;
  phone_fraud_quarantines: PhoneFraudQuarantinesTable;
  phone_fraud_safe_prefixes: PhoneFraudSafePrefixesTable;
  phone_fraud_settings: TenantSettingsJsonTable;
  phone_spend_settings: TenantSettingsJsonTable;
  phone_spend_totals: PhoneSpendTotalsTable;
  phone_bot_check_settings: PhoneBotCheckSettingsTable;
  phone_velocity_policies: PhoneVelocityPoliciesTable;
  rate_limits: RateLimitsTable;
  rate_limit_journal: RateLimitJournalTable;
  notifications: NotificationsTable;
  notification_attempts: NotificationAttemptsTable;
  notification_events: NotificationEventsTable;
  logs: LogsTable;
  phone_test_numbers: PhoneTestNumbersTable;
  connections: ConnectionsTable;
  users: UsersTable;
  mfa_enrollments: MfaEnrollmentsTable;
  recovery_codes: RecoveryCodesTable;
  otp_codes: OtpCodesTable;
  refresh_tokens: RefreshTokensTable;
  login_failures: LoginFailuresTable;
  actions: ActionsTable;
  action_versions: ActionVersionsTable;
  action_bindings: ActionBindingsTable;
  action_executions: ActionExecutionsTable;
  action_cache: ActionCacheTable;
}

// Kept for later tables that use database-generated values.
export type { Generated };
