import type { Command } from 'commander';
import { findTenant, printJson, withContainer } from './context.js';

/**
 * `unifone fraud-guard …`: the fraud guard's quarantines and safe list, and `unifone spend show`
 * (the same services as `/api/v2/attack-protection/phone-fraud-guard` and `…/phone-spend`; docs/abuse.md).
 */
export function registerFraudGuard(program: Command): void {
  const fraud = program.command('fraud-guard').description("a tenant's fraud guard: quarantined and safe-listed destination prefixes");

  fraud
    .command('quarantines')
    .description('list quarantines, newest first (with their rule and evidence)')
    .requiredOption('--tenant <name>', 'the tenant')
    .option('--active', 'only the active ones')
    .option('--prefix <prefix>', 'only this prefix')
    .action(async (opts: { tenant: string; active?: boolean; prefix?: string }) => {
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        const r = await c.services.phoneFraud.listQuarantines(tenant.id, { page: 0, perPage: 100, ...(opts.active ? { active: true } : {}), ...(opts.prefix ? { prefix: opts.prefix } : {}) });
        printJson(r.quarantines);
      });
    });

  fraud
    .command('release')
    .description('end an active quarantine now (the record stays)')
    .requiredOption('--tenant <name>', 'the tenant')
    .requiredOption('--id <id>', 'the quarantine id (fq_…)')
    .action(async (opts: { tenant: string; id: string }) => {
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        await c.services.phoneFraud.release(tenant.id, opts.id);
        printJson(await c.services.phoneFraud.getQuarantine(tenant.id, opts.id));
      });
    });

  const safe = fraud.command('safe').description('the safe list: prefixes never quarantined');
  safe
    .command('list')
    .requiredOption('--tenant <name>', 'the tenant')
    .action(async (opts: { tenant: string }) => {
      await withContainer(async (c) => printJson(await c.services.phoneFraud.listSafe((await findTenant(c, opts.tenant)).id)));
    });
  safe
    .command('add')
    .description('safe-list a prefix (and end its active quarantines)')
    .requiredOption('--tenant <name>', 'the tenant')
    .requiredOption('--prefix <prefix>', 'a prefix: + and 1 to 15 digits')
    .option('--note <text>', 'why', '')
    .action(async (opts: { tenant: string; prefix: string; note: string }) => {
      await withContainer(async (c) => printJson(await c.services.phoneFraud.addSafe((await findTenant(c, opts.tenant)).id, { prefix: opts.prefix, note: opts.note })));
    });
  safe
    .command('remove')
    .requiredOption('--tenant <name>', 'the tenant')
    .requiredOption('--prefix <prefix>', 'the prefix')
    .action(async (opts: { tenant: string; prefix: string }) => {
      await withContainer(async (c) => c.services.phoneFraud.removeSafe((await findTenant(c, opts.tenant)).id, opts.prefix));
    });

  program
    .command('spend')
    .description("a tenant's phone spend: caps, prices and what was spent")
    .command('show')
    .requiredOption('--tenant <name>', 'the tenant')
    .action(async (opts: { tenant: string }) => {
      await withContainer(async (c) => printJson(await c.services.phoneSpend.get((await findTenant(c, opts.tenant)).id)));
    });
}
