import { sql, type Kysely, type Selectable } from 'kysely';
import type { PhoneFraudRepository, QuarantineRecord } from '../../domain/abuse/phone-fraud-ports.js';
import type { PhoneFraudSettings } from '../../domain/abuse/phone-fraud-settings.js';
import { fastInsert, preparedQuery } from './compiled-queries.js';
import { lockKey } from './features.js';
import { json, text } from './json.js';
import { FraudTrafficMemo } from './fraud-traffic-memo.js';
import { groupCommitFor, groupTransaction, groupWrite } from './write-batcher.js';
import type { Database, PhoneFraudMinutesTable, PhoneFraudQuarantinesTable } from './schema.js';

const n = (v: unknown): number => Number(v ?? 0);
/** The UTC minute of an ISO timestamp (`2026-12-04T20:41`): the fraud guard's counting unit. */
const minuteOf = (iso: string) => iso.slice(0, 16);

/** A minute's row (as a type alias, so that it is a record of values). */
type MinuteRow = { [K in keyof PhoneFraudMinutesTable]: PhoneFraudMinutesTable[K] };

/** Adds the counts of `row` to its minute (creating the minute). Built once per dialect: it runs on every code sent. */
function addToMinute(trx: Kysely<Database>, row: MinuteRow): Promise<unknown> {
  return preparedQuery(trx, 'fraud.addToMinute', row, (q, p) =>
    q
      .insertInto('phone_fraud_minutes')
      .values({ tenant_id: p.tenant_id, prefix: p.prefix, minute: p.minute, country: p.country, sends: p.sends, verified: p.verified, numbers: p.numbers })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'prefix', 'minute']).doUpdateSet({
          sends: sql`phone_fraud_minutes.sends + excluded.sends`,
          verified: sql`phone_fraud_minutes.verified + excluded.verified`,
          numbers: sql`phone_fraud_minutes.numbers + excluded.numbers`,
        }),
      ),
  );
}

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
  // The embedded database (its writes pass one group commit): the recent traffic is held in the process.
  const memo = groupCommitFor(db) ? new FraudTrafficMemo(new Date()) : undefined;
  const active = (tenantId: string, now: string) =>
    db.selectFrom('phone_fraud_quarantines').where('tenant_id', '=', tenantId).where('released_at', 'is', null).where('until', '>', now);
  /** The recipients sent to since then, into the memo (within a step of the group commit: it sees exactly the writes before it). */
  const loadRecipients = async (trx: Kysely<Database>, memo: FraudTrafficMemo, since: string) => {
    const { rows } = await preparedQuery(trx, 'fraud.recipientsSince', { since }, (q, p) =>
      q
        .selectFrom('phone_fraud_sends')
        .select(['tenant_id', 'recipient', sql<string>`max(created_at)`.as('at')])
        .where('created_at', '>=', p.since)
        .groupBy(['tenant_id', 'recipient']),
    );
    memo.loadRecipients(since, rows);
  };
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

    async recordSend(tenantId, s, repeatSince) {
      const minute = minuteOf(s.createdAt);
      // Decided once: a second run of this write (see FraudTrafficMemo) must not find its own send.
      let repeat: boolean | undefined;
      let ran = false;
      // Once, before the send's own step, so that sends that come together share the load.
      if (memo && repeatSince !== undefined && !memo.covers(repeatSince)) await groupWrite(db, (trx) => loadRecipients(trx, memo, repeatSince));
      await groupTransaction(db, async (trx) => {
        if (repeat === undefined) {
          let known = repeatSince === undefined ? false : memo?.repeat(tenantId, s.recipient, repeatSince, s.createdAt);
          // The memo let go of its recipients since the load (its bound): loaded again, here. On the
          // embedded database the sends have no index by recipient to look one up (migration 0018).
          if (known === undefined && memo && repeatSince !== undefined) {
            await loadRecipients(trx, memo, repeatSince);
            known = memo.repeat(tenantId, s.recipient, repeatSince, s.createdAt);
          }
          repeat =
            known ??
            (
              await preparedQuery(trx, 'fraud.repeat', { tenantId, recipient: s.recipient, since: repeatSince!, until: s.createdAt }, (q, p) =>
                q
                  .selectFrom('phone_fraud_sends')
                  .select('id')
                  .where('tenant_id', '=', p.tenantId)
                  .where('recipient', '=', p.recipient)
                  .where('created_at', '>=', p.since)
                  .where('created_at', '<=', p.until)
                  .limit(1),
              )
            ).rows.length > 0;
        }
        await fastInsert(trx, 'phone_fraud_sends', {
          id: s.id,
          tenant_id: tenantId,
          otp_id: s.otpId,
          prefix: s.prefix,
          country: s.country,
          recipient: s.recipient,
          created_at: s.createdAt,
        });
        // The code's row says where its send was counted: its verification is counted from it (markVerified).
        await preparedQuery(trx, 'fraud.markCode', { prefix: s.prefix, country: s.country, tenantId, otpId: s.otpId }, (q, p) =>
          q.updateTable('otp_codes').set({ fraud_prefix: p.prefix, fraud_country: p.country }).where('tenant_id', '=', p.tenantId).where('id', '=', p.otpId),
        );
        const counts = { sends: 1, verified: 0, numbers: repeat ? 0 : 1 };
        await addToMinute(trx, { tenant_id: tenantId, prefix: s.prefix, minute, country: s.country, ...counts });
        memo?.add(tenantId, s.prefix, minute, counts, ran);
        memo?.sent(tenantId, s.recipient, s.createdAt);
        ran = true;
      });
    },
    async markVerified(tenantId, c) {
      const minute = minuteOf(c.sentAt);
      const counts = { sends: 0, verified: 1, numbers: 0 };
      let ran = false;
      await groupTransaction(db, async (trx) => {
        await addToMinute(trx, { tenant_id: tenantId, prefix: c.prefix, minute, country: c.country, ...counts });
        memo?.add(tenantId, c.prefix, minute, counts, ran);
        ran = true;
      });
    },
    async recentTraffic(tenantId, prefix, w) {
      const burstSince = minuteOf(w.burstSince);
      const hourSince = minuteOf(w.hourSince);
      const since = burstSince < hourSince ? burstSince : hourSince;
      if (memo) {
        let minutes = memo.minutes(tenantId, prefix, since);
        if (!minutes) {
          // Loaded as a step of the group commit: it sees the writes before it, the memo those after it.
          await groupWrite(db, async (trx) => {
            const { rows } = await preparedQuery(trx, 'fraud.minutesOf', { tenantId, prefix, since }, (q, p) =>
              q.selectFrom('phone_fraud_minutes').select(['minute', 'sends', 'verified', 'numbers']).where('tenant_id', '=', p.tenantId).where('prefix', '=', p.prefix).where('minute', '>=', p.since),
            );
            memo.load(tenantId, prefix, since, rows);
          });
          minutes = memo.minutes(tenantId, prefix, since)!;
        }
        const t = { burst: { sends: 0, numbers: 0, verified: 0 }, hour: { sends: 0, verified: 0 } };
        for (const [m, c] of minutes) {
          if (m >= burstSince) {
            t.burst.sends += c.sends;
            t.burst.numbers += c.numbers;
            t.burst.verified += c.verified;
          }
          if (m >= hourSince) {
            t.hour.sends += c.sends;
            t.hour.verified += c.verified;
          }
        }
        return t;
      }
      const values = { tenantId, prefix, burstSince, hourSince, since };
      const { rows } = await preparedQuery(db, 'fraud.recentTraffic', values, (q, p) => {
        const burst = sql<boolean>`minute >= ${p.burstSince}`;
        const hour = sql<boolean>`minute >= ${p.hourSince}`;
        return q
          .selectFrom('phone_fraud_minutes')
          .select([
            sql<number>`sum(case when ${burst} then sends else 0 end)`.as('burst_sends'),
            sql<number>`sum(case when ${burst} then numbers else 0 end)`.as('burst_numbers'),
            sql<number>`sum(case when ${burst} then verified else 0 end)`.as('burst_verified'),
            sql<number>`sum(case when ${hour} then sends else 0 end)`.as('hour_sends'),
            sql<number>`sum(case when ${hour} then verified else 0 end)`.as('hour_verified'),
          ])
          .where('tenant_id', '=', p.tenantId)
          .where('prefix', '=', p.prefix)
          .where('minute', '>=', p.since);
      });
      const r = rows[0]!;
      return {
        burst: { sends: n(r.burst_sends), numbers: n(r.burst_numbers), verified: n(r.burst_verified) },
        hour: { sends: n(r.hour_sends), verified: n(r.hour_verified) },
      };
    },
    async settledTraffic(tenantId, prefix, w) {
      const settled = sql<boolean>`minute >= ${minuteOf(w.windowSince)} and minute < ${minuteOf(w.settledBefore)}`;
      const r = await db
        .selectFrom('phone_fraud_minutes')
        .select([
          sql<number>`sum(case when ${settled} then sends else 0 end)`.as('settled_sends'),
          sql<number>`sum(case when ${settled} then verified else 0 end)`.as('settled_verified'),
          sql<number>`sum(case when minute < ${minuteOf(w.baselineUntil)} then sends else 0 end)`.as('baseline_sends'),
        ])
        .where('tenant_id', '=', tenantId)
        .where('prefix', '=', prefix)
        .where('minute', '>=', minuteOf(w.baselineSince))
        .executeTakeFirstOrThrow();
      return { settled: { sends: n(r.settled_sends), verified: n(r.settled_verified) }, baselineSends: n(r.baseline_sends) };
    },
    async countryTraffic(tenantId, country, since, settledBefore) {
      const r = await db
        .selectFrom('phone_fraud_minutes')
        .select([sql<number>`sum(sends)`.as('sends'), sql<number>`sum(verified)`.as('verified')])
        .where('tenant_id', '=', tenantId)
        .where('country', '=', country)
        .where('minute', '>=', minuteOf(since))
        .where('minute', '<', minuteOf(settledBefore))
        .executeTakeFirstOrThrow();
      return { sends: n(r.sends), verified: n(r.verified) };
    },
    async pruneSends(before) {
      await db.deleteFrom('phone_fraud_minutes').where('minute', '<', minuteOf(before)).execute();
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
