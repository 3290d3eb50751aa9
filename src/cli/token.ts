import type { Command } from 'commander';
import { MANAGEMENT_SCOPES, managementAudience } from '../domain/scopes.js';
import { checkScopes } from './client.js';
import { CliError, findTenant, printJson, splitScopes, tenantHost, withContainer } from './context.js';

/** The longest lifetime the server allows for access tokens (ACCESS_TOKEN_TTL's upper bound). */
const MAX_TTL = 30 * 86400;

function parseTtl(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TTL) throw new CliError(`--ttl must be whole seconds between 1 and ${MAX_TTL}`);
  return n;
}

/**
 * `unifone token`: a Management API access token minted directly with the tenant's signing key,
 * for operators who hold the database and the secret key (no client needed). The claims match
 * what POST /oauth/token issues, with `cli` as the client.
 */
export function registerToken(program: Command): void {
  program
    .command('token')
    .description("print a Management API access token signed with the tenant's current key")
    .requiredOption('--tenant <name>', 'the tenant')
    .option('--scope <scopes...>', 'scopes (default: every Management API scope)')
    .option('--ttl <seconds>', 'lifetime in seconds (default: ACCESS_TOKEN_TTL)')
    .option('--domain <domain>', "the host the token is for (default: the tenant's first domain)")
    .option('--json', 'print the token response as JSON instead of the bare token')
    .action(async (opts: { tenant: string; scope?: string[]; ttl?: string; domain?: string; json?: boolean }) => {
      const scopes = splitScopes(opts.scope) ?? [...MANAGEMENT_SCOPES];
      checkScopes(scopes);
      const ttlOption = parseTtl(opts.ttl);
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        const host = await tenantHost(c, tenant, opts.domain);
        const ttl = ttlOption ?? c.config.accessTokenTtl;
        const scope = scopes.join(' ');
        const token = await c.tokenKeys.sign(
          tenant.id,
          { iss: `https://${host}/`, sub: 'cli@clients', aud: managementAudience(host), azp: 'cli', scope, gty: 'client-credentials' },
          ttl,
        );
        if (opts.json) printJson({ access_token: token, token_type: 'Bearer', expires_in: ttl, scope });
        else process.stdout.write(`${token}\n`);
      });
    });
}
