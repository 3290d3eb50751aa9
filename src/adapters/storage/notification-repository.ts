import { sql, type Kysely, type Selectable, type ExpressionBuilder } from 'kysely';
import type {
  AttemptRecord,
  LogRecord,
  NotificationEventRecord,
  NotificationRecord,
  NotificationRepository,
} from '../../domain/notifications/ports.js';
import type { DialectFeatures } from './features.js';
import { ABANDONED_REASON } from '../../domain/notifications/dispatcher.js';
import { groupTransaction } from './write-batcher.js';
import { fastInsert, preparedQuery } from './compiled-queries.js';
import { json, text } from './json.js';
import type { Database, NotificationsTable } from './schema.js';

const toRecord = (r: Selectable<NotificationsTable>): NotificationRecord => ({
  id: r.id,
  type: r.type as NotificationRecord['type'],
  deliveryMethod: r.delivery_method as NotificationRecord['deliveryMethod'],
  recipient: r.recipient,
  source: r.source as NotificationRecord['source'],
  channel: r.channel as NotificationRecord['channel'],
  templateId: r.template_id,
  templateVersion: r.template_version === null ? null : Number(r.template_version),
  locale: r.locale,
  context: json(r.context),
  codeSealed: r.code_sealed,
  clientId: r.client_id,
  userId: r.user_id,
  ip: r.ip,
  status: r.status as NotificationRecord['status'],
  provider: r.provider,
  providerMessageId: r.provider_message_id,
  attempts: Number(r.attempts),
  maxAttempts: Number(r.max_attempts),
  nextAttemptAt: r.next_attempt_at,
  leaseUntil: r.lease_until,
  errorCode: r.error_code,
  lastError: r.last_error,
  policy: r.policy === null ? null : json(r.policy),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sentAt: r.sent_at,
  finalAt: r.final_at,
});

export function logRow(tenantId: string, l: LogRecord) {
  return {
    log_id: l.log_id,
    tenant_id: tenantId,
    date: l.date,
    type: l.type,
    description: l.description,
    client_id: l.client_id,
    client_name: l.client_name,
    ip: l.ip,
    user_id: l.user_id,
    details: text(l.details),
  };
}

const eventRow = (tenantId: string, notificationId: string, e: NotificationEventRecord) => ({
  id: e.id,
  notification_id: notificationId,
  tenant_id: tenantId,
  at: e.at,
  kind: e.kind,
  detail: text(e.detail),
});

/** Writes what a change of a notification leaves behind: its timeline events and the tenant's log lines. */
async function writeTrace(trx: Kysely<Database>, tenantId: string, notificationId: string, events: readonly NotificationEventRecord[], logs: readonly LogRecord[]) {
  for (const e of events) await fastInsert(trx, 'notification_events', eventRow(tenantId, notificationId, e));
  for (const l of logs) await fastInsert(trx, 'logs', logRow(tenantId, l));
}

/**
 * Due: queued and its time has come, or sending with a lease that ran out (its dispatcher died) —
 * and attempts left. A notification whose last attempt never finished is failed by `failAbandoned`,
 * never claimed again: a message that brings its process down cannot do so forever.
 */
const due = (now: string) => (eb: ExpressionBuilder<Database, 'notifications'>) =>
  eb.and([
    eb('attempts', '<', eb.ref('max_attempts')),
    eb.or([
      eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
      eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
    ]),
  ]);

export function notificationRepository(db: Kysely<Database>, features: DialectFeatures): NotificationRepository {
  const inTx = <T>(fn: (trx: Kysely<Database>) => Promise<T>) => (db.isTransaction ? fn(db) : db.transaction().execute(fn));

  return {
    async insert(tenantId, n, event) {
      // The two writes of every notification (enqueue, end of attempt) go through group commit where the dialect wants it.
      await groupTransaction(db, async (trx) => {
        await fastInsert(trx, 'notifications', {
            id: n.id,
            tenant_id: tenantId,
            type: n.type,
            delivery_method: n.deliveryMethod,
            recipient: n.recipient,
            source: n.source,
            channel: n.channel,
            template_id: n.templateId,
            template_version: n.templateVersion,
            locale: n.locale,
            context: text(n.context),
            code_sealed: n.codeSealed,
            client_id: n.clientId,
            user_id: n.userId,
            ip: n.ip,
            status: n.status,
            provider: n.provider,
            provider_message_id: n.providerMessageId,
            attempts: n.attempts,
            max_attempts: n.maxAttempts,
            next_attempt_at: n.nextAttemptAt,
            lease_until: n.leaseUntil,
            error_code: n.errorCode,
            last_error: n.lastError,
            policy: n.policy === null ? null : text(n.policy),
            created_at: n.createdAt,
            updated_at: n.updatedAt,
            sent_at: n.sentAt,
            final_at: n.finalAt,
        });
        if (event) await writeTrace(trx, tenantId, n.id, [event], []);
      });
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('notifications').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r ? toRecord(r) : undefined;
    },
    async locate(id) {
      const r = await db.selectFrom('notifications').select(['tenant_id', 'channel']).where('id', '=', id).executeTakeFirst();
      return r ? { tenantId: r.tenant_id, channel: r.channel as NotificationRecord['channel'] } : undefined;
    },
    async claim(tenantId, id, now, leaseUntil) {
      const r = await db
        .updateTable('notifications')
        .set({ status: 'sending', lease_until: leaseUntil, attempts: sql`attempts + 1`, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where(due(now))
        .returningAll()
        .executeTakeFirst();
      return r ? toRecord(r) : undefined;
    },
    async claimDue(now, leaseUntil, limit) {
      let candidates = db.selectFrom('notifications').select('id').where(due(now)).orderBy('next_attempt_at').limit(limit);
      // PostgreSQL: dispatchers on other nodes skip the rows this one is claiming instead of waiting.
      if (features.skipLocked) candidates = candidates.forUpdate().skipLocked();
      const rows = await db
        .updateTable('notifications')
        .set({ status: 'sending', lease_until: leaseUntil, attempts: sql`attempts + 1`, updated_at: now })
        .where('id', 'in', candidates)
        .where(due(now))
        .returningAll()
        .execute();
      return rows.map((r) => ({ ...toRecord(r), tenantId: r.tenant_id }));
    },
    async finishAttempt(tenantId, id, attemptNo, o, attempt, events, logs) {
      return groupTransaction(db, async (trx) => {
        const set: Partial<Record<keyof NotificationsTable, unknown>> = {
          status: o.status,
          provider: o.provider,
          ...(o.providerMessageId !== undefined ? { provider_message_id: o.providerMessageId } : {}),
          ...(o.nextAttemptAt !== undefined ? { next_attempt_at: o.nextAttemptAt } : {}),
          ...(o.errorCode !== undefined ? { error_code: o.errorCode } : {}),
          ...(o.lastError !== undefined ? { last_error: o.lastError } : {}),
          ...(o.sentAt !== undefined ? { sent_at: o.sentAt } : {}),
          ...(o.finalAt !== undefined ? { final_at: o.finalAt } : {}),
          ...(o.wipeCode ? { code_sealed: null } : {}),
          lease_until: null,
          updated_at: o.updatedAt,
        };
        // Every attempt ends here: the SQL is built once per set of columns an outcome changes.
        const columns = Object.keys(set) as Array<keyof NotificationsTable>;
        const res = await preparedQuery(trx, `notification.finish:${columns.join(',')}`, { ...set, tenantId, id, attemptNo }, (q, p) =>
          q
            .updateTable('notifications')
            .set(Object.fromEntries(columns.map((c) => [c, p[c]])))
            .where('tenant_id', '=', p.tenantId)
            .where('id', '=', p.id)
            .where('status', '=', 'sending')
            .where('attempts', '=', p.attemptNo),
        );
        if (Number(res.numAffectedRows) !== 1) {
          // The provider's receipt for this very attempt can arrive before its API answer: the receipt has
          // settled the status (and left the lease, which only an attempt clears). Keep that status,
          // record the rest of the attempt.
          const settled = await trx
            .updateTable('notifications')
            .set({
              provider: o.provider,
              ...(o.providerMessageId !== undefined ? { provider_message_id: o.providerMessageId } : {}),
              ...(o.sentAt !== undefined ? { sent_at: o.sentAt } : {}),
              lease_until: null,
              updated_at: o.updatedAt,
            })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', id)
            .where('status', 'in', ['delivered', 'undelivered', 'failed'])
            .where('attempts', '=', attemptNo)
            .where('lease_until', 'is not', null)
            .executeTakeFirst();
          if (Number(settled.numUpdatedRows) !== 1) return false;
        }
        await fastInsert(trx, 'notification_attempts', {
            id: attempt.id,
            notification_id: id,
            tenant_id: tenantId,
            number: attempt.number,
            provider: attempt.provider,
            started_at: attempt.startedAt,
            duration_ms: attempt.durationMs,
            outcome: attempt.outcome,
            error_code: attempt.errorCode,
            reason: attempt.reason,
            detail: text(attempt.detail),
        });
        await writeTrace(trx, tenantId, id, events, logs);
        return true;
      });
    },
    async applyReceipt(tenantId, id, status, change, match, event, logs) {
      return inTx(async (trx) => {
        let update = trx
          .updateTable('notifications')
          .set({ status, error_code: change.errorCode, last_error: change.lastError, final_at: change.at, updated_at: change.at, code_sealed: null })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .where('status', 'in', ['sending', 'sent']);
        if (match.attempt !== undefined) update = update.where('attempts', '=', match.attempt);
        const sid = match.providerMessageId;
        if (sid !== null) update = update.where((eb) => eb.or([eb('provider_message_id', 'is', null), eb('provider_message_id', '=', sid)]));
        const res = await update.executeTakeFirst();
        const applied = Number(res.numUpdatedRows) === 1;
        await writeTrace(trx, tenantId, id, [applied ? event : { ...event, kind: 'receipt_ignored' }], applied ? logs : []);
        return applied;
      });
    },
    async addEvent(tenantId, id, event) {
      await writeTrace(db, tenantId, id, [event], []);
    },
    async attempts(tenantId, id) {
      const rows = await db
        .selectFrom('notification_attempts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('notification_id', '=', id)
        .orderBy('number')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        number: Number(r.number),
        provider: r.provider,
        startedAt: r.started_at,
        durationMs: Number(r.duration_ms),
        outcome: r.outcome as AttemptRecord['outcome'],
        errorCode: r.error_code,
        reason: r.reason,
        detail: json(r.detail),
      }));
    },
    async events(tenantId, id) {
      const rows = await db
        .selectFrom('notification_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('notification_id', '=', id)
        .orderBy('at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, at: r.at, kind: r.kind, detail: json(r.detail) }));
    },
    async failAbandoned(now, trace) {
      const at = now.toISOString();
      const abandoned = (eb: ExpressionBuilder<Database, 'notifications'>) =>
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', at), eb('attempts', '>=', eb.ref('max_attempts'))]);
      // A read first: every pass of every dispatcher asks, and almost always there is none (no write lock taken then).
      const ids = (await db.selectFrom('notifications').select('id').where(abandoned).limit(100).execute()).map((r) => r.id);
      if (ids.length === 0) return 0;
      return inTx(async (trx) => {
        const rows = await trx
          .updateTable('notifications')
          .set({ status: 'failed', error_code: 'attempts_exhausted', last_error: ABANDONED_REASON, final_at: at, updated_at: at, lease_until: null, code_sealed: null })
          .where('id', 'in', ids)
          .where(abandoned)
          .returningAll()
          .execute();
        for (const r of rows) {
          const { event, log } = trace(toRecord(r), now);
          await writeTrace(trx, r.tenant_id, r.id, [event], [log]);
        }
        return rows.length;
      });
    },
    async queueDepth() {
      const r = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['queued', 'sending'])
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
