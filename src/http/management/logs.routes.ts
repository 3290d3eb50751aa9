import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ActivityService } from '../../domain/notifications/activity.js';
import { parseLogQuery } from '../../domain/notifications/log-query.js';
import { DEFAULT_PER_PAGE, IdParam, PageQuery, responses, Strict } from '../schemas/common.js';
import { FieldParams, project } from '../schemas/list.js';

const Log = Type.Object({
  log_id: Type.String(),
  date: Type.String(),
  type: Type.String(),
  description: Type.String(),
  client_id: Type.Union([Type.String(), Type.Null()]),
  client_name: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 2000 })),
    ...PageQuery,
    include_totals: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Union([Type.Literal('date:1'), Type.Literal('date:-1')])),
    from: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z]{1,64}$' })),
    take: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    ...FieldParams,
  },
  Strict,
);

const Notification = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  type: Type.String(),
  delivery_method: Type.String(),
  recipient: Type.String(),
  source: Type.String(),
  channel: Type.String(),
  status: Type.String(),
  provider: Type.Union([Type.String(), Type.Null()]),
  provider_message_id: Type.Union([Type.String(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  attempt_count: Type.Integer(),
  max_attempts: Type.Integer(),
  next_attempt_at: Type.Union([Type.String(), Type.Null()]),
  error_code: Type.Union([Type.String(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
  sent_at: Type.Union([Type.String(), Type.Null()]),
  final_at: Type.Union([Type.String(), Type.Null()]),
  /** The send policy's decisions, in guard order (null on notifications older than the policy). */
  policy: Type.Union([
    Type.Array(
      Type.Object({
        guard: Type.String(),
        verdict: Type.String(),
        reason: Type.Optional(Type.String()),
        delay_ms: Type.Optional(Type.Integer()),
      }),
    ),
    Type.Null(),
  ]),
  attempts: Type.Array(
    Type.Object({
      number: Type.Integer(),
      provider: Type.String(),
      started_at: Type.String(),
      duration_ms: Type.Integer(),
      outcome: Type.String(),
      error_code: Type.Union([Type.String(), Type.Null()]),
      reason: Type.Union([Type.String(), Type.Null()]),
      detail: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  events: Type.Array(Type.Object({ at: Type.String(), kind: Type.String(), detail: Type.Record(Type.String(), Type.Unknown()) })),
});

/** `/api/v2/logs` (Auth0's log events) and `/api/v2/phone/notifications/{id}` (our extension: one notification's timeline). */
export interface LogRouteDeps {
  activity: ActivityService;
}

export function logRoutes(deps: LogRouteDeps): FastifyPluginAsyncTypebox {
  const activity = deps.activity;
  return async (app) => {
    app.get(
      '/logs',
      {
        config: { scope: 'read:logs' },
        schema: {
          tags: ['logs'],
          querystring: ListQuery,
          response: responses({
            // Items are partial: `fields` may leave any property out.
            200: Type.Union([
              Type.Array(Type.Partial(Log)),
              Type.Object({ start: Type.Integer(), limit: Type.Integer(), length: Type.Integer(), total: Type.Integer(), logs: Type.Array(Type.Partial(Log)) }),
            ]),
          }),
        },
      },
      async (req) => {
        const q = req.query;
        const filter = parseLogQuery(q.q);
        if (q.from !== undefined) {
          // Checkpoint pagination: entries after `from`, oldest first, `take` at a time.
          const { items } = await activity.listLogs(req.tenant, { ...filter, afterLogId: q.from }, { offset: 0, limit: q.take ?? DEFAULT_PER_PAGE, ascending: true });
          return items.map((l) => project(l, q));
        }
        const perPage = q.per_page ?? q.take ?? DEFAULT_PER_PAGE;
        const page = q.page ?? 0;
        const { items, total } = await activity.listLogs(req.tenant, filter, { offset: page * perPage, limit: perPage, ascending: q.sort === 'date:1' });
        const logs = items.map((l) => project(l, q));
        return q.include_totals ? { start: page * perPage, limit: perPage, length: logs.length, total, logs } : logs;
      },
    );

    app.get(
      '/logs/:id',
      {
        config: { scope: 'read:logs' },
        schema: { tags: ['logs'], params: Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z]{1,64}$' }) }, Strict), response: responses({ 200: Log }) },
      },
      async (req) => {
        return activity.getLog(req.tenant, req.params.id);
      },
    );

    app.get(
      '/phone/notifications/:id',
      { config: { scope: 'read:logs' }, schema: { tags: ['logs'], params: IdParam('ntf'), response: responses({ 200: Notification }) } },
      async (req) => {
        const { notification: n, attempts, events } = await activity.timeline(req.tenant, req.params.id);
        return {
          id: n.id,
          tenant: req.tenant.name,
          type: n.type,
          delivery_method: n.deliveryMethod,
          recipient: n.recipient,
          source: n.source,
          channel: n.channel,
          status: n.status,
          provider: n.provider,
          provider_message_id: n.providerMessageId,
          locale: n.locale,
          attempt_count: n.attempts,
          max_attempts: n.maxAttempts,
          next_attempt_at: n.status === 'queued' ? n.nextAttemptAt : null,
          error_code: n.errorCode,
          last_error: n.lastError,
          created_at: n.createdAt,
          updated_at: n.updatedAt,
          sent_at: n.sentAt,
          final_at: n.finalAt,
          policy: n.policy,
          attempts: attempts.map((a) => ({
            number: a.number,
            provider: a.provider,
            started_at: a.startedAt,
            duration_ms: a.durationMs,
            outcome: a.outcome,
            error_code: a.errorCode,
            reason: a.reason,
            detail: a.detail,
          })),
          // The timeline: creation, one entry per attempt (from the attempt rows), then receipts.
          events: [
            { at: n.createdAt, kind: 'queued', detail: { source: n.source, channel: n.channel } },
            ...attempts.map((a) => ({
              at: new Date(Date.parse(a.startedAt) + a.durationMs).toISOString(),
              kind: a.outcome === 'retry' ? 'retry_scheduled' : a.outcome === 'failed' ? 'failed' : a.provider === 'test_number' ? 'delivered' : 'sent',
              detail: a.detail,
            })),
            ...events.map((e) => ({ at: e.at, kind: e.kind, detail: e.detail })),
          ].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0)),
        };
      },
    );
  };
}
