import { AppError } from '../../errors.js';
import type { ClientRecord } from '../../ports.js';
import type { EnrollmentRecord } from '../mfa-ports.js';
import type { UserRecord } from '../ports.js';
import { mfaApiAudience, type TokenRequest } from '../token-issuer.js';
import type { AuthDeps, FlowContext } from './common.js';

/** MFA codes: 6 digits, valid 5 minutes, 5 attempts. */
export const MFA_CODE = { ttlSeconds: 300, length: 6, maxAttempts: 5 } as const;

export interface MfaSession {
  user: UserRecord;
  client: ClientRecord;
  enrollments: EnrollmentRecord[];
  req: TokenRequest;
}

/**
 * The user and client an mfa_token was issued for. A `client_id` that is given must be that
 * client's (an mfa_token is bound to one application); the user must still exist and not be blocked.
 */
export async function mfaSession(deps: AuthDeps, ctx: FlowContext, token: string | undefined, clientId: string | undefined): Promise<MfaSession> {
  const t = await deps.tokens.readMfaToken(ctx.tenant.id, ctx.host, token);
  if (clientId !== undefined && clientId !== t.clientId) throw new AppError('invalid_request', 'mfa_token not issued to this client');
  return { ...(await tokenSubject(deps, ctx, t.userId, t.clientId, 'Malformed mfa_token')), req: t.req };
}

/**
 * The user and application a verified token names, with the user's enrollments: `invalid_grant`
 * (`gone`) when either no longer exists, `access_denied` when the user is blocked.
 */
async function tokenSubject(deps: AuthDeps, ctx: FlowContext, userId: string, clientId: string, gone: string): Promise<Omit<MfaSession, 'req'>> {
  const [user, client] = await Promise.all([
    deps.directory().getUser(ctx.tenant.id, userId),
    deps.clients.get(ctx.tenant.id, clientId).catch(() => undefined),
  ]);
  if (!user || !client) throw new AppError('invalid_grant', gone);
  if (user.blocked) throw new AppError('access_denied', 'user is blocked');
  return { user, client, enrollments: await deps.enrollments.listForUser(ctx.tenant.id, user.userId) };
}

export type MfaApiScope = 'read:authenticators' | 'remove:authenticators';

/**
 * The user behind the bearer token of `GET /mfa/authenticators` or `DELETE /mfa/authenticators/{id}`:
 * an access token for the MFA API (`https://{host}/mfa/`) carrying `scope`, or, where
 * `mfaTokenAllowed`, an mfa_token. An mfa_token proves the password only, so it may list the
 * authenticators but never remove one: removing needs the MFA API token, which a user with an
 * authenticator only gets after the second factor — otherwise a stolen password could remove the
 * phone and enroll another.
 */
export async function mfaApiCaller(
  deps: AuthDeps,
  ctx: FlowContext,
  token: string | undefined,
  scope: MfaApiScope,
  mfaTokenAllowed: boolean,
): Promise<{ user: UserRecord; enrollments: EnrollmentRecord[] }> {
  const api = token ? await deps.tokens.readMfaApiToken(ctx.tenant.id, ctx.host, token) : undefined;
  if (!api) {
    if (mfaTokenAllowed) return mfaSession(deps, ctx, token, undefined);
    if (!token) throw new AppError('invalid_request', 'Missing required parameter: mfa_token');
    throw new AppError('insufficient_scope', `This needs an access token for ${mfaApiAudience(ctx.host)} with the ${scope} scope (log in with that audience; a user with an authenticator passes MFA first)`);
  }
  if (!api.scopes.includes(scope)) throw new AppError('insufficient_scope', `The access token lacks the ${scope} scope`);
  return tokenSubject(deps, ctx, api.userId, api.clientId, 'Unknown user or application');
}
