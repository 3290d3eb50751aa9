import { PasswordlessGuard } from '../domain/auth/passwordless-guard.js';
import { createHmac } from 'node:crypto';
import type { DirectoryPort } from '../domain/auth/directory-port.js';
import type { AuthDeps } from '../domain/auth/flows/common.js';
import { OtpService, type CodeConversions } from '../domain/auth/otp-service.js';
import { TokenIssuer } from '../domain/auth/token-issuer.js';
import type { ClientService } from '../domain/clients/client-service.js';
import type { Clock } from '../domain/clock.js';
import type { NotificationService } from '../domain/notifications/notification-service.js';
import type { BotCheck } from '../domain/auth/flows/common.js';
import type { TokenKeys } from '../domain/ports.js';
import type { Repositories } from '../domain/repositories.js';

export interface AuthModuleOptions {
  repos: Repositories;
  /** The keys of the code, recovery-code and refresh-token hashes, by use (domain/keys/derivation-root.ts). */
  deriveKey: (label: string) => Buffer;
  clock: Clock;
  tokenKeys: TokenKeys;
  clients: ClientService;
  notifications: NotificationService;
  /** The fraud guard's record of which sent codes were verified. */
  conversions: CodeConversions;
  accessTokenTtl: number;
  /** The tenant's bot check (a CAPTCHA token before a code goes to a number nobody proved). */
  botCheck: BotCheck;
  /** UserDirectory through the port the flows use; resolved per call because it is wired after this module. */
  directory: () => DirectoryPort;
}

/**
 * The Authentication API side of identity: one-time codes, MFA enrollments, recovery codes,
 * refresh tokens and token issuance. Each secret (OTP codes, recovery codes, refresh tokens) is
 * hashed with its own key derived from the server's derivation root, so a database dump alone
 * cannot check a guess against any of them.
 */
export function createAuthModule(o: AuthModuleOptions): AuthDeps {
  const recoveryKey = o.deriveKey('recovery-code');
  const otp = new OtpService(o.repos.otps, o.deriveKey('otp'), o.clock, o.notifications, o.conversions);
  const tokens = new TokenIssuer(o.tokenKeys, o.repos.refreshTokens, o.deriveKey('refresh-token'), o.clock, o.accessTokenTtl);
  return {
    otp,
    tokens,
    enrollments: o.repos.enrollments,
    recoveryCodes: o.repos.recoveryCodes,
    directory: o.directory,
    clients: o.clients,
    guardian: o.repos.guardian,
    clock: o.clock,
    passwordlessGuard: new PasswordlessGuard(o.repos.loginFailures, o.clock),
    botCheck: o.botCheck,
    recoveryHash: (userId, code) => createHmac('sha256', recoveryKey).update(userId).update('\0').update(code).digest('hex'),
  };
}
