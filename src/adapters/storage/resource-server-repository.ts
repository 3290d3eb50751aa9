import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../../domain/errors.js';
import type { ResourceServerRecord, ResourceServerRepository } from '../../domain/ports.js';
import { isUniqueViolation, json, text } from './json.js';
import type { Database, ResourceServersTable } from './schema.js';

const toRecord = (r: Selectable<ResourceServersTable>): ResourceServerRecord => ({
  id: r.id,
  identifier: r.identifier,
  name: r.name,
  properties: json(r.properties),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function resourceServerRepository(db: Kysely<Database>): ResourceServerRepository {
  const get = async (tenantId: string, id: string) => {
    const r = await db.selectFrom('resource_servers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  };
  return {
    async insert(tenantId, rs) {
      try {
        await db
          .insertInto('resource_servers')
          .values({
            id: rs.id,
            tenant_id: tenantId,
            identifier: rs.identifier,
            name: rs.name,
            properties: text(rs.properties),
            created_at: rs.createdAt,
            updated_at: rs.updatedAt,
          })
          .execute();
      } catch (e) {
        // Two concurrent creates of one identifier: the loser gets the same 409 as a sequential duplicate.
        if (isUniqueViolation(e)) throw new AppError('resource_server_conflict');
        throw e;
      }
    },
    get,
    async findByIdentifier(tenantId, identifier) {
      const r = await db
        .selectFrom('resource_servers')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('identifier', '=', identifier)
        .executeTakeFirst();
      return r ? toRecord(r) : undefined;
    },
    async list(tenantId) {
      const rows = await db.selectFrom('resource_servers').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async update(tenantId, id, patch) {
      const row: Partial<ResourceServersTable> = { updated_at: patch.updatedAt };
      if (patch.name !== undefined) row.name = patch.name;
      if (patch.properties !== undefined) row.properties = text(patch.properties);
      await db.updateTable('resource_servers').set(row).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      return get(tenantId, id);
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('resource_servers').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
