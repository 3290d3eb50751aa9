import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { TestNumberService } from '../../domain/notifications/test-numbers.js';
import type { TestSendInput, TestSends } from '../../domain/notifications/test-sends.js';
import { IdParam, responses, Strict } from '../schemas/common.js';

const TryBody = Type.Object(
  {
    to: Type.String({ minLength: 1, maxLength: 16 }),
    delivery_method: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('voice')])),
  },
  Strict,
);
const Accepted = Type.Object({ code: Type.Integer(), message: Type.String(), notification_id: Type.String() });
const ACCEPTED_MESSAGE = 'Test notification successfully sent for processing';

const TestNumber = Type.Object(
  { number: Type.String({ minLength: 1, maxLength: 16 }), code: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]{4,10}$' }), Type.Null()])) },
  Strict,
);
const TestNumbers = Type.Object({ numbers: Type.Array(TestNumber, { maxItems: 100 }) }, Strict);

function input(req: FastifyRequest, body: { to: string; delivery_method?: 'text' | 'voice' | undefined }): TestSendInput {
  return {
    to: body.to,
    deliveryMethod: body.delivery_method,
    request: { ip: req.ip, method: req.method, hostname: req.hostName, ...(req.headers['user-agent'] ? { user_agent: req.headers['user-agent'] } : {}) },
  };
}

/**
 * Test sends through the real pipeline (`/try`, reference §2.2 P6 and §3.2 T7) and the tenant's
 * test phone numbers (our extension): numbers whose notifications are rendered and recorded but
 * never reach a provider, optionally with a fixed one-time code.
 */
export interface PhoneDeliveryRouteDeps {
  testSends: TestSends;
  testNumbers: TestNumberService;
}

export function phoneDeliveryRoutes(deps: PhoneDeliveryRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const sends = deps.testSends;

    app.post(
      '/branding/phone/providers/:id/try',
      { config: { scope: 'create:phone_providers' }, schema: { tags: ['phone-providers'], params: IdParam('pro'), body: TryBody, response: responses({ 202: Accepted }) } },
      async (req, reply) => {
        const n = await sends.provider(req.tenant, req.params.id, input(req, req.body));
        return reply.code(202).send({ code: 202, message: ACCEPTED_MESSAGE, notification_id: n.id });
      },
    );

    app.post(
      '/branding/phone/templates/:id/try',
      { config: { scope: 'create:phone_templates' }, schema: { tags: ['phone-templates'], params: IdParam('tem'), body: TryBody, response: responses({ 202: Accepted }) } },
      async (req, reply) => {
        const n = await sends.template(req.tenant, req.params.id, input(req, req.body));
        return reply.code(202).send({ code: 202, message: ACCEPTED_MESSAGE, notification_id: n.id });
      },
    );

    app.get(
      '/branding/phone/test-numbers',
      { config: { scope: 'read:phone_providers' }, schema: { tags: ['phone-providers'], response: responses({ 200: TestNumbers }) } },
      async (req) => ({ numbers: (await deps.testNumbers.list(req.tenant)).map((n) => ({ number: n.number, code: n.code })) }),
    );

    app.put(
      '/branding/phone/test-numbers',
      { config: { scope: 'update:phone_providers' }, schema: { tags: ['phone-providers'], body: TestNumbers, response: responses({ 200: TestNumbers }) } },
      async (req) => ({ numbers: await deps.testNumbers.replaceAll(req.tenant, req.body.numbers) }),
    );
  };
}
