import { listPropertyNames } from '../../property-names.js';
import { AppError } from '../../errors.js';
import { isE164 } from '../../phone-number.js';
import type { ClientRecord } from '../../ports.js';
import type { ConnectionRecord, SmsConnectionOptions } from '../ports.js';
import type { TokenRequest, TokenSet } from '../token-issuer.js';
import { type AuthDeps, type FlowContext, type PresentedClient, mfaApiNeedsSecondFactor, mfaRequired, mfaRequiredError, notificationContext } from './common.js';

/** Auth0's passwordless defaults: 6 digits, valid 180 s, 3 failed attempts per code. */
const DEFAULT_TOTP = { length: 6, time_step: 180 };
const MAX_ATTEMPTS = 3;
const PHONE_RE = /^\+[0-9]{1,15}$/;
const START_PROPERTIES = new Set(['client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'connection', 'phone_number', 'send', 'authParams', 'captcha']);

/** Auth0's passwordless failure strings (SDKs match on the first one). */
export const WRONG_CODE = 'Wrong phone number or verification code.';
const EXPIRED = 'The verification code has expired. Please try to login again.';
const EXHAUSTED = "You've reached the maximum number of attempts. Please try to login again.";

const subjectOf = (conn: ConnectionRecord, phone: string) => `${conn.name}|${phone}`;
const smsOptions = (conn: ConnectionRecord): SmsConnectionOptions => conn.options as SmsConnectionOptions;

/**
 * `POST /passwordless/start` with `connection: "sms"`, `send: "code"`: checks the body the way
 * Auth0 does (its `bad.*` errors, in its order), then sends an `otp_verify` code. Only the newest
 * code is valid; length and lifetime come from the connection's `totp`.
 */
export async function passwordlessStart(
  deps: AuthDeps,
  ctx: FlowContext,
  body: Record<string, unknown>,
  authenticate: (p: PresentedClient) => Promise<ClientRecord>,
): Promise<{ _id: string; phone_number: string; phone_verified: boolean }> {
  const extra = Object.keys(body).filter((k) => !START_PROPERTIES.has(k));
  if (extra.length) throw new AppError('bad.request', `the following properties are not allowed: ${listPropertyNames(extra)}`);
  if (typeof body['client_id'] !== 'string' || !body['client_id']) throw new AppError('bad.client_id', 'Missing required property: client_id');
  if (body['connection'] === undefined || body['connection'] === '') throw new AppError('bad.connection', 'Missing required property: connection');
  if (typeof body['connection'] !== 'string') throw new AppError('bad.connection', 'error in connection - invalid type (expected string)');
  if (body['phone_number'] === undefined || body['phone_number'] === '') throw new AppError('bad.phone_number', 'Missing required property: phone_number');
  if (typeof body['phone_number'] !== 'string' || !PHONE_RE.test(body['phone_number'])) {
    throw new AppError('bad.phone_number', 'String does not match pattern: ^\\+[0-9]{1,15}$');
  }
  // Auth0's pattern lets through numbers no provider can reach (`+1`, `+0…`): refused before a code is stored.
  if (!isE164(body['phone_number'])) throw new AppError('bad.phone_number', 'The phone_number is not a valid phone number in E.164 format');
  if (body['authParams'] !== undefined && (typeof body['authParams'] !== 'object' || body['authParams'] === null || Array.isArray(body['authParams']))) {
    throw new AppError('bad.authParams', `error in authParams - invalid type: ${Array.isArray(body['authParams']) ? 'array' : typeof body['authParams']} (expected object)`);
  }
  if (body['send'] !== undefined && body['send'] !== 'code') {
    throw new AppError('bad.request', body['send'] === 'link' ? 'send: "link" is not available for the sms connection; use "code"' : 'send must be "code" or "link"');
  }
  const secret = body['client_secret'];
  if (secret !== undefined && typeof secret !== 'string') throw new AppError('bad.request', 'error in client_secret - invalid type (expected string)');
  const client = await authenticate({ clientId: body['client_id'], secret });
  const phone = body['phone_number'];
  const dir = deps.directory();
  const conn = await dir.connection(ctx.tenant.id, body['connection']);
  if (!conn) throw new AppError('bad.connection', 'Connection does not exist');
  if (conn.strategy !== 'sms') throw new AppError('bad.connection', 'Invalid connection strategy. It must either be a passwordless connection');
  if (!conn.enabledClients.includes(client.clientId)) throw new AppError('bad.connection', 'Connection is disabled');
  // Anyone can start a login for any number: the tenant's bot check (a CAPTCHA token) runs before the
  // number is looked up (without a token, nothing tells which numbers have accounts) and before a code
  // is issued or sent. It throws 400 invalid_captcha when it refuses.
  const check = await deps.botCheck.check({ tenant: ctx.tenant, flow: 'passwordless', token: body['captcha'], recipient: phone, ip: ctx.ip, clientId: client.clientId, userId: null });
  const user = await dir.findForLogin(ctx.tenant.id, conn.name, phone);
  if (user?.blocked) throw new AppError('access_denied', 'user is blocked');
  if (!user && smsOptions(conn).disable_signup) throw new AppError('bad.request', 'Public signup is disabled');
  const totp = { ...DEFAULT_TOTP, ...smsOptions(conn).totp };
  const otp = await deps.otp.send(ctx.tenant, {
    purpose: 'passwordless',
    subject: subjectOf(conn, phone),
    clientId: client.clientId,
    channel: 'sms',
    recipient: phone,
    ttlSeconds: totp.time_step,
    length: totp.length,
    maxAttempts: MAX_ATTEMPTS,
    type: 'otp_verify',
    source: 'passwordless',
    context: notificationContext(ctx, client, user, conn),
    // Legacy (pre-UPE) tenants send through the connection's own delivery options (legacy-passwordless.ts).
    legacy: !ctx.tenant.phoneConsolidatedExperience,
    ...(check ? { checks: [check] } : {}),
  });
  return {
    _id: user ? user.userId.slice(user.userId.indexOf('|') + 1) : otp.id.slice(0, 24),
    phone_number: phone,
    phone_verified: user?.phoneVerified ?? false,
  };
}

export interface PasswordlessLoginInput {
  username: string | undefined;
  otp: string | undefined;
  realm: string | undefined;
  req: TokenRequest;
}

/**
 * The `passwordless/otp` grant: the newest code of (connection, phone), issued to this client, is
 * checked and consumed; the user signs up on first login unless the connection disables signup.
 * With the connection's `brute_force_protection` (on by default), wrong codes from an IP for the
 * number are counted and the 10th blocks that IP for it (PasswordlessGuard). With the tenant's MFA
 * policy on, the code is the first factor only: 403 `mfa_required` with an mfa_token, as at Auth0.
 */
export async function passwordlessLogin(deps: AuthDeps, ctx: FlowContext, client: ClientRecord, input: PasswordlessLoginInput): Promise<TokenSet> {
  if (!input.username) throw new AppError('invalid_request', 'Missing required parameter: username');
  if (!input.otp) throw new AppError('invalid_request', 'Missing required parameter: otp');
  if (!input.realm) throw new AppError('invalid_request', 'Missing required parameter: realm');
  const dir = deps.directory();
  const conn = await dir.connection(ctx.tenant.id, input.realm);
  if (!conn || conn.strategy !== 'sms') throw new AppError('invalid_request', `Unknown realm: ${input.realm}`);
  if (!conn.enabledClients.includes(client.clientId)) throw new AppError('invalid_request', 'The connection is not enabled for this client');
  const protect = smsOptions(conn).brute_force_protection ?? true;
  const guard = deps.passwordlessGuard;
  const phone = input.username;
  if (protect) await guard.assertNotBlocked(ctx.tenant.id, conn.name, phone, ctx.ip);
  const otp = await deps.otp.latest(ctx.tenant.id, 'passwordless', subjectOf(conn, phone));
  // A code sent for another application is as good as no code for this one.
  if (!otp || otp.clientId !== client.clientId) throw new AppError('invalid_grant', WRONG_CODE);
  const outcome = await deps.otp.verify(ctx.tenant.id, otp, input.otp);
  if (outcome === 'expired') throw new AppError('invalid_grant', EXPIRED);
  if (outcome === 'exhausted') throw new AppError('invalid_grant', EXHAUSTED);
  // Only a guess that was compared and wrong counts a failure: against a missing, used-up or spent
  // code nothing is tested (so a replay of a used code, or a lost race for it, blocks no one).
  if (outcome === 'wrong' && protect) await guard.failed(ctx.tenant.id, conn.name, phone, ctx.ip);
  if (outcome !== 'ok') throw new AppError('invalid_grant', WRONG_CODE);
  if (protect) await guard.succeeded(ctx.tenant.id, conn.name, phone, ctx.ip);
  let user = await dir.findForLogin(ctx.tenant.id, conn.name, input.username);
  if (!user) {
    if (smsOptions(conn).disable_signup) throw new AppError('access_denied', 'Public signup is disabled');
    user = await dir.createUser(ctx.tenant, { connection: conn.name, phoneNumber: input.username, phoneVerified: true });
  } else if (!user.phoneVerified) {
    user = (await dir.markPhoneVerified(ctx.tenant.id, user.userId)) ?? user;
  }
  if (user.blocked) throw new AppError('access_denied', 'user is blocked');
  if ((await mfaRequired(deps, ctx.tenant.id)) || (await mfaApiNeedsSecondFactor(deps, ctx, user, input.req))) {
    throw await mfaRequiredError(deps, ctx, user, client, input.req);
  }
  await dir.recordLogin(ctx.tenant.id, user, ctx.ip);
  return deps.tokens.issue(ctx.tenant.id, ctx.host, client, user, input.req, 'passwordless');
}
