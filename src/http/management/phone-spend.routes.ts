import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PhoneSpendService } from '../../domain/abuse/phone-spend-service.js';
import { responses, Strict, Timestamp } from '../schemas/common.js';

/**
 * `/api/v2/attack-protection/phone-spend` (our extension, scopes `read:phone_spend` /
 * `update:phone_spend`): the tenant's daily and monthly spend caps, its price overrides, and what it
 * spent this UTC day and month. PATCH is a JSON merge patch. See docs/abuse.md ("Spend caps").
 */
export interface PhoneSpendRouteDeps {
  phoneSpend: Pick<PhoneSpendService, 'get' | 'update'>;
}

const tags = ['phone-spend'];
const PATH = '/attack-protection/phone-spend';

const Amount = (maximum: number) => Type.Number({ minimum: 0, maximum });
const PricePatch = Type.Union([Type.Object({ text: Type.Optional(Type.Union([Amount(1000), Type.Null()])), voice: Type.Optional(Type.Union([Amount(1000), Type.Null()])) }, Strict), Type.Null()]);
const PricesPatch = Type.Record(Type.String({ pattern: '^([A-Z]{2}|001|default)$' }), PricePatch, { maxProperties: 300 });
const Patch = Type.Object(
  {
    daily_cap: Type.Optional(Type.Union([Amount(1_000_000_000), Type.Null()])),
    monthly_cap: Type.Optional(Type.Union([Amount(1_000_000_000), Type.Null()])),
    prices: Type.Optional(Type.Union([PricesPatch, Type.Null()])),
  },
  Strict,
);
const Price = Type.Object({ text: Type.Optional(Type.Number()), voice: Type.Optional(Type.Number()) });
const Spent = Type.Object({ period: Type.String(), amount: Type.Number() });
const Out = Type.Object({
  currency: Type.String(),
  daily_cap: Type.Union([Type.Number(), Type.Null()]),
  monthly_cap: Type.Union([Type.Number(), Type.Null()]),
  prices: Type.Record(Type.String(), Price),
  default_prices: Type.Record(Type.String(), Price),
  spent: Type.Object({ day: Spent, month: Spent }),
  updated_at: Type.Union([Timestamp, Type.Null()]),
});

export function phoneSpendRoutes(deps: PhoneSpendRouteDeps): FastifyPluginAsyncTypebox {
  const spend = deps.phoneSpend;
  return async (app) => {
    app.get(PATH, { config: { scope: 'read:phone_spend' }, schema: { tags, response: responses({ 200: Out }) } }, async (req) => spend.get(req.tenant.id));
    app.patch(PATH, { config: { scope: 'update:phone_spend' }, schema: { tags, body: Patch, response: responses({ 200: Out }) } }, async (req) => spend.update(req.tenant.id, req.body));
  };
}
