import { AppError } from '../../errors.js';
import type { ClientRecord } from '../../ports.js';
import type { TokenSet } from '../token-issuer.js';
import { type AuthDeps, type FlowContext, mfaApiNeedsSecondFactor } from './common.js';

/**
 * The `refresh_token` grant: new access and ID tokens for the scope the refresh token was issued
 * with (a narrower `scope` may be asked for). The refresh token is not rotated, as Auth0's default.
 */
export async function refreshLogin(deps: AuthDeps, ctx: FlowContext, client: ClientRecord, token: string | undefined, scope: string | undefined): Promise<TokenSet> {
  if (!token) throw new AppError('invalid_request', 'Missing required parameter: refresh_token');
  const rec = await deps.tokens.useRefreshToken(ctx.tenant.id, token, client.clientId);
  const user = await deps.directory().getUser(ctx.tenant.id, rec.userId);
  if (!user || user.blocked) throw new AppError('invalid_grant', 'Unknown or invalid refresh token.');
  const granted = rec.scope.split(' ');
  const asked = scope ? scope.split(/\s+/).filter(Boolean) : granted;
  if (asked.some((s) => !granted.includes(s))) throw new AppError('invalid_request', 'The requested scope exceeds the refresh token scope');
  // offline_access is left out so that a refresh does not mint a second refresh token.
  const req = { scope: asked.filter((s) => s !== 'offline_access').join(' '), audience: rec.audience ?? undefined };
  // A refresh never stands in for the second factor: once the user has an authenticator, a new MFA
  // API token needs a login that passes it (the refresh token may predate the enrollment).
  if (await mfaApiNeedsSecondFactor(deps, ctx, user, req)) {
    throw new AppError('invalid_grant', 'A token for the MFA API needs a new login with the second factor.');
  }
  const set = await deps.tokens.issue(ctx.tenant.id, ctx.host, client, user, req, 'refresh_token');
  // The scope of the token issued (RFC 6749 §5.1): without offline_access, which it does not carry.
  return set;
}
