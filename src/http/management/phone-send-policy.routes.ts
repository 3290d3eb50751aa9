import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { COUNTRY_MODES, DELIVERY_METHODS, MAX_COUNTRIES, NUMBER_TYPE_MODES, NUMBER_TYPES } from '../../domain/abuse/phone-send-policy.js';
import type { PhoneSendPolicyService } from '../../domain/abuse/phone-send-policy-service.js';
import { SEND_FLOWS } from '../../domain/notifications/send-policy.js';
import { responses, Strict, Timestamp } from '../schemas/common.js';

/**
 * `/api/v2/attack-protection/phone-send-policy` (our extension, scopes `read:phone_send_policy` /
 * `update:phone_send_policy`): the tenant's phone send policy — countries, number types and, per flow,
 * delivery methods. Beside Auth0's own attack-protection resources, with their GET/PATCH shape. The
 * PATCH is a JSON merge patch (`null` puts a part back to its default). See docs/abuse.md.
 */
export interface PhoneSendPolicyRouteDeps {
  phoneSendPolicy: Pick<PhoneSendPolicyService, 'get' | 'update'>;
}

const tags = ['phone-send-policy'];
const PATH = '/attack-protection/phone-send-policy';

const oneOf = (values: readonly string[]) => Type.Unsafe<string>({ type: 'string', enum: [...values] });
const nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);

// Country codes are checked against libphonenumber's regions by the domain (400 naming the unknown ones).
const Country = Type.String({ pattern: '^([A-Z]{2}|001)$', maxLength: 3 });
const CountryList = Type.Array(Country, { maxItems: MAX_COUNTRIES, uniqueItems: true });
const TypeList = Type.Array(oneOf(NUMBER_TYPES), { maxItems: NUMBER_TYPES.length, uniqueItems: true });
const Methods = Type.Array(oneOf(DELIVERY_METHODS), { maxItems: DELIVERY_METHODS.length, uniqueItems: true });

const CountriesPatch = Type.Object({ mode: Type.Optional(oneOf(COUNTRY_MODES)), list: Type.Optional(CountryList) }, Strict);
const NumberTypesPatch = Type.Object({ mode: Type.Optional(oneOf(NUMBER_TYPE_MODES)), blocked: Type.Optional(TypeList) }, Strict);
const FlowPatch = Type.Object(
  {
    countries: Type.Optional(nullable(CountriesPatch)),
    number_types: Type.Optional(nullable(NumberTypesPatch)),
    delivery_methods: Type.Optional(nullable(Methods)),
  },
  Strict,
);
const PolicyPatch = Type.Object(
  {
    countries: Type.Optional(nullable(CountriesPatch)),
    number_types: Type.Optional(nullable(NumberTypesPatch)),
    flows: Type.Optional(Type.Object(Object.fromEntries(SEND_FLOWS.map((f) => [f, Type.Optional(nullable(FlowPatch))])), Strict)),
  },
  Strict,
);

const Countries = Type.Object({ mode: Type.String(), list: Type.Array(Type.String()) });
const NumberTypes = Type.Object({ mode: Type.String(), blocked: Type.Array(Type.String()) });
const Flow = Type.Object({
  countries: Type.Optional(Countries),
  number_types: Type.Optional(NumberTypes),
  delivery_methods: Type.Optional(Type.Array(Type.String())),
});
const PolicyOut = Type.Object({
  countries: Countries,
  number_types: NumberTypes,
  flows: Type.Object(Object.fromEntries(SEND_FLOWS.map((f) => [f, Type.Optional(Flow)]))),
  updated_at: nullable(Timestamp),
});

export function phoneSendPolicyRoutes(deps: PhoneSendPolicyRouteDeps): FastifyPluginAsyncTypebox {
  const policies = deps.phoneSendPolicy;
  return async (app) => {
    app.get(PATH, { config: { scope: 'read:phone_send_policy' }, schema: { tags, response: responses({ 200: PolicyOut }) } }, async (req) => policies.get(req.tenant.id));

    app.patch(
      PATH,
      { config: { scope: 'update:phone_send_policy' }, schema: { tags, body: PolicyPatch, response: responses({ 200: PolicyOut }) } },
      async (req) => policies.update(req.tenant.id, req.body),
    );
  };
}
