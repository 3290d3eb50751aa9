import { sql, type Kysely, type Selectable } from 'kysely';
import type { OtpPurpose, OtpRecord, OtpRepository, SendLimit } from '../../domain/auth/ports.js';
import type { OtpCodesTable } from './auth-tables.js';
import type { Database } from './schema.js';
import { fastInsert, preparedQuery } from './compiled-queries.js';
import { lockKey } from './features.js';
import { groupTransaction, groupWrite } from './write-batcher.js';

const toOtp = (r: Selectable<OtpCodesTable>): OtpRecord => ({
  id: r.id,
  purpose: r.purpose as OtpPurpose,
  subject: r.subject,
  clientId: r.client_id,
  channel: r.channel as OtpRecord['channel'],
  enrollmentId: r.enrollment_id,
  codeHash: r.code_hash,
  attempts: Number(r.attempts),
  maxAttempts: Number(r.max_attempts),
  expiresAt: r.expires_at,
  consumedAt: r.consumed_at,
  createdAt: r.created_at,
  ...(r.fraud_prefix !== null && r.fraud_country !== null ? { fraud: { prefix: r.fraud_prefix, country: r.fraud_country } } : {}),
});

/** One-time codes. Consumption is a single conditional UPDATE, so concurrent verifies cannot both win. */
export function otpRepository(db: Kysely<Database>): OtpRepository {
  return {
    async issue(tenantId, otp, limit) {
      const write = async (trx: Kysely<Database>) => {
        // One subject at a time: the count below and the insert cannot interleave with another issue's.
        await lockKey(trx, `otp:${tenantId}:${otp.subject}`);
        const sent = await countSince(trx, tenantId, otp.subject, limit);
        if (sent.sms + sent.voice >= limit.total || (otp.channel === 'voice' && sent.voice >= limit.voice)) return false;
        // A newer code invalidates every earlier one of the same purpose and subject.
        await preparedQuery(trx, 'otp.invalidate', { now: otp.createdAt, tenantId, purpose: otp.purpose, subject: otp.subject }, (q, p) =>
          q
            .updateTable('otp_codes')
            .set({ consumed_at: p.now })
            .where('tenant_id', '=', p.tenantId)
            .where('purpose', '=', p.purpose)
            .where('subject', '=', p.subject)
            .where('consumed_at', 'is', null),
        );
        await fastInsert(trx, 'otp_codes', {
          id: otp.id,
          tenant_id: tenantId,
          purpose: otp.purpose,
          subject: otp.subject,
          client_id: otp.clientId,
          channel: otp.channel,
          enrollment_id: otp.enrollmentId,
          code_hash: otp.codeHash,
          attempts: otp.attempts,
          max_attempts: otp.maxAttempts,
          expires_at: otp.expiresAt,
          consumed_at: otp.consumedAt,
          created_at: otp.createdAt,
        });
        return true;
      };
      return groupTransaction(db, write);
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('otp_codes').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r ? toOtp(r) : undefined;
    },
    async latest(tenantId, purpose, subject) {
      const { rows } = await preparedQuery(db, 'otp.latest', { tenantId, purpose, subject }, (q, p) =>
        q
          .selectFrom('otp_codes')
          .selectAll()
          .where('tenant_id', '=', p.tenantId)
          .where('purpose', '=', p.purpose)
          .where('subject', '=', p.subject)
          .where('consumed_at', 'is', null)
          .orderBy('created_at', 'desc')
          // A literal limit: with a bound `limit ?` SQLite ran this lookup 3-4 times slower (measured).
          .limit(sql.lit(1)),
      );
      return rows[0] ? toOtp(rows[0]) : undefined;
    },
    async consume(tenantId, id, now) {
      const r = await groupWrite(db, (trx) =>
        preparedQuery(trx, 'otp.consume', { now, tenantId, id }, (q, p) =>
          q
            .updateTable('otp_codes')
            .set({ consumed_at: p.now })
            .where('tenant_id', '=', p.tenantId)
            .where('id', '=', p.id)
            .where('consumed_at', 'is', null)
            .where('expires_at', '>', p.now)
            .whereRef('attempts', '<', 'max_attempts'),
        ),
      );
      return Number(r.numAffectedRows) === 1;
    },
    async fail(tenantId, id) {
      const r = await groupWrite(db, (trx) =>
        trx
          .updateTable('otp_codes')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .returning('attempts')
          .executeTakeFirst(),
      );
      return r ? Number(r.attempts) : undefined;
    },
  };
}

/** Codes of the limit's purposes issued to `subject` since `limit.since`, by channel. */
async function countSince(db: Kysely<Database>, tenantId: string, subject: string, limit: SendLimit): Promise<{ sms: number; voice: number }> {
  // Prepared once per budget (the purposes are written into the SQL; there are four budgets).
  const { rows } = await preparedQuery(db, `otp.countSince:${limit.purposes.join(',')}`, { tenantId, subject, since: limit.since }, (q, p) =>
    q
      .selectFrom('otp_codes')
      .select(['channel', (eb) => eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', p.tenantId)
      .where('subject', '=', p.subject)
      .where('purpose', 'in', limit.purposes)
      .where('created_at', '>=', p.since)
      .groupBy('channel'),
  );
  const out = { sms: 0, voice: 0 };
  for (const r of rows) if (r.channel === 'sms' || r.channel === 'voice') out[r.channel] = Number(r.n);
  return out;
}
