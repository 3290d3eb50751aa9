import type { TokenKeys } from '../ports.js';
import { managementAudience } from '../scopes.js';
import { scopesForRole } from './scopes.js';
import type { OperatorRecord } from './ports.js';

/** Dashboard tokens live 5 minutes: the page asks for a new one when it runs out. */
export const DASHBOARD_TOKEN_TTL = 300;
/** The `azp` of every dashboard token: the client the Management API's logs name. */
export const DASHBOARD_CLIENT_ID = 'unifone-dashboard';

export interface MintedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * A Management API access token for one tenant, for an operator: signed with the tenant's current
 * key, with exactly the claims of a client-credentials token (so the public API checks it like any
 * other), `sub` naming the operator and the scopes of the operator's role. `host` is the host the
 * token is for: its issuer and audience.
 */
export async function mintManagementToken(keys: Pick<TokenKeys, 'sign'>, operator: OperatorRecord, tenantId: string, host: string): Promise<MintedToken> {
  const scope = scopesForRole(operator.role).join(' ');
  const accessToken = await keys.sign(
    tenantId,
    {
      iss: `https://${host}/`,
      sub: `operator|${operator.id}`,
      aud: managementAudience(host),
      azp: DASHBOARD_CLIENT_ID,
      scope,
      gty: 'client-credentials',
    },
    DASHBOARD_TOKEN_TTL,
  );
  return { access_token: accessToken, token_type: 'Bearer', expires_in: DASHBOARD_TOKEN_TTL, scope };
}
