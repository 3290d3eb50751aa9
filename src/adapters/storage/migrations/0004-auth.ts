import type { Kysely } from 'kysely';

/** Users, connections, MFA phone enrollments, recovery codes, one-time codes, refresh tokens, login failures. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('enabled_clients', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('connections_name', ['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('phone_number', 'text')
    .addColumn('phone_verified', 'integer', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('name', 'text')
    .addColumn('nickname', 'text')
    .addColumn('given_name', 'text')
    .addColumn('family_name', 'text')
    .addColumn('picture', 'text')
    .addColumn('locale', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('app_metadata', 'text', (c) => c.notNull())
    .addColumn('user_metadata', 'text', (c) => c.notNull())
    .addColumn('blocked', 'integer', (c) => c.notNull())
    .addColumn('login_count', 'integer', (c) => c.notNull())
    .addColumn('last_login', 'text')
    .addColumn('last_ip', 'text')
    .addColumn('last_password_reset', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['tenant_id', 'user_id'])
    .addUniqueConstraint('users_email', ['tenant_id', 'connection', 'email'])
    .addUniqueConstraint('users_phone', ['tenant_id', 'connection', 'phone_number'])
    .addUniqueConstraint('users_username', ['tenant_id', 'connection', 'username'])
    .execute();

  await db.schema
    .createTable('mfa_enrollments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('phone_number', 'text')
    .addColumn('preferred_method', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('last_auth', 'text')
    .execute();
  await db.schema.createIndex('mfa_enrollments_user').on('mfa_enrollments').columns(['tenant_id', 'user_id']).execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recovery_codes_pk', ['tenant_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('otp_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('enrollment_id', 'text')
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('consumed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('otp_codes_subject').on('otp_codes').columns(['tenant_id', 'purpose', 'subject', 'created_at']).execute();
  // The send limits count a subject's codes of every purpose in the last hour: without this index
  // that count would scan every code of the tenant.
  await db.schema.createIndex('otp_codes_sends').on('otp_codes').columns(['tenant_id', 'subject', 'created_at']).execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('audience', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('blocked_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_failures_pk', ['tenant_id', 'user_id', 'ip'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['login_failures', 'refresh_tokens', 'otp_codes', 'recovery_codes', 'mfa_enrollments', 'users', 'connections']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
