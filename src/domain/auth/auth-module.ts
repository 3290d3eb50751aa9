import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { TokenKeys } from '../../adapters/crypto/token-keys.js';
import { enrollmentRepository } from '../../adapters/storage/enrollment-repository.js';
import { otpRepository } from '../../adapters/storage/otp-repository.js';
import { recoveryCodeRepository } from '../../adapters/storage/recovery-code-repository.js';
import { refreshTokenRepository } from '../../adapters/storage/refresh-token-repository.js';
import type { Database } from '../../adapters/storage/schema.js';
import type { Clock } from '../clock.js';
import type { ClientService } from '../clients/client-service.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { GuardianRepository } from '../ports.js';
import type { DirectoryPort } from './directory-port.js';
import type { AuthDeps } from './flows/common.js';
import { OtpService } from './otp-service.js';
import { TokenIssuer } from './token-issuer.js';

export interface AuthModuleOptions {
  db: Kysely<Database>;
  /** The keys of the code, recovery-code and refresh-token hashes, by use (domain/keys/derivation-root.ts). */
  deriveKey: (label: string) => Buffer;
  clock: Clock;
  tokenKeys: TokenKeys;
  clients: ClientService;
  guardian: GuardianRepository;
  notifications: NotificationService;
  accessTokenTtl: number;
  /** UserDirectory through the port the flows use; resolved per call because it is wired after this module. */
  directory: () => DirectoryPort;
}

/**
 * The Authentication API side of identity: one-time codes, MFA enrollments, recovery codes,
 * refresh tokens and token issuance, wired over one database handle. Each secret (OTP codes,
 * recovery codes, refresh tokens) is hashed with its own key derived from the server's derivation
 * root, so a database dump alone cannot check a guess against any of them.
 */
export function createAuthModule(o: AuthModuleOptions): AuthDeps {
  const recoveryKey = o.deriveKey('recovery-code');
  const otp = new OtpService(otpRepository(o.db), o.deriveKey('otp'), o.clock, o.notifications);
  const tokens = new TokenIssuer(o.tokenKeys, refreshTokenRepository(o.db), o.deriveKey('refresh-token'), o.clock, o.accessTokenTtl);
  return {
    otp,
    tokens,
    enrollments: enrollmentRepository(o.db),
    recoveryCodes: recoveryCodeRepository(o.db),
    directory: o.directory,
    clients: o.clients,
    guardian: o.guardian,
    clock: o.clock,
    recoveryHash: (userId, code) => createHmac('sha256', recoveryKey).update(userId).update('\0').update(code).digest('hex'),
  };
}
