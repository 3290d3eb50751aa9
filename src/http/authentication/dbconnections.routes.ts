import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuthDeps } from '../../domain/auth/flows/common.js';
import { requestPhoneReset, resetPasswordWithCode } from '../../domain/auth/flows/phone-reset.js';
import { phoneSignup, verifyPhone } from '../../domain/auth/flows/phone-signup.js';
import { flowContext } from './flow-context.js';

const S = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const Target = { client_id: S(128), connection: S(128), phone_number: S(32) };
/** Unknown properties (user_metadata, given_name, ...) are accepted and ignored, as Auth0's clients send them. */
const open = { additionalProperties: Type.Unknown() };

/** `captcha`: the token of the tenant's CAPTCHA widget, for its bot check (any type here: the check judges it). */
const SignupBody = Type.Object({ ...Target, password: S(512), email: S(320), username: S(128), captcha: Type.Optional(Type.Unknown()) }, open);
const VerifyBody = Type.Object({ ...Target, code: S(32) }, open);
const ChangeBody = Type.Object({ ...Target, email: S(320) }, open);
const ResetBody = Type.Object({ ...Target, code: S(32), new_password: S(512) }, open);

/**
 * Phone as identifier on database connections: signup, phone verification (our extension),
 * password reset request, and the reset with the code (our extension).
 */
export function dbConnectionRoutes(c: { auth: AuthDeps }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const schema = (body: unknown) => ({ tags: ['authentication'], body }) as never;

    app.post('/dbconnections/signup', { schema: schema(SignupBody) }, async (req) => {
      const b = req.body as typeof SignupBody.static;
      return phoneSignup(c.auth, flowContext(req), {
        clientId: b.client_id,
        connection: b.connection,
        phoneNumber: b.phone_number,
        password: b.password,
        email: b.email,
        username: b.username,
        captcha: b.captcha,
      });
    });

    app.post('/dbconnections/verify_phone', { schema: schema(VerifyBody) }, async (req) => {
      const b = req.body as typeof VerifyBody.static;
      return verifyPhone(c.auth, flowContext(req), { clientId: b.client_id, connection: b.connection, phoneNumber: b.phone_number, code: b.code });
    });

    app.post('/dbconnections/change_password', { schema: schema(ChangeBody) }, async (req, reply) => {
      const b = req.body as typeof ChangeBody.static;
      const message = await requestPhoneReset(c.auth, flowContext(req), {
        clientId: b.client_id,
        connection: b.connection,
        phoneNumber: b.phone_number,
        email: b.email,
      });
      // Auth0 answers this endpoint with a plain-text sentence.
      return reply.type('text/plain; charset=utf-8').send(message);
    });

    app.post('/dbconnections/reset_password', { schema: schema(ResetBody) }, async (req) => {
      const b = req.body as typeof ResetBody.static;
      return resetPasswordWithCode(c.auth, flowContext(req), {
        clientId: b.client_id,
        connection: b.connection,
        phoneNumber: b.phone_number,
        code: b.code,
        newPassword: b.new_password,
      });
    });
  };
}
