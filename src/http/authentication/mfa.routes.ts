import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticateClient, type AuthDeps } from '../../domain/auth/flows/common.js';
import { deleteAuthenticator, listAuthenticators } from '../../domain/auth/flows/mfa-authenticators.js';
import { challenge } from '../../domain/auth/flows/mfa-challenge.js';
import { associate } from '../../domain/auth/flows/mfa-enroll.js';
import { bearer, flowContext, presentedClient } from './flow-context.js';

const Str = (max = 2048) => Type.String({ maxLength: max });

const AssociateBody = Type.Object(
  {
    client_id: Type.Optional(Str(128)),
    client_secret: Type.Optional(Str(512)),
    authenticator_types: Type.Array(Str(32), { maxItems: 4 }),
    oob_channels: Type.Optional(Type.Array(Str(32), { maxItems: 4 })),
    phone_number: Type.Optional(Str(32)),
  },
  { additionalProperties: Type.Unknown() },
);

const ChallengeBody = Type.Object(
  {
    mfa_token: Str(),
    client_id: Str(128),
    client_secret: Type.Optional(Str(512)),
    challenge_type: Type.Optional(Str(64)),
    authenticator_id: Type.Optional(Str(128)),
    oob_channel: Type.Optional(Str(32)),
  },
  { additionalProperties: Type.Unknown() },
);

/** `/mfa/*`: associate, challenge, list and delete authenticators (Bearer mfa_token; reference §6.2–6.4). */
export function mfaRoutes(c: { auth: AuthDeps }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/mfa/associate', { schema: { tags: ['authentication'], body: AssociateBody } }, async (req) => {
      const token = bearer(req);
      const b = req.body;
      // The application authenticates as on /mfa/challenge (a confidential one with its secret); the
      // flow then checks that the mfa_token was issued to it.
      await authenticateClient(c.auth, req.tenant.id, presentedClient(req, b));
      return associate(c.auth, flowContext(req), {
        mfaToken: token,
        clientId: b.client_id,
        authenticatorTypes: b.authenticator_types,
        oobChannels: b.oob_channels,
        phoneNumber: b.phone_number,
      });
    });

    app.post('/mfa/challenge', { schema: { tags: ['authentication'], body: ChallengeBody } }, async (req) => {
      const b = req.body;
      const client = await authenticateClient(c.auth, req.tenant.id, presentedClient(req, b));
      return challenge(c.auth, flowContext(req), client, {
        mfaToken: b.mfa_token,
        challengeType: b.challenge_type,
        authenticatorId: b.authenticator_id,
        oobChannel: b.oob_channel,
      });
    });

    app.get('/mfa/authenticators', { schema: { tags: ['authentication'] } }, async (req) => listAuthenticators(c.auth, flowContext(req), bearer(req)));

    app.delete(
      '/mfa/authenticators/:id',
      { schema: { tags: ['authentication'], params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }) } },
      async (req, reply) => {
        await deleteAuthenticator(c.auth, flowContext(req), bearer(req), req.params.id);
        return reply.code(204).send();
      },
    );
  };
}
