import type { Command } from 'commander';
import { bootstrapDefaultTenant } from '../domain/tenants/bootstrap.js';
import { CliError, collect, printJson, withContainer } from './context.js';

/** `unifone tenant create|list`. */
export function registerTenant(program: Command): void {
  const tenant = program.command('tenant').description('create and list tenants');

  tenant
    .command('create')
    .description('create a tenant, its signing key and an all-scopes management client (credentials shown once)')
    .argument('<name>', 'tenant name: 3-64 lower-case letters, digits or hyphens')
    .requiredOption('--domain <domain>', 'a host name the tenant answers to (repeatable; the first is primary)', collect)
    .option('--friendly-name <name>', 'display name (default: the tenant name)')
    .action(async (name: string, opts: { domain: string[]; friendlyName?: string }) => {
      const domains = [...new Set(opts.domain.map((d) => d.trim().toLowerCase()))];
      if (opts.friendlyName !== undefined && !opts.friendlyName.trim()) throw new CliError('--friendly-name must not be empty');
      await withContainer(async (c) => {
        // The same path as the server's first-start bootstrap, so both kinds of tenant look alike.
        const result = await bootstrapDefaultTenant(c.repos, c.services.tenants, c.services.clients, name, domains);
        if (!result?.created) throw new CliError(`a tenant named ${name} already exists`);
        let t = result.tenant;
        if (opts.friendlyName !== undefined) t = await c.services.tenants.updateSettings(t.id, { friendlyName: opts.friendlyName.trim() });
        printJson({
          tenant: { id: t.id, name: t.name, friendly_name: t.friendlyName, domains, created_at: t.createdAt },
          client_id: result.created.clientId,
          client_secret: result.created.clientSecret,
          audience: result.created.audience,
        });
      });
    });

  tenant
    .command('list')
    .description('list tenants and their domains')
    .action(async () => {
      await withContainer(async (c) => {
        const tenants = await c.repos.tenants.list();
        const rows = [];
        for (const t of tenants) {
          rows.push({ id: t.id, name: t.name, friendly_name: t.friendlyName, domains: await c.repos.tenants.domains(t.id), created_at: t.createdAt });
        }
        printJson(rows);
      });
    });
}
