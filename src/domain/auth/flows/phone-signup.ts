import { AppError, isAppError } from '../../errors.js';
import { isE164 } from '../../phone-number.js';
import type { ClientRecord } from '../../ports.js';
import type { ConnectionRecord, DatabaseConnectionOptions, UserRecord } from '../ports.js';
import type { VerifyOutcome } from '../otp-service.js';
import type { DecisionRecord } from '../../notifications/ports.js';
import { type AuthDeps, type FlowContext, notificationContext } from './common.js';
import { WRONG_CODE } from './passwordless.js';

/** Codes that prove a phone (signup verification, password reset): 6 digits, 5 minutes, 3 attempts. */
export const PHONE_CODE = { ttlSeconds: 300, length: 6, maxAttempts: 3 } as const;

export interface DbConnectionTarget {
  clientId: string | undefined;
  connection: string | undefined;
  phoneNumber: string | undefined;
}

/** The client and the database connection of a /dbconnections request, which must allow phone numbers. */
export async function phoneConnection(deps: AuthDeps, ctx: FlowContext, t: DbConnectionTarget): Promise<{ client: ClientRecord; conn: ConnectionRecord; phone: string }> {
  if (!t.clientId) throw new AppError('invalid_request', 'Missing required parameter: client_id');
  if (!t.connection) throw new AppError('invalid_request', 'Missing required parameter: connection');
  if (!t.phoneNumber) throw new AppError('invalid_request', 'Missing required parameter: phone_number');
  if (!isE164(t.phoneNumber)) throw new AppError('invalid_request', 'phone_number must be in E.164 format, e.g. +14155552671');
  const client = await deps.clients.get(ctx.tenant.id, t.clientId).catch(() => undefined);
  if (!client) throw new AppError('invalid_request', 'Unknown client');
  const conn = await deps.directory().connection(ctx.tenant.id, t.connection);
  if (!conn || conn.strategy !== 'auth0') throw new AppError('invalid_request', 'connection not found');
  if (!conn.enabledClients.includes(client.clientId)) throw new AppError('invalid_request', 'Connection is disabled');
  if (!(conn.options as DatabaseConnectionOptions).identifiers?.includes('phone_number')) {
    throw new AppError('invalid_request', 'The connection does not use phone numbers as identifiers');
  }
  return { client, conn, phone: t.phoneNumber };
}

/** Maps a failed code check to the answer (the same strings as the passwordless grant). */
export function assertCodeOk(outcome: VerifyOutcome): void {
  if (outcome === 'ok') return;
  if (outcome === 'expired') throw new AppError('invalid_grant', 'The verification code has expired. Please try again.');
  if (outcome === 'exhausted') throw new AppError('invalid_grant', "You've reached the maximum number of attempts. Please try again.");
  throw new AppError('invalid_grant', WRONG_CODE);
}

export interface SignupInput extends DbConnectionTarget {
  password: string | undefined;
  email: string | undefined;
  username: string | undefined;
  /** The CAPTCHA token (`captcha`), for the tenant's bot check. */
  captcha?: unknown;
}

/**
 * `POST /dbconnections/signup` with a phone number: creates the user (UserDirectory applies the
 * password policy and the breached-password check) with the phone unverified, and sends an
 * `otp_verify` code that `POST /dbconnections/verify_phone` takes.
 */
export async function phoneSignup(deps: AuthDeps, ctx: FlowContext, input: SignupInput) {
  const { client, conn, phone } = await phoneConnection(deps, ctx, input);
  if (!input.password) throw new AppError('invalid_request', 'Missing required parameter: password');
  if ((conn.options as DatabaseConnectionOptions).disable_signup) throw new AppError('invalid_signup', 'Public signup is disabled');
  // The bot check before the user is written: a refused signup creates nothing and sends nothing.
  const check = await deps.botCheck.check({ tenant: ctx.tenant, flow: 'signup', token: input.captcha, recipient: phone, ip: ctx.ip, clientId: client.clientId, userId: null });
  const newUser = {
    connection: conn.name,
    phoneNumber: phone,
    phoneVerified: false,
    password: input.password,
    email: input.email,
    username: input.username,
  };
  const user = await deps.directory().createUser(ctx.tenant, newUser, ctx.ip);
  try {
    await sendVerification(deps, ctx, client, conn, user, check);
  } catch (e) {
    // The code was refused before anything was sent (the send policy, a limit): the signup did not
    // happen, so the user it wrote goes too, and a retry (another number, later) is a new signup.
    // The refusal itself is logged by the send policy.
    if (isAppError(e)) await deps.directory().deleteUser(ctx.tenant.id, user.userId).catch(() => undefined);
    throw e;
  }
  return {
    _id: user.userId.slice(user.userId.indexOf('|') + 1),
    phone_number: phone,
    phone_verified: false,
    ...(user.email ? { email: user.email, email_verified: user.emailVerified } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
}

async function sendVerification(deps: AuthDeps, ctx: FlowContext, client: ClientRecord, conn: ConnectionRecord, user: UserRecord, check: DecisionRecord | undefined) {
  await deps.otp.send(ctx.tenant, {
    purpose: 'signup_verify',
    subject: user.userId,
    clientId: client.clientId,
    channel: 'sms',
    recipient: user.phoneNumber!,
    ...PHONE_CODE,
    type: 'otp_verify',
    source: 'signup',
    context: notificationContext(ctx, client, user, conn),
    ...(check ? { checks: [check] } : {}),
  });
}

/** `POST /dbconnections/verify_phone` (our extension): the signup code marks the phone verified. */
export async function verifyPhone(deps: AuthDeps, ctx: FlowContext, input: DbConnectionTarget & { code: string | undefined }) {
  const { conn, phone } = await phoneConnection(deps, ctx, input);
  if (!input.code) throw new AppError('invalid_request', 'Missing required parameter: code');
  const dir = deps.directory();
  const user = await dir.findForLogin(ctx.tenant.id, conn.name, phone);
  const otp = user ? await deps.otp.latest(ctx.tenant.id, 'signup_verify', user.userId) : undefined;
  if (!user || !otp || otp.clientId !== input.clientId) throw new AppError('invalid_grant', WRONG_CODE);
  assertCodeOk(await deps.otp.verify(ctx.tenant.id, otp, input.code));
  const updated = (await dir.markPhoneVerified(ctx.tenant.id, user.userId)) ?? user;
  return { _id: updated.userId.slice(updated.userId.indexOf('|') + 1), phone_number: phone, phone_verified: true };
}
