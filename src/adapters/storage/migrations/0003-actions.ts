import type { Kysely } from 'kysely';

/**
 * Actions: drafts, deployed versions, trigger bindings, executions (with their truncated logs) and the
 * `api.cache` entries. Secrets are one sealed JSON blob per action and per version (purpose
 * `action_secret`); only their names are stored in clear. `exclusive_trigger` carries
 * `custom-phone-provider` for the one action allowed to support it: the unique constraint decides
 * races between two creates (NULLs never collide on either dialect).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('supported_triggers', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('dependencies', 'text', (c) => c.notNull())
    .addColumn('runtime', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('secrets_sealed', 'text')
    .addColumn('exclusive_trigger', 'text')
    .addColumn('all_changes_deployed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('actions_unique_name', ['tenant_id', 'name'])
    .addUniqueConstraint('actions_unique_exclusive_trigger', ['tenant_id', 'exclusive_trigger'])
    .execute();

  await db.schema
    .createTable('action_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('action_id', 'text', (c) => c.notNull().references('actions.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('dependencies', 'text', (c) => c.notNull())
    .addColumn('runtime', 'text', (c) => c.notNull())
    .addColumn('supported_triggers', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('secrets_sealed', 'text')
    .addColumn('deployed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('action_versions_unique_number', ['action_id', 'number'])
    .execute();
  await db.schema.createIndex('action_versions_deployed').on('action_versions').columns(['tenant_id', 'action_id', 'deployed']).execute();

  await db.schema
    .createTable('action_bindings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('action_id', 'text', (c) => c.notNull().references('actions.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('action_bindings_unique_position', ['tenant_id', 'trigger_id', 'position'])
    .execute();

  await db.schema
    .createTable('action_executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('results', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('action_executions_created').on('action_executions').column('created_at').execute();

  await db.schema
    .createTable('action_cache')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    // Milliseconds since the epoch, as text padded to 15 digits so it compares correctly as text.
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('action_cache_pk', ['tenant_id', 'trigger_id', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['action_cache', 'action_executions', 'action_bindings', 'action_versions', 'actions']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
