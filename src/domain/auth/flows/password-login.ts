import { AppError } from '../../errors.js';
import type { ClientRecord } from '../../ports.js';
import type { TokenRequest, TokenSet } from '../token-issuer.js';
import { type AuthDeps, type FlowContext, mfaApiNeedsSecondFactor, mfaRequired, mfaRequiredError, notificationContext } from './common.js';

export interface PasswordLoginInput {
  username: string | undefined;
  password: string | undefined;
  /** The connection name (password-realm); the default database connection when absent. */
  realm: string | undefined;
  req: TokenRequest;
}

/**
 * The `password` and `password-realm` grants: the user by email, phone number or username, the
 * password checked by UserDirectory (brute-force and breach rules), then either tokens or, when
 * the tenant's MFA policy requires it (or the login asks for the MFA API and the user has an
 * authenticator), 403 `mfa_required` with an mfa_token bound to user and client.
 */
export async function passwordLogin(deps: AuthDeps, ctx: FlowContext, client: ClientRecord, input: PasswordLoginInput): Promise<TokenSet> {
  if (!input.username) throw new AppError('invalid_request', 'Missing required parameter: username');
  if (!input.password) throw new AppError('invalid_request', 'Missing required parameter: password');
  const dir = deps.directory();
  const conn = input.realm ? await dir.connection(ctx.tenant.id, input.realm) : await dir.defaultDatabaseConnection(ctx.tenant.id);
  if (!conn || conn.strategy !== 'auth0') {
    throw new AppError('invalid_request', input.realm ? `Unknown realm: ${input.realm}` : 'No default database connection is configured');
  }
  if (!conn.enabledClients.includes(client.clientId)) throw new AppError('invalid_request', 'The connection is not enabled for this client');
  const found = await dir.findForLogin(ctx.tenant.id, conn.name, input.username);
  const { client: cl, request } = notificationContext(ctx, client, undefined);
  const user = await dir.verifyPassword(ctx.tenant, found, input.password, { ip: ctx.ip, context: { ...(cl ? { client: cl } : {}), ...(request ? { request } : {}) } });
  if ((await mfaRequired(deps, ctx.tenant.id)) || (await mfaApiNeedsSecondFactor(deps, ctx, user, input.req))) {
    throw await mfaRequiredError(deps, ctx, user, client, input.req);
  }
  await dir.recordLogin(ctx.tenant.id, user, ctx.ip);
  return deps.tokens.issue(ctx.tenant.id, ctx.host, client, user, input.req, 'password');
}
