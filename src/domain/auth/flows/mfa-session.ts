import { AppError } from '../../errors.js';
import type { ClientRecord } from '../../ports.js';
import type { EnrollmentRecord } from '../mfa-ports.js';
import type { UserRecord } from '../ports.js';
import type { TokenRequest } from '../token-issuer.js';
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
  const [user, client] = await Promise.all([
    deps.directory().getUser(ctx.tenant.id, t.userId),
    deps.clients.get(ctx.tenant.id, t.clientId).catch(() => undefined),
  ]);
  if (!user || !client) throw new AppError('invalid_grant', 'Malformed mfa_token');
  if (user.blocked) throw new AppError('access_denied', 'user is blocked');
  const enrollments = await deps.enrollments.listForUser(ctx.tenant.id, user.userId);
  return { user, client, enrollments, req: t.req };
}
