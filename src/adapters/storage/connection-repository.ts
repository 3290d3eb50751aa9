import type { Kysely, Selectable } from 'kysely';
import { SMS_CONNECTION_SEALED_KEYS, type ConnectionRecord, type ConnectionRepository, type ConnectionStrategy } from '../../domain/auth/ports.js';
import { AppError } from '../../domain/errors.js';
import type { ConnectionsTable } from './auth-tables.js';
import { isUniqueViolation, json, text } from './json.js';
import type { Database } from './schema.js';

const toRecord = (r: Selectable<ConnectionsTable>): ConnectionRecord => ({
  id: r.id,
  name: r.name,
  strategy: r.strategy as ConnectionStrategy,
  options: json(r.options),
  enabledClients: json(r.enabled_clients),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Connections. Deleting one deletes its users (and their login failures) in the same transaction,
 * as Auth0 does; the name is unique per tenant (409 `connection_exists`).
 */
export function connectionRepository(db: Kysely<Database>): ConnectionRepository {
  const get = async (tenantId: string, id: string) => {
    const r = await db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  };
  return {
    provisionDefaults: (tenantId, list) => defaultConnectionProvisioner(db)(tenantId, list),
    async insert(tenantId, c) {
      try {
        await db
          .insertInto('connections')
          .values({
            id: c.id,
            tenant_id: tenantId,
            name: c.name,
            strategy: c.strategy,
            options: text(c.options),
            enabled_clients: text(c.enabledClients),
            created_at: c.createdAt,
            updated_at: c.updatedAt,
          })
          .execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new AppError('connection_exists');
        throw e;
      }
    },
    get,
    async getByName(tenantId, name) {
      const r = await db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      return r ? toRecord(r) : undefined;
    },
    async list(tenantId, filter) {
      let q = db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId);
      if (filter.strategy !== undefined) q = q.where('strategy', '=', filter.strategy);
      return (await q.orderBy('created_at').orderBy('id').execute()).map(toRecord);
    },
    async update(tenantId, id, patch) {
      const row: Partial<ConnectionsTable> = {};
      if (patch.options !== undefined) row.options = text(patch.options);
      if (patch.enabledClients !== undefined) row.enabled_clients = text(patch.enabledClients);
      if (patch.updatedAt !== undefined) row.updated_at = patch.updatedAt;
      if (Object.keys(row).length > 0) {
        await db.updateTable('connections').set(row).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      }
      return get(tenantId, id);
    },
    async listSealed() {
      // Only sms connections carry sealed options; the LIKE skips the rest without parsing them.
      const rows = await db.selectFrom('connections').select(['tenant_id', 'id', 'options']).where('strategy', '=', 'sms').where('options', 'like', '%_sealed%').execute();
      return rows.flatMap((r) => {
        const o = json<Record<string, unknown>>(r.options);
        return SMS_CONNECTION_SEALED_KEYS.flatMap((key) => {
          const sealed = o[key];
          return typeof sealed === 'string' ? [{ tenantId: r.tenant_id, id: r.id, key, sealed }] : [];
        });
      });
    },
    async updateSealed(tenantId, id, key, from, to) {
      const r = await db.selectFrom('connections').select('options').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (!r) return false;
      const o = json<Record<string, unknown>>(r.options);
      if (o[key] !== from) return false;
      // Compare and swap on the whole options text: any change in between (another key too) wins.
      const u = await db
        .updateTable('connections')
        .set({ options: text({ ...o, [key]: to }) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('options', '=', r.options)
        .executeTakeFirst();
      return Number(u.numUpdatedRows) > 0;
    },
    async delete(tenantId, id) {
      return db.transaction().execute(async (trx) => {
        const c = await trx.selectFrom('connections').select('name').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        if (!c) return false;
        const users = trx.selectFrom('users').select('user_id').where('tenant_id', '=', tenantId).where('connection', '=', c.name);
        // What deleting each user would remove (login failures, MFA enrollments with their phone
        // numbers), and what would be left orphaned (recovery codes, refresh tokens).
        for (const table of ['login_failures', 'mfa_enrollments', 'recovery_codes', 'refresh_tokens'] as const) {
          await trx.deleteFrom(table).where('tenant_id', '=', tenantId).where('user_id', 'in', users).execute();
        }
        await trx.deleteFrom('users').where('tenant_id', '=', tenantId).where('connection', '=', c.name).execute();
        const r = await trx.deleteFrom('connections').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },
  };
}

/**
 * Writes a tenant's default connections once: a marker row in `unifone_meta` and the connections in
 * one transaction. The marker's primary key decides between racing processes; a connection name that
 * already exists (created through the API before) is left as it is. Resolves true when this call
 * provisioned them.
 */
export function defaultConnectionProvisioner(db: Kysely<Database>) {
  return async (tenantId: string, connections: ConnectionRecord[]): Promise<boolean> => {
    const key = `default_connections:${tenantId}`;
    const seen = await db.selectFrom('unifone_meta').select('key').where('key', '=', key).executeTakeFirst();
    if (seen) return false;
    try {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('unifone_meta').values({ key, value: connections[0]?.createdAt ?? '' }).execute();
        for (const c of connections) {
          const exists = await trx.selectFrom('connections').select('id').where('tenant_id', '=', tenantId).where('name', '=', c.name).executeTakeFirst();
          if (!exists) await connectionRepository(trx).insert(tenantId, c);
        }
      });
      return true;
    } catch (e) {
      if (isUniqueViolation(e) || (e instanceof AppError && e.code === 'connection_exists')) return false;
      throw e;
    }
  };
}
