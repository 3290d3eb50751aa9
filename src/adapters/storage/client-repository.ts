import type { Kysely, Selectable } from 'kysely';
import type { ClientGrantRepository, ClientRecord, ClientRepository } from '../../domain/ports.js';
import { AppError } from '../../domain/errors.js';
import { bool, int, isUniqueViolation, json, text } from './json.js';
import type { ClientsTable, Database } from './schema.js';

function toRecord(r: Selectable<ClientsTable>): ClientRecord {
  return {
    clientId: r.client_id,
    name: r.name,
    description: r.description,
    appType: r.app_type,
    isFirstParty: bool(r.is_first_party),
    grantTypes: json(r.grant_types),
    clientMetadata: json(r.client_metadata),
    callbacks: json(r.callbacks),
    tokenEndpointAuthMethod: r.token_endpoint_auth_method as ClientRecord['tokenEndpointAuthMethod'],
    properties: r.properties ? json(r.properties) : {},
    secretSealed: r.secret_sealed,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRow(c: Partial<ClientRecord>): Partial<ClientsTable> {
  const row: Partial<ClientsTable> = {};
  if (c.name !== undefined) row.name = c.name;
  if (c.description !== undefined) row.description = c.description;
  if (c.appType !== undefined) row.app_type = c.appType;
  if (c.isFirstParty !== undefined) row.is_first_party = int(c.isFirstParty);
  if (c.grantTypes !== undefined) row.grant_types = text(c.grantTypes);
  if (c.clientMetadata !== undefined) row.client_metadata = text(c.clientMetadata);
  if (c.callbacks !== undefined) row.callbacks = text(c.callbacks);
  if (c.tokenEndpointAuthMethod !== undefined) row.token_endpoint_auth_method = c.tokenEndpointAuthMethod;
  if (c.properties !== undefined) row.properties = text(c.properties);
  if (c.secretSealed !== undefined) row.secret_sealed = c.secretSealed;
  if (c.updatedAt !== undefined) row.updated_at = c.updatedAt;
  return row;
}

export function clientRepository(db: Kysely<Database>): ClientRepository {
  const get = async (tenantId: string, clientId: string) => {
    const r = await db.selectFrom('clients').selectAll().where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  };
  return {
    async insert(tenantId, c) {
      await db
        .insertInto('clients')
        .values({ ...(toRow(c) as ClientsTable), client_id: c.clientId, tenant_id: tenantId, created_at: c.createdAt })
        .execute();
    },
    get,
    async list(tenantId, { page, perPage }) {
      const [rows, count] = await Promise.all([
        db
          .selectFrom('clients')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .orderBy('created_at')
          .orderBy('client_id')
          .limit(perPage)
          .offset(page * perPage)
          .execute(),
        db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toRecord), total: Number(count.n) };
    },
    async listAll(tenantId) {
      return (await db.selectFrom('clients').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute()).map(toRecord);
    },
    async update(tenantId, clientId, patch) {
      const row = toRow(patch);
      if (Object.keys(row).length > 0) {
        await db.updateTable('clients').set(row).where('tenant_id', '=', tenantId).where('client_id', '=', clientId).execute();
      }
      return get(tenantId, clientId);
    },
    async listSealed() {
      const rows = await db.selectFrom('clients').select(['tenant_id', 'client_id', 'secret_sealed']).execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, clientId: r.client_id, secretSealed: r.secret_sealed }));
    },
    async updateSealed(tenantId, clientId, from, to) {
      const r = await db
        .updateTable('clients')
        .set({ secret_sealed: to })
        .where('tenant_id', '=', tenantId)
        .where('client_id', '=', clientId)
        .where('secret_sealed', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async delete(tenantId, clientId) {
      const r = await db.deleteFrom('clients').where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export function clientGrantRepository(db: Kysely<Database>): ClientGrantRepository {
  const map = (r: Selectable<Database['client_grants']>) => ({
    id: r.id,
    clientId: r.client_id,
    audience: r.audience,
    scope: json<string[]>(r.scope),
    properties: r.properties ? json<Record<string, unknown>>(r.properties) : {},
    createdAt: r.created_at,
  });
  const get = async (tenantId: string, id: string) => {
    const r = await db.selectFrom('client_grants').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? map(r) : undefined;
  };
  return {
    async insert(tenantId, g) {
      try {
        await db
          .insertInto('client_grants')
          .values({
            id: g.id,
            tenant_id: tenantId,
            client_id: g.clientId,
            audience: g.audience,
            scope: text(g.scope),
            properties: text(g.properties ?? {}),
            created_at: g.createdAt,
          })
          .execute();
      } catch (e) {
        // The loser of two concurrent creates for one (client, audience): the same 409 as a sequential duplicate.
        if (isUniqueViolation(e)) throw new AppError('client_grant_conflict');
        throw e;
      }
    },
    get,
    async list(tenantId, f) {
      let q = db.selectFrom('client_grants').selectAll().where('tenant_id', '=', tenantId);
      if (f.clientId !== undefined) q = q.where('client_id', '=', f.clientId);
      if (f.audience !== undefined) q = q.where('audience', '=', f.audience);
      return (await q.orderBy('created_at').orderBy('id').execute()).map(map);
    },
    async update(tenantId, id, patch) {
      const row: { scope?: string; properties?: string } = {};
      if (patch.scope !== undefined) row.scope = text(patch.scope);
      if (patch.properties !== undefined) row.properties = text(patch.properties);
      if (Object.keys(row).length > 0) await db.updateTable('client_grants').set(row).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      return get(tenantId, id);
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('client_grants').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
