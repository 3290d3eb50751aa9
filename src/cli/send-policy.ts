import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, findTenant, printJson, withContainer } from './context.js';

/** The policy file: JSON, read before the database is opened (`updated_at`, as `show` prints it, is dropped). */
export async function readPolicyFile(file: string): Promise<unknown> {
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${file}: ${e.code ?? e.message}`);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  // What `show` prints can be edited and set again: its `updated_at` is not part of the policy.
  if (value && typeof value === 'object' && !Array.isArray(value) && 'updated_at' in value) {
    const { updated_at: _ignored, ...policy } = value as Record<string, unknown>;
    return policy;
  }
  return value;
}

/**
 * `unifone send-policy show|set --tenant T`: a tenant's phone send policy (the same service as
 * `/api/v2/attack-protection/phone-send-policy`). `set` replaces the whole policy with the file's
 * (a part left out is its default); bad input exits 2 naming what is wrong.
 */
export function registerSendPolicy(program: Command): void {
  const policy = program.command('send-policy').description("a tenant's phone send policy: countries, number types, delivery methods per flow");

  policy
    .command('show')
    .description('print the policy as the API returns it (the defaults when none was set)')
    .requiredOption('--tenant <name>', 'the tenant')
    .action(async (opts: { tenant: string }) => {
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        printJson(await c.services.phoneSendPolicy.get(tenant.id));
      });
    });

  policy
    .command('set')
    .description('replace the policy with the one in a JSON file ({countries, number_types, flows}; see docs/abuse.md)')
    .requiredOption('--tenant <name>', 'the tenant')
    .requiredOption('--file <path>', 'the policy, as JSON')
    .action(async (opts: { tenant: string; file: string }) => {
      const body = await readPolicyFile(opts.file);
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        printJson(await c.services.phoneSendPolicy.replace(tenant.id, body));
      });
    });
}
