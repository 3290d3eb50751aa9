import type { Kysely, Selectable } from 'kysely';
import type { TenantRecord, TenantRepository } from '../../domain/ports.js';
import { bool, int, json, text } from './json.js';
import type { Database, TenantsTable } from './schema.js';

function toRecord(r: Selectable<TenantsTable>): TenantRecord {
  return {
    id: r.id,
    name: r.name,
    friendlyName: r.friendly_name,
    pictureUrl: r.picture_url,
    supportEmail: r.support_email,
    supportUrl: r.support_url,
    homeUrl: r.home_url,
    enabledLocales: json<string[]>(r.enabled_locales),
    phoneConsolidatedExperience: bool(r.phone_consolidated_experience),
    properties: r.properties ? json<Record<string, unknown>>(r.properties) : {},
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function tenantRepository(db: Kysely<Database>): TenantRepository {
  const one = async (q: Promise<Selectable<TenantsTable> | undefined>) => {
    const r = await q;
    return r ? toRecord(r) : undefined;
  };
  return {
    findById: (id) => one(db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst()),
    findByName: (name) => one(db.selectFrom('tenants').selectAll().where('name', '=', name).executeTakeFirst()),
    findByDomain: (domain) =>
      one(
        db
          .selectFrom('tenants')
          .innerJoin('tenant_domains', 'tenant_domains.tenant_id', 'tenants.id')
          .selectAll('tenants')
          .where('tenant_domains.domain', '=', domain.toLowerCase())
          .executeTakeFirst(),
      ),
    async list() {
      return (await db.selectFrom('tenants').selectAll().orderBy('name').execute()).map(toRecord);
    },
    async create(t, domains) {
      const write = async (trx: Kysely<Database>) => {
        await trx
          .insertInto('tenants')
          .values({
            id: t.id,
            name: t.name,
            friendly_name: t.friendlyName,
            picture_url: t.pictureUrl,
            support_email: t.supportEmail,
            support_url: t.supportUrl,
            home_url: t.homeUrl,
            enabled_locales: text(t.enabledLocales),
            phone_consolidated_experience: int(t.phoneConsolidatedExperience),
            properties: t.properties ? text(t.properties) : null,
            created_at: t.createdAt,
            updated_at: t.updatedAt,
          })
          .execute();
        for (const d of domains) {
          await trx.insertInto('tenant_domains').values({ domain: d.toLowerCase(), tenant_id: t.id }).execute();
        }
      };
      await (db.isTransaction ? write(db) : db.transaction().execute(write));
    },
    async domains(tenantId) {
      const rows = await db.selectFrom('tenant_domains').select('domain').where('tenant_id', '=', tenantId).orderBy('domain').execute();
      return rows.map((r) => r.domain);
    },
    async addDomain(tenantId, domain) {
      await db.insertInto('tenant_domains').values({ domain: domain.toLowerCase(), tenant_id: tenantId }).execute();
    },
    async updateSettings(tenantId, p, updatedAt) {
      const values: Partial<TenantsTable> = { updated_at: updatedAt };
      if (p.friendlyName !== undefined) values.friendly_name = p.friendlyName;
      if (p.pictureUrl !== undefined) values.picture_url = p.pictureUrl;
      if (p.supportEmail !== undefined) values.support_email = p.supportEmail;
      if (p.supportUrl !== undefined) values.support_url = p.supportUrl;
      if (p.homeUrl !== undefined) values.home_url = p.homeUrl;
      if (p.enabledLocales !== undefined) values.enabled_locales = text(p.enabledLocales);
      if (p.phoneConsolidatedExperience !== undefined) values.phone_consolidated_experience = int(p.phoneConsolidatedExperience);
      const write = async (trx: Kysely<Database>) => {
        if (p.properties !== undefined) {
          // Merged into the stored ones: each property given replaces its value, null removes it.
          const row = await trx.selectFrom('tenants').select('properties').where('id', '=', tenantId).executeTakeFirst();
          const merged = { ...(row?.properties ? json<Record<string, unknown>>(row.properties) : {}), ...p.properties };
          values.properties = text(Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null)));
        }
        await trx.updateTable('tenants').set(values).where('id', '=', tenantId).execute();
      };
      await (db.isTransaction || p.properties === undefined ? write(db) : db.transaction().execute(write));
      return one(db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst());
    },
  };
}
