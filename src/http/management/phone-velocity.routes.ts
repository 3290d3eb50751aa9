import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BACKOFF_TYPES, BREACH_MEMORY_SECONDS, MAX_LIMIT, MAX_WINDOW_SECONDS, VELOCITY_KEYS, VELOCITY_MODES } from '../../domain/abuse/velocity-policy.js';
import type { VelocityPolicyService } from '../../domain/abuse/velocity-policy-service.js';
import { responses, Strict, Timestamp } from '../schemas/common.js';

/**
 * The velocity limits of phone sends (docs/abuse.md, "Velocity limits"):
 * - `/api/v2/attack-protection/phone-provider-protection`: Auth0's resource, `{type: "exponential" | "none"}`,
 *   scopes `read:attack_protection` / `update:attack_protection` as Auth0's; it is the policy's `backoff.type`.
 * - `/api/v2/attack-protection/phone-velocity-limits` (our extension, scopes `read:phone_velocity_limits` /
 *   `update:phone_velocity_limits`): the whole policy; the PATCH is a JSON merge patch (`null` puts a part
 *   back to its default).
 */
export interface PhoneVelocityRouteDeps {
  velocityPolicy: Pick<VelocityPolicyService, 'get' | 'update' | 'providerProtection' | 'setProviderProtection'>;
}

const oneOf = (values: readonly string[]) => Type.Unsafe<string>({ type: 'string', enum: [...values] });

const Protection = Type.Object({ type: oneOf(BACKOFF_TYPES) }, Strict);

const RulePatch = Type.Union([
  Type.Object(
    {
      mode: Type.Optional(oneOf(VELOCITY_MODES)),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT })),
      window_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_WINDOW_SECONDS })),
    },
    Strict,
  ),
  Type.Null(),
]);
const PolicyPatch = Type.Object(
  {
    backoff: Type.Optional(
      Type.Union([
        Type.Object({ type: Type.Optional(oneOf(BACKOFF_TYPES)), max_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: BREACH_MEMORY_SECONDS })) }, Strict),
        Type.Null(),
      ]),
    ),
    rules: Type.Optional(Type.Union([Type.Object(Object.fromEntries(VELOCITY_KEYS.map((k) => [k, Type.Optional(RulePatch)])), Strict), Type.Null()])),
  },
  Strict,
);

const Rule = Type.Object({ mode: Type.String(), limit: Type.Integer(), window_seconds: Type.Integer() });
const PolicyOut = Type.Object({
  backoff: Type.Object({ type: Type.String(), max_seconds: Type.Integer() }),
  rules: Type.Object(Object.fromEntries(VELOCITY_KEYS.map((k) => [k, Rule]))),
  updated_at: Type.Union([Timestamp, Type.Null()]),
});

export function phoneVelocityRoutes(deps: PhoneVelocityRouteDeps): FastifyPluginAsyncTypebox {
  const v = deps.velocityPolicy;
  return async (app) => {
    const PROTECTION = '/attack-protection/phone-provider-protection';
    app.get(PROTECTION, { config: { scope: 'read:attack_protection' }, schema: { tags: ['attack-protection'], response: responses({ 200: Protection }) } }, async (req) =>
      v.providerProtection(req.tenant.id),
    );
    app.patch(
      PROTECTION,
      { config: { scope: 'update:attack_protection' }, schema: { tags: ['attack-protection'], body: Protection, response: responses({ 200: Protection }) } },
      async (req) => v.setProviderProtection(req.tenant.id, req.body.type as 'exponential' | 'none'),
    );

    const LIMITS = '/attack-protection/phone-velocity-limits';
    const tags = ['phone-velocity-limits'];
    app.get(LIMITS, { config: { scope: 'read:phone_velocity_limits' }, schema: { tags, response: responses({ 200: PolicyOut }) } }, async (req) => v.get(req.tenant.id));
    app.patch(
      LIMITS,
      { config: { scope: 'update:phone_velocity_limits' }, schema: { tags, body: PolicyPatch, response: responses({ 200: PolicyOut }) } },
      async (req) => v.update(req.tenant.id, req.body),
    );
  };
}
