import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PhoneFraudService } from '../../domain/abuse/phone-fraud-service.js';
import { type FraudThresholds, COOLING_LIMITS, FRAUD_GUARD_MODES, THRESHOLD_LIMITS, THRESHOLD_NAMES } from '../../domain/abuse/phone-fraud-settings.js';
import { PageQuery, paging, responses, Strict, Timestamp } from '../schemas/common.js';

/**
 * `/api/v2/attack-protection/phone-fraud-guard` (our extension, scopes `read:phone_fraud_guard` /
 * `update:phone_fraud_guard`): the fraud guard's settings (GET/PATCH, a JSON merge patch, as Auth0's
 * attack-protection resources), its quarantines (list, read; DELETE ends one, as Auth0's
 * `DELETE /api/v2/anomaly/blocks/ips/{id}` lifts a block — the record stays) and its safe list.
 * See docs/abuse.md ("Fraud guard").
 */
export interface PhoneFraudRouteDeps {
  phoneFraud: Pick<PhoneFraudService, 'getSettings' | 'updateSettings' | 'listQuarantines' | 'getQuarantine' | 'release' | 'listSafe' | 'addSafe' | 'removeSafe'>;
}

const tags = ['phone-fraud-guard'];
const BASE = '/attack-protection/phone-fraud-guard';
const READ = { scope: 'read:phone_fraud_guard' } as const;
const UPDATE = { scope: 'update:phone_fraud_guard' } as const;

const oneOf = (values: readonly string[]) => Type.Unsafe<string>({ type: 'string', enum: [...values] });
const thresholdSchema = (k: keyof typeof THRESHOLD_LIMITS) => {
  const [minimum, maximum, integer] = THRESHOLD_LIMITS[k];
  return integer ? Type.Integer({ minimum, maximum }) : Type.Number({ minimum, maximum });
};
const ThresholdsPatch = Type.Object(Object.fromEntries(THRESHOLD_NAMES.map((k) => [k, Type.Optional(Type.Union([thresholdSchema(k), Type.Null()]))])), Strict);
const SettingsPatch = Type.Object(
  {
    mode: Type.Optional(Type.Union([oneOf(FRAUD_GUARD_MODES), Type.Null()])),
    cooling_period_seconds: Type.Optional(Type.Union([Type.Integer({ minimum: COOLING_LIMITS.min, maximum: COOLING_LIMITS.max }), Type.Null()])),
    thresholds: Type.Optional(Type.Union([ThresholdsPatch, Type.Null()])),
  },
  Strict,
);
const SettingsOut = Type.Object({
  mode: Type.String(),
  cooling_period_seconds: Type.Integer(),
  thresholds: Type.Unsafe<FraudThresholds>(Type.Object(Object.fromEntries(THRESHOLD_NAMES.map((k) => [k, Type.Number()])))),
  updated_at: Type.Union([Timestamp, Type.Null()]),
});

const Quarantine = Type.Object({
  id: Type.String(),
  prefix: Type.String(),
  country: Type.String(),
  mode: Type.String(),
  rule: Type.String(),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  blocked_sends: Type.Integer(),
  created_at: Timestamp,
  until: Timestamp,
  released_at: Type.Union([Timestamp, Type.Null()]),
  active: Type.Boolean(),
});
const QuarantineId = Type.Object({ id: Type.String({ pattern: '^fq_[0-9A-Za-z]{20,40}$' }) }, Strict);
const ListQuery = Type.Object(
  {
    ...PageQuery,
    include_totals: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
    prefix: Type.Optional(Type.String({ maxLength: 16 })),
  },
  Strict,
);

const SafePrefix = Type.Object({ prefix: Type.String(), note: Type.String(), created_at: Timestamp });
const SafeIn = Type.Object({ prefix: Type.String({ minLength: 1, maxLength: 16 }), note: Type.Optional(Type.String({ maxLength: 255 })) }, Strict);
const SafeParam = Type.Object({ prefix: Type.String({ minLength: 1, maxLength: 16 }) }, Strict);

export function phoneFraudGuardRoutes(deps: PhoneFraudRouteDeps): FastifyPluginAsyncTypebox {
  const fraud = deps.phoneFraud;
  return async (app) => {
    app.get(BASE, { config: READ, schema: { tags, response: responses({ 200: SettingsOut }) } }, async (req) => fraud.getSettings(req.tenant.id));
    app.patch(BASE, { config: UPDATE, schema: { tags, body: SettingsPatch, response: responses({ 200: SettingsOut }) } }, async (req) => fraud.updateSettings(req.tenant.id, req.body));

    app.get(
      `${BASE}/quarantines`,
      { config: READ, schema: { tags, querystring: ListQuery, response: responses({ 200: Type.Union([Type.Array(Quarantine), Type.Object({ start: Type.Integer(), limit: Type.Integer(), total: Type.Integer(), quarantines: Type.Array(Quarantine) })]) }) } },
      async (req) => {
        const { page, perPage } = paging(req.query);
        const r = await fraud.listQuarantines(req.tenant.id, {
          page,
          perPage,
          ...(req.query.active !== undefined ? { active: req.query.active } : {}),
          ...(req.query.prefix !== undefined ? { prefix: req.query.prefix } : {}),
        });
        return req.query.include_totals ? { start: page * perPage, limit: perPage, total: r.total, quarantines: r.quarantines } : r.quarantines;
      },
    );
    app.get(`${BASE}/quarantines/:id`, { config: READ, schema: { tags, params: QuarantineId, response: responses({ 200: Quarantine }) } }, async (req) =>
      fraud.getQuarantine(req.tenant.id, req.params.id),
    );
    app.delete(`${BASE}/quarantines/:id`, { config: UPDATE, schema: { tags, params: QuarantineId } }, async (req, reply) => {
      await fraud.release(req.tenant.id, req.params.id);
      return reply.code(204).send();
    });

    app.get(`${BASE}/safe-prefixes`, { config: READ, schema: { tags, response: responses({ 200: Type.Array(SafePrefix) }) } }, async (req) => fraud.listSafe(req.tenant.id));
    app.post(`${BASE}/safe-prefixes`, { config: UPDATE, schema: { tags, body: SafeIn, response: responses({ 201: SafePrefix }) } }, async (req, reply) =>
      reply.code(201).send(await fraud.addSafe(req.tenant.id, req.body)),
    );
    app.delete(`${BASE}/safe-prefixes/:prefix`, { config: UPDATE, schema: { tags, params: SafeParam } }, async (req, reply) => {
      await fraud.removeSafe(req.tenant.id, req.params.prefix);
      return reply.code(204).send();
    });
  };
}
