import type { Command } from 'commander';
import { findTenant, printJson, withContainer } from './context.js';
import { readPolicyFile } from './send-policy.js';

/**
 * `unifone velocity-limits show|set --tenant T`: a tenant's velocity limits (the same service as
 * `/api/v2/attack-protection/phone-velocity-limits`). `set` replaces the whole policy with the file's
 * (a part left out is its default); bad input exits 2 naming what is wrong.
 */
export function registerVelocityLimits(program: Command): void {
  const limits = program.command('velocity-limits').description("a tenant's velocity limits: sends per recipient, user, IP, client, tenant, prefix and country, and the backoff");

  limits
    .command('show')
    .description('print the limits as the API returns them (the defaults when none were set)')
    .requiredOption('--tenant <name>', 'the tenant')
    .action(async (opts: { tenant: string }) => {
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        printJson(await c.services.velocityPolicy.get(tenant.id));
      });
    });

  limits
    .command('set')
    .description('replace the limits with those in a JSON file ({backoff, rules}; see docs/abuse.md)')
    .requiredOption('--tenant <name>', 'the tenant')
    .requiredOption('--file <path>', 'the limits, as JSON')
    .action(async (opts: { tenant: string; file: string }) => {
      const body = await readPolicyFile(opts.file);
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        printJson(await c.services.velocityPolicy.replace(tenant.id, body));
      });
    });
}
