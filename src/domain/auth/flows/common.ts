import type { Clock } from '../../clock.js';
import type { ClientService } from '../../clients/client-service.js';
import { AppError } from '../../errors.js';
import type { NotificationContext } from '../../notifications/sender.js';
import type { ClientRecord, GuardianRepository, TenantRecord } from '../../ports.js';
import type { DirectoryPort } from '../directory-port.js';
import type { EnrollmentRepository, RecoveryCodeRepository } from '../mfa-ports.js';
import type { OtpService } from '../otp-service.js';
import type { PasswordlessGuard } from '../passwordless-guard.js';
import type { PhoneBotCheckService } from '../../abuse/phone-bot-check-service.js';
import type { ConnectionRecord, UserRecord } from '../ports.js';
import { mfaApiAudience, type TokenIssuer, type TokenRequest } from '../token-issuer.js';

/** Everything the Authentication API flows use; built once by the auth module. */
export interface AuthDeps {
  otp: OtpService;
  tokens: TokenIssuer;
  enrollments: EnrollmentRepository;
  recoveryCodes: RecoveryCodeRepository;
  /** Users, connections and passwords: owned by UserDirectory, reached lazily (it is wired after us). */
  directory: () => DirectoryPort;
  clients: ClientService;
  guardian: GuardianRepository;
  clock: Clock;
  /** Brute-force protection of the passwordless grant (the sms connection's `brute_force_protection`). */
  passwordlessGuard: PasswordlessGuard;
  /** The tenant's bot check, run before a code is sent to a number nobody proved (passwordless, phone signup). */
  botCheck: BotCheck;
  /** A keyed hash for recovery codes (never stored in clear). */
  recoveryHash(userId: string, code: string): string;
}

export type BotCheck = Pick<PhoneBotCheckService, 'check'>;

/** The request a flow runs for. */
export interface FlowContext {
  tenant: TenantRecord;
  /** The Host the request came to: issuer and audiences are built from it. */
  host: string;
  ip: string;
  userAgent: string | undefined;
}

/** Client credentials as presented: body `client_id`/`client_secret` or HTTP Basic. */
export interface PresentedClient {
  clientId: string | undefined;
  secret: string | undefined;
}

/**
 * Authenticates the application. Confidential clients must present their secret; public ones
 * (`token_endpoint_auth_method: none`) may omit it, but a secret that is presented must be right.
 */
export async function authenticateClient(deps: AuthDeps, tenantId: string, p: PresentedClient): Promise<ClientRecord> {
  if (!p.clientId) throw new AppError('invalid_request', 'Missing required parameter: client_id');
  if (p.secret !== undefined) {
    const client = await deps.clients.authenticate(tenantId, p.clientId, p.secret);
    if (!client) throw new AppError('invalid_client', 'Invalid client credentials');
    return client;
  }
  const record = await deps.clients.get(tenantId, p.clientId).catch(() => undefined);
  if (!record) throw new AppError('invalid_client', 'Invalid client credentials');
  if (record.tokenEndpointAuthMethod !== 'none') throw new AppError('invalid_client', 'Client authentication is required');
  return record;
}

/** 403 `unauthorized_client` unless the application allows one of `grants`. */
export function assertGrantAllowed(client: ClientRecord, grantType: string, also: string[] = []): void {
  if (client.grantTypes.includes(grantType) || also.some((g) => client.grantTypes.includes(g))) return;
  throw new AppError('unauthorized_client', `Grant type '${grantType}' not allowed for the client.`);
}

/** The connection, which must be enabled for the client (Auth0 says "disabled" otherwise). */
export function assertConnectionForClient(conn: ConnectionRecord | undefined, clientId: string, code: 'bad.connection' | 'invalid_request'): ConnectionRecord {
  if (!conn) throw new AppError(code, code === 'bad.connection' ? 'Connection does not exist' : 'connection not found');
  if (!conn.enabledClients.includes(clientId)) throw new AppError(code, 'Connection is disabled');
  return conn;
}

/** What the phone templates and a custom provider see of a user, client and request. */
export function notificationContext(ctx: FlowContext, client: ClientRecord, user: UserRecord | undefined, connection?: ConnectionRecord): NotificationContext {
  return {
    ...(user
      ? {
          user: {
            user_id: user.userId,
            ...(user.email ? { email: user.email } : {}),
            ...(user.phoneNumber ? { phone_number: user.phoneNumber, phone_verified: user.phoneVerified } : {}),
            ...(user.name ? { name: user.name } : {}),
            ...(user.nickname ? { nickname: user.nickname } : {}),
            ...(user.username ? { username: user.username } : {}),
            ...(user.locale ? { locale: user.locale } : {}),
            app_metadata: user.appMetadata,
            user_metadata: user.userMetadata,
            created_at: user.createdAt,
            updated_at: user.updatedAt,
            login_count: user.loginCount,
          },
        }
      : {}),
    client: { client_id: client.clientId, name: client.name, metadata: client.clientMetadata },
    request: { ip: ctx.ip, hostname: ctx.host, ...(ctx.userAgent ? { user_agent: ctx.userAgent } : {}) },
    ...(connection ? { connection: { id: connection.id, name: connection.name, strategy: connection.strategy } } : {}),
  };
}

/** `XXXXXXXX2671`: the number with every digit but the last four masked, as Auth0 shows it. */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  return 'X'.repeat(Math.max(0, digits.length - 4)) + digits.slice(-4);
}

/**
 * True when a login asks for an access token to the MFA API (`https://{host}/mfa/`) for a user who
 * has a confirmed authenticator: as at Auth0, that token (which can remove authenticators) is only
 * issued after the second factor, whatever the tenant's policy. A user with none gets it at once.
 */
export async function mfaApiNeedsSecondFactor(deps: AuthDeps, ctx: FlowContext, user: UserRecord, req: TokenRequest): Promise<boolean> {
  if (req.audience !== mfaApiAudience(ctx.host)) return false;
  return (await deps.enrollments.listForUser(ctx.tenant.id, user.userId)).some((e) => e.status === 'confirmed');
}

/** 403 `mfa_required` with an mfa_token bound to the user, the application and the login's request. */
export async function mfaRequiredError(deps: AuthDeps, ctx: FlowContext, user: UserRecord, client: ClientRecord, req: TokenRequest): Promise<AppError> {
  const mfaToken = await deps.tokens.mfaToken(ctx.tenant.id, ctx.host, user.userId, client.clientId, req);
  return new AppError('mfa_required', 'Multifactor authentication required', { mfa_token: mfaToken });
}

/** True when the tenant's MFA policy makes a second factor mandatory at login. */
export async function mfaRequired(deps: AuthDeps, tenantId: string): Promise<boolean> {
  const g = await deps.guardian.get(tenantId);
  return Boolean(g && g.policies.includes('all-applications') && g.factors['sms']);
}
