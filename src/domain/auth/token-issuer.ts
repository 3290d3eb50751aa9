import { createHmac } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { randomBytesPooled } from '../ids.js';
import type { ClientRecord, TokenKeys } from '../ports.js';
import type { RefreshTokenRepository } from './mfa-ports.js';
import type { UserRecord } from './ports.js';

/** What a login asked for, carried through MFA inside the mfa_token. */
export interface TokenRequest {
  scope: string;
  audience: string | undefined;
}

export interface TokenSet {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope: string;
  expires_in: number;
  token_type: 'Bearer';
}

/** The scopes a user login can grant: OIDC ones, and the MFA API's own (below) for the MFA API. */
const USER_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'offline_access']);
/**
 * Auth0's MFA API scopes, granted only in access tokens for `https://{host}/mfa/`. `enroll` is not
 * among them yet: enrolling with such a token is not built (docs/authentication.md).
 */
export const MFA_API_SCOPES = new Set(['read:authenticators', 'remove:authenticators']);
/** Access tokens for the MFA API live 10 minutes, as Auth0's (not configurable there either). */
const MFA_API_TTL = 600;
const DEFAULT_SCOPE = 'openid profile';
const MFA_TOKEN_TTL = 600;
const MFA_TOKEN_TYP = 'mfa_token';
const REFRESH_TTL_DAYS = 30;

/** The audience of Auth0's MFA API on this host (an mfa_token has it too, but is told apart by its `typ`). */
export const mfaApiAudience = (host: string): string => `https://${host}/mfa/`;

export function grantedScope(requested: string | undefined, mfaApi = false): string {
  const asked = (requested ?? DEFAULT_SCOPE).split(/\s+/).filter(Boolean);
  return asked.filter((s) => USER_SCOPES.has(s) || (mfaApi && MFA_API_SCOPES.has(s))).join(' ');
}

/**
 * Access, ID, refresh and mfa tokens of user logins. Access and ID tokens are RS256 with the
 * tenant key (the same JWKS the official clients validate against); refresh tokens are opaque and
 * stored only as keyed hashes; an mfa_token is a short JWT with its own audience and `typ` claim,
 * so it is refused by every API but /mfa/* and the MFA grants, and no other token passes for it.
 */
export class TokenIssuer {
  constructor(
    private readonly keys: TokenKeys,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly refreshKey: Buffer,
    private readonly clock: Clock,
    private readonly accessTtl: number,
  ) {}

  private hashRefresh(token: string): string {
    return createHmac('sha256', this.refreshKey).update(token).digest('hex');
  }

  /** Revokes every refresh token of the user (a password reset ends the sessions the old password opened). */
  revokeRefreshTokens(tenantId: string, userId: string): Promise<number> {
    return this.refreshTokens.revokeForUser(tenantId, userId, this.clock.now().toISOString());
  }

  /**
   * The tokens of a completed login. For the MFA API audience the access token carries the MFA API
   * scopes asked for and lives 10 minutes; the flows make sure such a token is only issued after a
   * second factor when the user has one (mfaApiNeedsSecondFactor).
   */
  async issue(tenantId: string, host: string, client: ClientRecord, user: UserRecord, req: TokenRequest, gty: string): Promise<TokenSet> {
    const mfaApi = req.audience === mfaApiAudience(host);
    const scope = grantedScope(req.scope, mfaApi);
    const scopes = scope.split(' ');
    const ttl = mfaApi ? MFA_API_TTL : this.accessTtl;
    const iss = `https://${host}/`;
    // Both signatures at once: they run on the signing threads (or libuv's pool), not the event loop.
    const [accessToken, idToken] = await Promise.all([
      this.keys.sign(tenantId, { iss, sub: user.userId, aud: req.audience ?? `https://${host}/userinfo`, azp: client.clientId, scope, gty }, ttl),
      scopes.includes('openid') ? this.keys.sign(tenantId, { iss, aud: client.clientId, ...idClaims(user, scopes) }, 36_000) : undefined,
    ]);
    const out: TokenSet = { access_token: accessToken, scope, expires_in: ttl, token_type: 'Bearer' };
    if (idToken) out.id_token = idToken;
    if (scopes.includes('offline_access') && client.grantTypes.includes('refresh_token')) {
      const token = randomBytesPooled(36).toString('base64url');
      const now = this.clock.now();
      await this.refreshTokens.insert(tenantId, {
        tokenHash: this.hashRefresh(token),
        userId: user.userId,
        clientId: client.clientId,
        scope,
        audience: req.audience ?? null,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + REFRESH_TTL_DAYS * 86_400_000).toISOString(),
        revokedAt: null,
      });
      out.refresh_token = token;
    }
    return out;
  }

  /** The live refresh token's record, or `invalid_grant` (unknown, revoked, expired, another client's). */
  async useRefreshToken(tenantId: string, token: string, clientId: string) {
    const rec = await this.refreshTokens.get(tenantId, this.hashRefresh(token));
    const now = this.clock.now().toISOString();
    if (!rec || rec.revokedAt || rec.expiresAt <= now || rec.clientId !== clientId) {
      throw new AppError('invalid_grant', 'Unknown or invalid refresh token.');
    }
    return rec;
  }

  mfaToken(tenantId: string, host: string, userId: string, clientId: string, req: TokenRequest): Promise<string> {
    return this.keys.sign(
      tenantId,
      {
        iss: `https://${host}/`,
        aud: `https://${host}/mfa/`,
        sub: userId,
        azp: clientId,
        typ: MFA_TOKEN_TYP,
        scope: req.scope,
        ...(req.audience ? { req_aud: req.audience } : {}),
      },
      MFA_TOKEN_TTL,
    );
  }

  /**
   * The user, client and original request of an mfa_token. `expired_token` for one that was valid
   * but ran out, `invalid_grant` "Malformed mfa_token" for anything else (including an access token).
   */
  async readMfaToken(tenantId: string, host: string, token: string | undefined): Promise<{ userId: string; clientId: string; req: TokenRequest }> {
    if (!token) throw new AppError('invalid_request', 'Missing required parameter: mfa_token');
    const expect = { issuers: [`https://${host}/`], audiences: [`https://${host}/mfa/`] };
    const p = await this.keys.verify(tenantId, token, expect);
    if (!p && (await this.expiredButGenuine(tenantId, token, expect))) throw new AppError('expired_token', 'mfa_token is expired');
    if (!p || p['typ'] !== MFA_TOKEN_TYP || typeof p.sub !== 'string' || typeof p['azp'] !== 'string') {
      throw new AppError('invalid_grant', 'Malformed mfa_token');
    }
    const scope = typeof p['scope'] === 'string' ? p['scope'] : DEFAULT_SCOPE;
    const audience = typeof p['req_aud'] === 'string' ? p['req_aud'] : undefined;
    return { userId: p.sub, clientId: String(p['azp']), req: { scope, audience } };
  }

  /**
   * The user, client and scopes of an access token for the MFA API (`https://{host}/mfa/`), or
   * undefined for anything else — an mfa_token included: it has the same audience but a `typ`, and its
   * `scope` is the login's request, not a grant.
   */
  async readMfaApiToken(tenantId: string, host: string, token: string): Promise<{ userId: string; clientId: string; scopes: string[] } | undefined> {
    const p = await this.keys.verify(tenantId, token, { issuers: [`https://${host}/`], audiences: [mfaApiAudience(host)] });
    if (!p || p['typ'] !== undefined || typeof p.sub !== 'string' || typeof p['azp'] !== 'string' || typeof p['gty'] !== 'string') return undefined;
    return { userId: p.sub, clientId: p['azp'], scopes: typeof p['scope'] === 'string' ? p['scope'].split(' ') : [] };
  }

  /** True when `token` carries a good signature of this tenant and only its expiry failed. */
  private async expiredButGenuine(tenantId: string, token: string, expect: { issuers: string[]; audiences: string[] }): Promise<boolean> {
    let exp: number | undefined;
    try {
      exp = decodeJwt(token).exp;
    } catch {
      return false;
    }
    if (typeof exp !== 'number' || exp * 1000 > this.clock.now().getTime()) return false;
    try {
      const jwks = createLocalJWKSet((await this.keys.jwks(tenantId)) as never);
      await jwtVerify(token, jwks, { algorithms: ['RS256'], issuer: expect.issuers, audience: expect.audiences, currentDate: new Date((exp - 1) * 1000) });
      return true;
    } catch {
      return false;
    }
  }
}

/** ID token claims of a user (OIDC standard claims by scope). */
function idClaims(user: UserRecord, scopes: string[]): Record<string, unknown> {
  const c: Record<string, unknown> = { sub: user.userId };
  if (scopes.includes('profile')) {
    if (user.name) c['name'] = user.name;
    if (user.nickname) c['nickname'] = user.nickname;
    if (user.picture) c['picture'] = user.picture;
    c['updated_at'] = user.updatedAt;
  }
  if (user.email && (scopes.includes('email') || scopes.includes('profile'))) {
    c['email'] = user.email;
    c['email_verified'] = user.emailVerified;
  }
  if (user.phoneNumber) {
    c['phone_number'] = user.phoneNumber;
    c['phone_number_verified'] = user.phoneVerified;
  }
  return c;
}
