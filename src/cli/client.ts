import type { Command } from 'commander';
import { MANAGEMENT_SCOPES, isManagementScope, managementAudience } from '../domain/scopes.js';
import { CliError, findTenant, printJson, splitScopes, tenantHost, withContainer } from './context.js';

/** Refuses unknown scopes up front, so that no client is created whose grant would then be refused. */
export function checkScopes(scopes: string[]): void {
  const unknown = scopes.filter((s) => !isManagementScope(s));
  if (unknown.length) throw new CliError(`unknown scope(s): ${unknown.join(', ')}`);
}

/** `unifone client create`: a machine-to-machine client granted Management API scopes. */
export function registerClient(program: Command): void {
  const client = program.command('client').description('create Management API clients');

  client
    .command('create')
    .description('create a client_credentials client with a Management API grant (secret shown once)')
    .requiredOption('--tenant <name>', 'the tenant')
    .requiredOption('--name <name>', 'the client name')
    .option('--scope <scopes...>', 'granted scopes (default: every Management API scope)')
    .option('--domain <domain>', "the audience's host (default: the tenant's first domain)")
    .action(async (opts: { tenant: string; name: string; scope?: string[]; domain?: string }) => {
      const scopes = splitScopes(opts.scope) ?? [...MANAGEMENT_SCOPES];
      checkScopes(scopes);
      const name = opts.name.trim();
      if (!name) throw new CliError('--name must not be empty');
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        const audience = managementAudience(await tenantHost(c, tenant, opts.domain));
        const { client: created, secret } = await c.services.clients.create(tenant.id, {
          name,
          appType: 'non_interactive',
          grantTypes: ['client_credentials'],
        });
        await c.services.clients.createGrant(tenant.id, { clientId: created.clientId, audience, scope: scopes });
        printJson({ tenant: tenant.name, client_id: created.clientId, client_secret: secret, name: created.name, audience, scope: scopes });
      });
    });
}
