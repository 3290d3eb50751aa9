import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { LogRouteDeps } from './logs.routes.js';
import { responses, Strict } from '../schemas/common.js';

const Count = Type.Integer({ minimum: 0 });
const Stats = Type.Object({
  from: Type.String(),
  to: Type.String(),
  hours: Type.Array(Type.Object({ hour: Type.String(), delivery_method: Type.String(), sends: Count, delivered: Count, failures: Count })),
  totals: Type.Object({ sends: Count, queued: Count, sending: Count, sent: Count, delivered: Count, undelivered: Count, failed: Count }),
  delivery_rate: Type.Union([Type.Number(), Type.Null()]),
  top_errors: Type.Array(Type.Object({ error_code: Type.String(), count: Count, last_error: Type.Union([Type.String(), Type.Null()]) })),
});
const StatsQuery = Type.Object({ from: Type.Optional(Type.String({ maxLength: 30 })), to: Type.Optional(Type.String({ maxLength: 30 })) }, Strict);

/**
 * `GET /api/v2/phone/stats` (our extension): the aggregates behind the dashboard's activity chart,
 * computed by the database, so no client downloads every notification to count them.
 */
export function phoneStatsRoutes(deps: LogRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/phone/stats',
      { config: { scope: 'read:logs' }, schema: { tags: ['logs'], querystring: StatsQuery, response: responses({ 200: Stats }) } },
      async (req) => {
        const s = await deps.activity.stats(req.tenant, { from: req.query.from, to: req.query.to });
        return {
          from: s.from,
          to: s.to,
          hours: s.hours.map((h) => ({ hour: h.hour, delivery_method: h.deliveryMethod, sends: h.sends, delivered: h.delivered, failures: h.failures })),
          totals: s.totals,
          delivery_rate: s.deliveryRate,
          top_errors: s.topErrors.map((e) => ({ error_code: e.errorCode, count: e.count, last_error: e.lastError })),
        };
      },
    );
  };
}
