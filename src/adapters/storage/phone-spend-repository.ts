import { sql, type Kysely } from 'kysely';
import type { PhoneSpendRepository, SpendCharge } from '../../domain/abuse/phone-spend-ports.js';
import type { PhoneSpendSettings } from '../../domain/abuse/phone-spend.js';
import { preparedQuery } from './compiled-queries.js';
import { lockKey } from './features.js';
import { json, text } from './json.js';
import { groupCommitFor, groupTransaction, groupWrite } from './write-batcher.js';
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
  /*
   * Uncapped charges, on SQLite: summed per tenant and period in this process and written in the next
   * group commit, one upsert per tenant for the whole batch instead of one per send (each tenant its
   * own write, so that one tenant's failure fails no other's); every charge is answered when that
   * commit is. With a cap the charge decides the send: it is read and written under the tenant's lock.
   */
  const pending = new Map<string, { sums: Map<string, { periods: [string, string]; cost: number }>; written: Promise<void> }>();
  const addLater = (tenantId: string, c: SpendCharge): Promise<void> => {
    if (!groupCommitFor(db)) return add(db, tenantId, [c.day, c.month], c.cost).then(() => undefined);
    let batch = pending.get(tenantId);
    if (!batch) {
      const sums = new Map<string, { periods: [string, string]; cost: number }>();
      const written = groupWrite(db, async (trx) => {
        // Detached once: a charge after this point joins the next batch; a retry writes the same sums.
        if (pending.get(tenantId)?.sums === sums) pending.delete(tenantId);
        for (const x of sums.values()) await add(trx, tenantId, x.periods, x.cost);
      });
      pending.set(tenantId, (batch = { sums, written }));
    }
    const period = `${c.day}\0${c.month}`;
    const sum = batch.sums.get(period);
    if (sum) sum.cost += c.cost;
    else batch.sums.set(period, { periods: [c.day, c.month], cost: c.cost });
    return batch.written;
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
        // No cap to hold: no lock; on SQLite summed into the group commit.
        await addLater(tenantId, c);
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
