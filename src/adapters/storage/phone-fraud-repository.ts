import { sql, type Kysely, type Selectable } from 'kysely';
import type { PhoneFraudRepository, QuarantineRecord } from '../../domain/abuse/phone-fraud-ports.js';
import type { PhoneFraudSettings } from '../../domain/abuse/phone-fraud-settings.js';
import { lockKey } from './features.js';
import { json, text } from './json.js';
import type { Database, PhoneFraudQuarantinesTable } from './schema.js';

const n = (v: unknown): number => Number(v ?? 0);

function toQuarantine(r: Selectable<PhoneFraudQuarantinesTable>): QuarantineRecord {
  return {
    id: r.id,
    prefix: r.prefix,
    country: r.country,
    mode: r.mode as QuarantineRecord['mode'],
    rule: r.rule,
    evidence: json<Record<string, unknown>>(r.evidence),
    blockedSends: n(r.blocked_sends),
    createdAt: r.created_at,
    until: r.until,
    releasedAt: r.released_at,
  };
}

export function phoneFraudRepository(db: Kysely<Database>): PhoneFraudRepository {
  const active = (tenantId: string, now: string) =>
    db.selectFrom('phone_fraud_quarantines').where('tenant_id', '=', tenantId).where('released_at', 'is', null).where('until', '>', now);
  const latestQuarantine = async (tenantId: string, prefix: string) => {
    const r = await db
      .selectFrom('phone_fraud_quarantines')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('prefix', '=', prefix)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r ? toQuarantine(r) : undefined;
  };
  return {
    async getSettings(tenantId) {
      const r = await db.selectFrom('phone_fraud_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? { settings: json<PhoneFraudSettings>(r.settings), updatedAt: r.updated_at } : undefined;
    },
    async putSettings(tenantId, settings, updatedAt) {
      const row = { settings: text(settings), updated_at: updatedAt };
      await db
        .insertInto('phone_fraud_settings')
        .values({ tenant_id: tenantId, ...row })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
        .execute();
    },

    async recordSend(tenantId, s) {
      await db
        .insertInto('phone_fraud_sends')
        .values({ id: s.id, tenant_id: tenantId, otp_id: s.otpId, prefix: s.prefix, country: s.country, recipient: s.recipient, created_at: s.createdAt, verified_at: null })
        .execute();
    },
    async markVerified(tenantId, otpId, at) {
      await db.updateTable('phone_fraud_sends').set({ verified_at: at }).where('tenant_id', '=', tenantId).where('otp_id', '=', otpId).where('verified_at', 'is', null).execute();
    },
    async prefixTraffic(tenantId, prefix, w) {
      // One pass over the prefix's sends since the earliest window (the baseline's start).
      const inWin = (since: string) => sql<boolean>`created_at >= ${since}`;
      const verified = sql<boolean>`verified_at is not null`;
      const r = await db
        .selectFrom('phone_fraud_sends')
        .select([
          sql<number>`sum(case when ${inWin(w.burstSince)} then 1 else 0 end)`.as('burst_sends'),
          sql<number>`count(distinct case when ${inWin(w.burstSince)} then recipient end)`.as('burst_numbers'),
          sql<number>`sum(case when ${inWin(w.burstSince)} and ${verified} then 1 else 0 end)`.as('burst_verified'),
          sql<number>`sum(case when ${inWin(w.hourSince)} then 1 else 0 end)`.as('hour_sends'),
          sql<number>`sum(case when ${inWin(w.hourSince)} and ${verified} then 1 else 0 end)`.as('hour_verified'),
          sql<number>`sum(case when ${inWin(w.windowSince)} and created_at < ${w.settledBefore} then 1 else 0 end)`.as('settled_sends'),
          sql<number>`sum(case when ${inWin(w.windowSince)} and created_at < ${w.settledBefore} and ${verified} then 1 else 0 end)`.as('settled_verified'),
          sql<number>`sum(case when created_at < ${w.baselineUntil} then 1 else 0 end)`.as('baseline_sends'),
        ])
        .where('tenant_id', '=', tenantId)
        .where('prefix', '=', prefix)
        .where('created_at', '>=', w.baselineSince)
        .executeTakeFirstOrThrow();
      return {
        burst: { sends: n(r.burst_sends), numbers: n(r.burst_numbers), verified: n(r.burst_verified) },
        hour: { sends: n(r.hour_sends), verified: n(r.hour_verified) },
        settled: { sends: n(r.settled_sends), verified: n(r.settled_verified) },
        baselineSends: n(r.baseline_sends),
      };
    },
    async countryTraffic(tenantId, country, since, settledBefore) {
      const r = await db
        .selectFrom('phone_fraud_sends')
        .select([sql<number>`count(*)`.as('sends'), sql<number>`sum(case when verified_at is not null then 1 else 0 end)`.as('verified')])
        .where('tenant_id', '=', tenantId)
        .where('country', '=', country)
        .where('created_at', '>=', since)
        .where('created_at', '<', settledBefore)
        .executeTakeFirstOrThrow();
      return { sends: n(r.sends), verified: n(r.verified) };
    },
    async pruneSends(before) {
      const r = await db.deleteFrom('phone_fraud_sends').where('created_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    latestQuarantine,
    async quarantine(tenantId, q, now) {
      return db.transaction().execute(async (trx) => {
        // Serialises the quarantines of one prefix: concurrent sends judging one burst create one.
        await lockKey(trx, `phone_fraud_quarantine:${tenantId}:${q.prefix}`);
        const existing = await trx
          .selectFrom('phone_fraud_quarantines')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('prefix', '=', q.prefix)
          .where('released_at', 'is', null)
          .where('until', '>', now)
          .executeTakeFirst();
        if (existing) return toQuarantine(existing);
        await trx
          .insertInto('phone_fraud_quarantines')
          .values({
            id: q.id,
            tenant_id: tenantId,
            prefix: q.prefix,
            country: q.country,
            mode: q.mode,
            rule: q.rule,
            evidence: text(q.evidence),
            blocked_sends: q.blockedSends,
            created_at: q.createdAt,
            until: q.until,
            released_at: null,
          })
          .execute();
        return q;
      });
    },
    async countBlocked(tenantId, id) {
      await db.updateTable('phone_fraud_quarantines').set((eb) => ({ blocked_sends: eb('blocked_sends', '+', 1) })).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async getQuarantine(tenantId, id) {
      const r = await db.selectFrom('phone_fraud_quarantines').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r ? toQuarantine(r) : undefined;
    },
    async listQuarantines(tenantId, o) {
      let q = o.activeAt ? active(tenantId, o.activeAt) : db.selectFrom('phone_fraud_quarantines').where('tenant_id', '=', tenantId);
      if (o.prefix) q = q.where('prefix', '=', o.prefix);
      const [rows, total] = await Promise.all([
        q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(o.perPage).offset(o.page * o.perPage).execute(),
        q.select(sql<number>`count(*)`.as('c')).executeTakeFirstOrThrow(),
      ]);
      return { quarantines: rows.map(toQuarantine), total: n(total.c) };
    },
    async release(tenantId, id, now) {
      const r = await db
        .updateTable('phone_fraud_quarantines')
        .set({ released_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('released_at', 'is', null)
        .where('until', '>', now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async releaseUnder(tenantId, prefix, now) {
      const r = await db
        .updateTable('phone_fraud_quarantines')
        .set({ released_at: now })
        .where('tenant_id', '=', tenantId)
        .where('prefix', 'like', `${prefix}%`)
        .where('released_at', 'is', null)
        .where('until', '>', now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async safePrefixFor(tenantId, e164) {
      const r = await db
        .selectFrom('phone_fraud_safe_prefixes')
        .select('prefix')
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`${e164} like prefix || '%'`)
        .orderBy(sql`length(prefix)`, 'desc')
        .limit(1)
        .executeTakeFirst();
      return r?.prefix;
    },
    async listSafe(tenantId) {
      const rows = await db.selectFrom('phone_fraud_safe_prefixes').selectAll().where('tenant_id', '=', tenantId).orderBy('prefix').execute();
      return rows.map((r) => ({ prefix: r.prefix, note: r.note, createdAt: r.created_at }));
    },
    async putSafe(tenantId, r) {
      await db
        .insertInto('phone_fraud_safe_prefixes')
        .values({ tenant_id: tenantId, prefix: r.prefix, note: r.note, created_at: r.createdAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'prefix']).doUpdateSet({ note: r.note }))
        .execute();
    },
    async deleteSafe(tenantId, prefix) {
      const r = await db.deleteFrom('phone_fraud_safe_prefixes').where('tenant_id', '=', tenantId).where('prefix', '=', prefix).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
