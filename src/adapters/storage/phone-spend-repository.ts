import { sql, type Kysely } from 'kysely';
import type { PhoneSpendRepository } from '../../domain/abuse/phone-spend-ports.js';
import type { PhoneSpendSettings } from '../../domain/abuse/phone-spend.js';
import { preparedQuery } from './compiled-queries.js';
import { lockKey } from './features.js';
import { json, text } from './json.js';
import { groupTransaction, groupWrite } from './write-batcher.js';
import type { Database } from './schema.js';

export function phoneSpendRepository(db: Kysely<Database>): PhoneSpendRepository {
  // The day's and the month's totals in one statement, built once per dialect (it runs on every send).
  const add = (trx: Kysely<Database>, tenantId: string, [day, month]: [string, string], cost: number) =>
    preparedQuery(trx, 'spend.add', { tenantId, day, month, cost }, (q, p) =>
      q
        .insertInto('phone_spend_totals')
        .values([
          { tenant_id: p.tenantId, period: p.day, amount: p.cost },
          { tenant_id: p.tenantId, period: p.month, amount: p.cost },
        ])
        .onConflict((oc) => oc.columns(['tenant_id', 'period']).doUpdateSet({ amount: sql`phone_spend_totals.amount + excluded.amount` })),
    );
  const totals = async (trx: Kysely<Database>, tenantId: string, periods: string[]) => {
    const rows = await trx.selectFrom('phone_spend_totals').select(['period', 'amount']).where('tenant_id', '=', tenantId).where('period', 'in', periods).execute();
    const out: Record<string, number> = Object.fromEntries(periods.map((p) => [p, 0]));
    for (const r of rows) out[r.period] = Number(r.amount);
    return out;
  };
  return {
    async getSettings(tenantId) {
      const r = await db.selectFrom('phone_spend_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? { settings: json<PhoneSpendSettings>(r.settings), updatedAt: r.updated_at } : undefined;
    },
    async putSettings(tenantId, settings, updatedAt) {
      const row = { settings: text(settings), updated_at: updatedAt };
      await db
        .insertInto('phone_spend_settings')
        .values({ tenant_id: tenantId, ...row })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
        .execute();
    },
    async charge(tenantId, c) {
      if (c.dailyCap === null && c.monthlyCap === null) {
        // No cap to hold: one upsert, no lock (on SQLite in the group commit).
        await groupWrite(db, (trx) => add(trx, tenantId, [c.day, c.month], c.cost));
        return 'ok';
      }
      return groupTransaction(db, async (trx) => {
        await lockKey(trx, `phone_spend:${tenantId}`);
        const t = await totals(trx, tenantId, [c.day, c.month]);
        if (c.dailyCap !== null && t[c.day]! + c.cost > c.dailyCap) return 'daily';
        if (c.monthlyCap !== null && t[c.month]! + c.cost > c.monthlyCap) return 'monthly';
        await add(trx, tenantId, [c.day, c.month], c.cost);
        return 'ok';
      });
    },
    totals: (tenantId, periods) => totals(db, tenantId, periods),
  };
}
