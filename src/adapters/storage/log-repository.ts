import type { Kysely, Selectable } from 'kysely';
import type { LogRecord, LogRepository, TestNumberRepository } from '../../domain/notifications/ports.js';
import { json } from './json.js';
import { logRow } from './notification-repository.js';
import type { Database, LogsTable } from './schema.js';

const toLog = (r: Selectable<LogsTable>): LogRecord => ({
  log_id: r.log_id,
  date: r.date,
  type: r.type,
  description: r.description,
  client_id: r.client_id,
  client_name: r.client_name,
  ip: r.ip,
  user_id: r.user_id,
  details: json(r.details),
});

export function logRepository(db: Kysely<Database>): LogRepository {
  return {
    async insert(tenantId, log) {
      await db.insertInto('logs').values(logRow(tenantId, log)).execute();
    },
    async get(tenantId, logId) {
      const r = await db.selectFrom('logs').selectAll().where('tenant_id', '=', tenantId).where('log_id', '=', logId).executeTakeFirst();
      return r ? toLog(r) : undefined;
    },
    async list(tenantId, f, page) {
      let q = db.selectFrom('logs').where('tenant_id', '=', tenantId);
      if (f.types?.length) q = q.where('type', 'in', f.types);
      if (f.from) q = q.where('date', '>=', f.from);
      if (f.to) q = q.where('date', '<=', f.to);
      if (f.userId) q = q.where('user_id', '=', f.userId);
      if (f.clientId) q = q.where('client_id', '=', f.clientId);
      // The masked number as the log details serialise it (JSON.stringify: no spaces); it holds no LIKE wildcard.
      if (f.maskedNumber) q = q.where('details', 'like', `%"to":"${f.maskedNumber}"%`);
      if (f.afterLogId) q = q.where('log_id', '>', f.afterLogId);
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('log_id', page.ascending ? 'asc' : 'desc').limit(page.limit).offset(page.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toLog), total: Number(count.n) };
    },
  };
}

export function testNumberRepository(db: Kysely<Database>): TestNumberRepository {
  return {
    async list(tenantId) {
      const rows = await db.selectFrom('phone_test_numbers').select(['number', 'code']).where('tenant_id', '=', tenantId).orderBy('number').execute();
      return rows;
    },
    async get(tenantId, number) {
      return db.selectFrom('phone_test_numbers').select(['number', 'code']).where('tenant_id', '=', tenantId).where('number', '=', number).executeTakeFirst();
    },
    async replaceAll(tenantId, numbers, now) {
      const write = async (trx: Kysely<Database>) => {
        await trx.deleteFrom('phone_test_numbers').where('tenant_id', '=', tenantId).execute();
        for (const n of numbers) {
          await trx.insertInto('phone_test_numbers').values({ tenant_id: tenantId, number: n.number, code: n.code, created_at: now }).execute();
        }
      };
      await (db.isTransaction ? write(db) : db.transaction().execute(write));
    },
  };
}
