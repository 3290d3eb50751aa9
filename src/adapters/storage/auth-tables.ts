/** Table shapes of migration 0004-auth (portable: booleans 0/1, JSON text, ISO timestamps). */
export interface ConnectionsTable {
  id: string;
  tenant_id: string;
  name: string;
  strategy: string;
  options: string;
  enabled_clients: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  user_id: string;
  tenant_id: string;
  connection: string;
  email: string | null;
  email_verified: number;
  phone_number: string | null;
  phone_verified: number;
  username: string | null;
  name: string | null;
  nickname: string | null;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
  locale: string | null;
  password_hash: string | null;
  app_metadata: string;
  user_metadata: string;
  blocked: number;
  login_count: number;
  last_login: string | null;
  last_ip: string | null;
  last_password_reset: string | null;
  created_at: string;
  updated_at: string;
}

export interface MfaEnrollmentsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  type: string;
  phone_number: string | null;
  preferred_method: string | null;
  status: string;
  created_at: string;
  confirmed_at: string | null;
  last_auth: string | null;
}

export interface RecoveryCodesTable {
  tenant_id: string;
  user_id: string;
  code_hash: string;
  created_at: string;
}

export interface OtpCodesTable {
  id: string;
  tenant_id: string;
  purpose: string;
  subject: string;
  client_id: string;
  channel: string;
  enrollment_id: string | null;
  code_hash: string;
  attempts: number;
  max_attempts: number;
  expires_at: string;
  consumed_at: string | null;
  created_at: string;
  /** Set when the fraud guard counted the code's send: its destination prefix and country (migration 0019). */
  fraud_prefix: string | null;
  fraud_country: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  tenant_id: string;
  user_id: string;
  client_id: string;
  scope: string;
  audience: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface LoginFailuresTable {
  tenant_id: string;
  user_id: string;
  ip: string;
  count: number;
  blocked_at: string | null;
  updated_at: string;
}
