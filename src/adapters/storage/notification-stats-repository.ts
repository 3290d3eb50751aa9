import { sql, type Kysely } from 'kysely';
import type { NotificationStatsRepository, StatusCounts } from '../../domain/notifications/stats.js';
import type { Database } from './schema.js';

/**
 * Aggregates over the tenant's notifications, computed by the database (one GROUP BY each) on the
 * `(tenant_id, created_at)` index. Timestamps are ISO-8601 text, so the hour is the first 13
 * characters (`2025-01-01T13`) on SQLite and PostgreSQL alike.
 */
export function notificationStatsRepository(db: Kysely<Database>): NotificationStatsRepository {
  const window = (tenantId: string, from: string, to: string) =>
    db.selectFrom('notifications').where('tenant_id', '=', tenantId).where('created_at', '>=', from).where('created_at', '<', to);
  const count = (cond: ReturnType<typeof sql>) => sql<number>`sum(case when ${cond} then 1 else 0 end)`;

  return {
    async hourly(tenantId, from, to) {
      const hour = sql<string>`substr(created_at, 1, 13)`;
      const rows = await window(tenantId, from, to)
        .select([
          hour.as('hour'),
          'delivery_method',
          (eb) => eb.fn.countAll<number>().as('sends'),
          count(sql`status = 'delivered'`).as('delivered'),
          count(sql`status in ('failed', 'undelivered')`).as('failures'),
        ])
        .groupBy([hour, 'delivery_method'])
        .orderBy(hour)
        .orderBy('delivery_method')
        .execute();
      return rows.map((r) => ({
        hour: `${r.hour}:00:00.000Z`,
        deliveryMethod: r.delivery_method,
        sends: Number(r.sends),
        delivered: Number(r.delivered ?? 0),
        failures: Number(r.failures ?? 0),
      }));
    },

    async statusCounts(tenantId, from, to) {
      const rows = await window(tenantId, from, to)
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const c: StatusCounts = { queued: 0, sending: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0 };
      for (const r of rows) if (r.status in c) c[r.status as keyof StatusCounts] = Number(r.n);
      return c;
    },

    async topErrors(tenantId, from, to, limit) {
      const rows = await window(tenantId, from, to)
        .where('error_code', 'is not', null)
        .where('status', 'in', ['failed', 'undelivered'])
        .select(['error_code', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('updated_at').as('last_at')])
        .groupBy('error_code')
        .orderBy(sql`count(*)`, 'desc')
        .orderBy('error_code')
        .limit(limit)
        .execute();
      // The provider's words of the latest failure with each code (one indexed look-up per code, at most `limit`).
      return Promise.all(
        rows.map(async (r) => {
          const last = await window(tenantId, from, to)
            .where('error_code', '=', r.error_code)
            .where('status', 'in', ['failed', 'undelivered'])
            .select('last_error')
            .orderBy('updated_at', 'desc')
            .limit(1)
            .executeTakeFirst();
          return { errorCode: r.error_code!, count: Number(r.n), lastError: last?.last_error ?? null };
        }),
      );
    },
  };
}
