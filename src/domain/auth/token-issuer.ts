import { createHmac, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { TokenKeys } from '../../adapters/crypto/token-keys.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { ClientRecord } from '../ports.js';
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

/** The scopes a user login can grant: OIDC ones only, so no user token ever carries an API permission. */
const USER_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'offline_access']);
const DEFAULT_SCOPE = 'openid profile';
const MFA_TOKEN_TTL = 600;
const MFA_TOKEN_TYP = 'mfa_token';
const REFRESH_TTL_DAYS = 30;

export function grantedScope(requested: string | undefined): string {
  const asked = (requested ?? DEFAULT_SCOPE).split(/\s+/).filter(Boolean);
  return asked.filter((s) => USER_SCOPES.has(s)).join(' ');
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

  async issue(tenantId: string, host: string, client: ClientRecord, user: UserRecord, req: TokenRequest, gty: string): Promise<TokenSet> {
    const scope = grantedScope(req.scope);
    const scopes = scope.split(' ');
    const iss = `https://${host}/`;
    // Both signatures at once: RS256 signing runs on the crypto thread pool, so they use both cores.
    const [accessToken, idToken] = await Promise.all([
      this.keys.sign(tenantId, { iss, sub: user.userId, aud: req.audience ?? `https://${host}/userinfo`, azp: client.clientId, scope, gty }, this.accessTtl),
      scopes.includes('openid') ? this.keys.sign(tenantId, { iss, aud: client.clientId, ...idClaims(user, scopes) }, 36_000) : undefined,
    ]);
    const out: TokenSet = { access_token: accessToken, scope, expires_in: this.accessTtl, token_type: 'Bearer' };
    if (idToken) out.id_token = idToken;
    if (scopes.includes('offline_access') && client.grantTypes.includes('refresh_token')) {
      const token = randomBytes(36).toString('base64url');
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
