import { AppError, type ErrorCode } from '../../errors.js';
import { type AuthDeps, type FlowContext, notificationContext } from './common.js';
import { type DbConnectionTarget, PHONE_CODE, assertCodeOk, phoneConnection } from './phone-signup.js';
import { WRONG_CODE } from './passwordless.js';

/** The one answer of change_password, whether or not the number belongs to anyone. */
export const CHANGE_PASSWORD_MESSAGE = "We've just sent you a message to reset your password.";

const REFUSED_SENDS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'too_many_attempts',
  'too_many_requests',
  'phone_destination_not_allowed',
  'delivery_method_not_allowed',
  'phone_destination_quarantined',
  'phone_spend_cap_reached',
]);

/**
 * `POST /dbconnections/change_password` with a phone number: sends a `change_password` code when
 * the number belongs to a user of the connection. The answer is the same either way (and a send
 * refused by the send policy is not reported), so the endpoint does not reveal who has an account.
 */
export async function requestPhoneReset(deps: AuthDeps, ctx: FlowContext, input: DbConnectionTarget & { email?: string | undefined }): Promise<string> {
  if (!input.phoneNumber && input.email) {
    throw new AppError('invalid_request', 'Password reset by email is not available on this server; send phone_number');
  }
  const { client, conn, phone } = await phoneConnection(deps, ctx, input);
  const user = await deps.directory().findForLogin(ctx.tenant.id, conn.name, phone);
  if (user && !user.blocked && user.phoneNumber) {
    try {
      await deps.otp.send(ctx.tenant, {
        purpose: 'password_reset',
        subject: user.userId,
        clientId: client.clientId,
        channel: 'sms',
        recipient: user.phoneNumber,
        ...PHONE_CODE,
        type: 'change_password',
        source: 'password_reset',
        context: notificationContext(ctx, client, user, conn),
      });
    } catch (e) {
      // A send refused by the send policy (rate limit, destination) is logged there and not reported
      // here: a refusal answered only for existing users would tell who has an account.
      if (!(e instanceof AppError && REFUSED_SENDS.has(e.code))) throw e;
    }
  }
  return CHANGE_PASSWORD_MESSAGE;
}

/**
 * `POST /dbconnections/reset_password` (our extension): the `change_password` code and a new
 * password. UserDirectory.setPassword applies the password rules and unblocks the user; the phone
 * counts as verified, since the code reached it.
 */
export async function resetPasswordWithCode(
  deps: AuthDeps,
  ctx: FlowContext,
  input: DbConnectionTarget & { code: string | undefined; newPassword: string | undefined },
): Promise<{ message: string }> {
  const { conn, phone } = await phoneConnection(deps, ctx, input);
  if (!input.code) throw new AppError('invalid_request', 'Missing required parameter: code');
  if (!input.newPassword) throw new AppError('invalid_request', 'Missing required parameter: new_password');
  const dir = deps.directory();
  // A password the connection refuses must not cost the user the code: checked before the code is
  // spent, and before the user is looked up, so the answer does not tell whether the number has an account.
  await dir.checkNewPassword(ctx.tenant.id, conn.name, input.newPassword);
  const user = await dir.findForLogin(ctx.tenant.id, conn.name, phone);
  const otp = user ? await deps.otp.latest(ctx.tenant.id, 'password_reset', user.userId) : undefined;
  if (!user || !otp || otp.clientId !== input.clientId) throw new AppError('invalid_grant', WRONG_CODE);
  assertCodeOk(await deps.otp.verify(ctx.tenant.id, otp, input.code));
  await dir.setPassword(ctx.tenant, user.userId, input.newPassword);
  // Whoever knew the old password may hold a refresh token: a reset ends those sessions.
  await deps.tokens.revokeRefreshTokens(ctx.tenant.id, user.userId);
  if (!user.phoneVerified) await dir.markPhoneVerified(ctx.tenant.id, user.userId);
  return { message: 'Your password has been changed.' };
}
