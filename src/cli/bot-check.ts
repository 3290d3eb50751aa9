import type { Command } from 'commander';
import { findTenant, printJson, withContainer } from './context.js';
import { readPolicyFile } from './send-policy.js';

/**
 * `unifone bot-check show|set --tenant T`: a tenant's bot check (the same service as
 * `/api/v2/attack-protection/phone-bot-check`). `set` applies the file as the API's PATCH does (a JSON
 * merge patch; `null` puts a field back to its default); the secret goes in the file, never on the
 * command line (where other users of the machine could read it). Bad input exits 2 naming what is wrong.
 */
export function registerBotCheck(program: Command): void {
  const bot = program.command('bot-check').description("a tenant's bot check: a CAPTCHA token required before a code is sent (passwordless, phone signup)");

  bot
    .command('show')
    .description('print the settings as the API returns them (never the secret: secret_set says whether one is stored)')
    .requiredOption('--tenant <name>', 'the tenant')
    .action(async (opts: { tenant: string }) => {
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        printJson(await c.services.phoneBotCheck.get(tenant.id));
      });
    });

  bot
    .command('set')
    .description('change the settings with a JSON file ({mode, provider, siteverify_url, secret, flows, on_verifier_error, hostnames}; see docs/abuse.md)')
    .requiredOption('--tenant <name>', 'the tenant')
    .requiredOption('--file <path>', 'the changes, as JSON (a merge patch)')
    .action(async (opts: { tenant: string; file: string }) => {
      const body = await readPolicyFile(opts.file);
      // What `show` prints can be edited and set again: `secret_set` describes the stored secret, it is not a setting.
      if (body && typeof body === 'object' && !Array.isArray(body)) delete (body as Record<string, unknown>)['secret_set'];
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        printJson(await c.services.phoneBotCheck.update(tenant.id, body));
      });
    });
}
