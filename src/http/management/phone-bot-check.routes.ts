import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PhoneBotCheckService } from '../../domain/abuse/phone-bot-check-service.js';
import { BOT_CHECK_FLOWS, BOT_CHECK_MODES, CAPTCHA_PROVIDERS, VERIFIER_FAILURES } from '../../domain/abuse/phone-bot-check.js';
import { responses, Strict, Timestamp } from '../schemas/common.js';

/**
 * `/api/v2/attack-protection/phone-bot-check` (our extension, scopes `read:phone_bot_check` /
 * `update:phone_bot_check`): whether `/passwordless/start` and phone signups need a CAPTCHA token,
 * which vendor verifies it and where. PATCH is a JSON merge patch; `secret` is write-only (GET shows
 * `secret_set`). See docs/abuse.md ("Bot check").
 */
export interface PhoneBotCheckRouteDeps {
  phoneBotCheck: Pick<PhoneBotCheckService, 'get' | 'update'>;
}

const tags = ['phone-bot-check'];
const PATH = '/attack-protection/phone-bot-check';
const lit = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

const Patch = Type.Object(
  {
    mode: Type.Optional(Type.Union([lit(BOT_CHECK_MODES), Type.Null()])),
    provider: Type.Optional(Type.Union([lit(CAPTCHA_PROVIDERS), Type.Null()])),
    siteverify_url: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()])),
    secret: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()])),
    flows: Type.Optional(Type.Union([Type.Array(lit(BOT_CHECK_FLOWS), { maxItems: 10 }), Type.Null()])),
    on_verifier_error: Type.Optional(Type.Union([lit(VERIFIER_FAILURES), Type.Null()])),
    hostnames: Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 20 }), Type.Null()])),
    min_score: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
    actions: Type.Optional(
      Type.Union([
        Type.Object(Object.fromEntries(BOT_CHECK_FLOWS.map((f) => [f, Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]))])), Strict),
        Type.Null(),
      ]),
    ),
  },
  Strict,
);
const Out = Type.Object({
  mode: Type.String(),
  provider: Type.String(),
  siteverify_url: Type.String(),
  flows: Type.Array(Type.String()),
  on_verifier_error: Type.String(),
  hostnames: Type.Array(Type.String()),
  min_score: Type.Union([Type.Number(), Type.Null()]),
  actions: Type.Record(Type.String(), Type.String()),
  secret_set: Type.Boolean(),
  updated_at: Type.Union([Timestamp, Type.Null()]),
});

export function phoneBotCheckRoutes(deps: PhoneBotCheckRouteDeps): FastifyPluginAsyncTypebox {
  const s = deps.phoneBotCheck;
  return async (app) => {
    app.get(PATH, { config: { scope: 'read:phone_bot_check' }, schema: { tags, response: responses({ 200: Out }) } }, async (req) => s.get(req.tenant.id));
    app.patch(PATH, { config: { scope: 'update:phone_bot_check' }, schema: { tags, body: Patch, response: responses({ 200: Out }) } }, async (req) => s.update(req.tenant.id, req.body));
  };
}
