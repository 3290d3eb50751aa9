import type { Kysely } from 'kysely';

/**
 * Auth0 properties that configuration tools export and import but that unifone stores without acting
 * on them: one JSON object (text) per client, client grant and tenant (null on rows written before
 * it: no such property), and the tenant's resource servers (APIs).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('properties', 'text').execute();
  await db.schema.alterTable('client_grants').addColumn('properties', 'text').execute();
  await db.schema.alterTable('tenants').addColumn('properties', 'text').execute();

  await db.schema
    .createTable('resource_servers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('resource_servers_identifier', ['tenant_id', 'identifier'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('resource_servers').execute();
  await db.schema.alterTable('tenants').dropColumn('properties').execute();
  await db.schema.alterTable('client_grants').dropColumn('properties').execute();
  await db.schema.alterTable('clients').dropColumn('properties').execute();
}
