import type { Kysely, Selectable } from 'kysely';
import type {
  PhoneProviderRecord,
  PhoneProviderRepository,
  PhoneTemplateRecord,
  PhoneTemplateRepository,
  TemplateType,
} from '../../domain/ports.js';
import { bool, int, isUniqueViolation, json, text } from './json.js';
import type { Database, PhoneProvidersTable, PhoneTemplatesTable } from './schema.js';

const provider = (r: Selectable<PhoneProvidersTable>): PhoneProviderRecord => ({
  id: r.id,
  name: r.name as PhoneProviderRecord['name'],
  disabled: bool(r.disabled),
  configuration: json(r.configuration),
  credentialsSealed: r.credentials_sealed,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const providerRow = (tenantId: string, p: PhoneProviderRecord): PhoneProvidersTable => ({
  id: p.id,
  tenant_id: tenantId,
  name: p.name,
  disabled: int(p.disabled),
  configuration: text(p.configuration),
  credentials_sealed: p.credentialsSealed,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

export function phoneProviderRepository(db: Kysely<Database>): PhoneProviderRepository {
  return {
    async getForTenant(tenantId) {
      const r = await db.selectFrom('phone_providers').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? provider(r) : undefined;
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('phone_providers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r ? provider(r) : undefined;
    },
    async insert(tenantId, p) {
      try {
        await db.insertInto('phone_providers').values(providerRow(tenantId, p)).execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },
    async replace(tenantId, p) {
      const { id: _id, tenant_id: _t, created_at: _c, ...rest } = providerRow(tenantId, p);
      const r = await db.updateTable('phone_providers').set(rest).where('tenant_id', '=', tenantId).where('id', '=', p.id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('phone_providers').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async listSealed() {
      const rows = await db
        .selectFrom('phone_providers')
        .select(['tenant_id', 'id', 'credentials_sealed'])
        .where('credentials_sealed', 'is not', null)
        .execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id, credentialsSealed: r.credentials_sealed! }));
    },
    async updateSealed(tenantId, id, from, to) {
      const r = await db
        .updateTable('phone_providers')
        .set({ credentials_sealed: to })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('credentials_sealed', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

const template = (r: Selectable<PhoneTemplatesTable>): PhoneTemplateRecord => ({
  id: r.id,
  type: r.type as TemplateType,
  disabled: bool(r.disabled),
  from: r.from_number,
  bodyText: r.body_text,
  bodyVoice: r.body_voice,
  version: Number(r.version),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const templateRow = (tenantId: string, t: PhoneTemplateRecord): PhoneTemplatesTable => ({
  id: t.id,
  tenant_id: tenantId,
  type: t.type,
  disabled: int(t.disabled),
  from_number: t.from,
  body_text: t.bodyText,
  body_voice: t.bodyVoice,
  version: t.version,
  created_at: t.createdAt,
  updated_at: t.updatedAt,
});

export function phoneTemplateRepository(db: Kysely<Database>): PhoneTemplateRepository {
  return {
    async list(tenantId) {
      return (await db.selectFrom('phone_templates').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute()).map(template);
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('phone_templates').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r ? template(r) : undefined;
    },
    async getByType(tenantId, type) {
      const r = await db.selectFrom('phone_templates').selectAll().where('tenant_id', '=', tenantId).where('type', '=', type).executeTakeFirst();
      return r ? template(r) : undefined;
    },
    async insert(tenantId, t) {
      try {
        await db.insertInto('phone_templates').values(templateRow(tenantId, t)).execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },
    async replace(tenantId, t, expectedVersion) {
      const { id: _id, tenant_id: _t, created_at: _c, type: _ty, ...rest } = templateRow(tenantId, t);
      const r = await db
        .updateTable('phone_templates')
        .set(rest)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', t.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('phone_templates').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
