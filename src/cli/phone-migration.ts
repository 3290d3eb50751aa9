import fs from 'node:fs/promises';
import type { Command } from 'commander';
import type { MigrationPlan } from '../domain/migration/plan.js';
import type { DeliveryMethod, MfaMessageType } from '../domain/ports.js';
import { CliError, findTenant, printJson, withContainer } from './context.js';

/** `text,voice` → ['text', 'voice'], refusing anything else. */
function listOption<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T[] => {
    const items = [...new Set(value.split(',').map((x) => x.trim()).filter(Boolean))];
    const bad = items.filter((x) => !(allowed as readonly string[]).includes(x));
    if (items.length === 0 || bad.length > 0) throw new CliError(`--${name} takes ${allowed.join(', ')} (comma-separated); got ${value}`);
    return items as T[];
  };
}

interface PlanOptions {
  tenant: string;
  deliveryMethods?: DeliveryMethod[];
  messageTypes?: MfaMessageType[];
}

const choicesOf = (o: PlanOptions) => ({ deliveryMethods: o.deliveryMethods, messageTypes: o.messageTypes });

/** The plan for a person: what was found, what it becomes, what stands in the way. */
function printPlanSummary(plan: MigrationPlan): void {
  const out: string[] = [];
  const { mfa, passwordless: pwd } = plan.sources;
  out.push(`tenant ${plan.tenant}: ${plan.status}${plan.eligible ? ', eligible' : ''}`);
  out.push(`  MFA: ${mfa.enabled ? `on (${mfa.message_types.join(', ')}) via ${mfa.selected_provider}` : 'off'}`);
  out.push(`  passwordless: ${pwd.enabled ? `on via ${pwd.provider}` : 'off'}`);
  if (plan.target) {
    out.push(`target: ${plan.target.kind} (${plan.target.reason})`);
    out.push(`  delivery methods: ${plan.delivery_methods.join(', ')}; MFA message types after: ${plan.message_types.join(', ')}`);
    for (const t of plan.templates) out.push(`  template ${t.type}: from ${t.source}`);
    if (plan.target.action) out.push(`  Action "${plan.target.action.name}" (${plan.target.action.source}): see --json for its code`);
    if (plan.secrets.length > 0) out.push(`  secrets copied only with --copy-secrets: ${plan.secrets.map((x) => x.name).join(', ')}`);
  }
  for (const c of plan.checks) out.push(`check ${c.ok ? 'ok  ' : 'FAIL'} ${c.message} (user action: ${c.user_action})`);
  for (const w of plan.warnings) out.push(`warning ${w.code}: ${w.message}`);
  for (const b of plan.blockers) out.push(`BLOCKER ${b.code}: ${b.message}`);
  out.push(`plan hash: ${plan.plan_hash}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * `unifone phone-migration plan|apply|rollback --tenant T`: the migration of a tenant's legacy phone
 * configuration to one tenant-level provider (the same service as `/api/v2/phone-migration`).
 * `unifone phone-migration translate FILE [--json]`: the code of a send-phone-message Action
 * translated for custom-phone-provider, on stdout; the warnings on stderr. Needs no database.
 */
export function registerPhoneMigration(program: Command): void {
  const migration = program.command('phone-migration').description('tools to move phone messaging to the Unified Phone Experience');

  const methods = listOption<DeliveryMethod>('delivery-methods', ['text', 'voice']);
  const types = listOption<MfaMessageType>('message-types', ['sms', 'voice']);

  migration
    .command('plan')
    .description('show what the migration of a tenant would do (sources, target, checks, templates, blockers)')
    .requiredOption('--tenant <name>', 'the tenant')
    .option('--delivery-methods <list>', 'the tenant provider\'s delivery methods: text, voice (comma-separated)', methods)
    .option('--message-types <list>', 'the MFA message types after the migration: sms, voice (comma-separated)', types)
    .option('--json', 'print the plan as the API returns it')
    .action(async (opts: PlanOptions & { json?: boolean }) => {
      await withContainer(async (c) => {
        const plan = await c.services.phoneMigration.plan(await findTenant(c, opts.tenant), choicesOf(opts));
        if (opts.json) printJson(plan);
        else printPlanSummary(plan);
      });
    });

  migration
    .command('apply')
    .description('apply the plan whose hash is given, in one transaction (or show its changes with --dry-run)')
    .requiredOption('--tenant <name>', 'the tenant')
    .requiredOption('--plan-hash <hash>', 'the plan_hash of the plan you read (refused if the tenant changed since)')
    .option('--delivery-methods <list>', 'as for plan', methods)
    .option('--message-types <list>', 'as for plan', types)
    .option('--copy-secrets', 'copy the secrets the plan lists into the new Action')
    .option('--dry-run', 'list the changes without writing them')
    .action(async (opts: PlanOptions & { planHash: string; copySecrets?: boolean; dryRun?: boolean }) => {
      await withContainer(async (c) => {
        const tenant = await findTenant(c, opts.tenant);
        printJson(await c.services.phoneMigration.apply(tenant, { planHash: opts.planHash, choices: choicesOf(opts), copySecrets: opts.copySecrets ?? false }, opts.dryRun ?? false));
      });
    });

  migration
    .command('rollback')
    .description('restore the legacy configuration a migration replaced and remove what it created')
    .requiredOption('--tenant <name>', 'the tenant')
    .option('--force', 'roll back even if objects the migration created were changed since')
    .action(async (opts: { tenant: string; force?: boolean }) => {
      await withContainer(async (c) => {
        printJson(await c.services.phoneMigration.rollback(await findTenant(c, opts.tenant), opts.force ?? false));
      });
    });

  migration
    .command('translate')
    .description('translate a send-phone-message Action (a .js file) into a custom-phone-provider Action')
    .argument('<file>', 'the Action code')
    .option('--json', 'print {code, changes, warnings, secrets} as JSON instead of the code')
    .action(async (file: string, opts: { json?: boolean }) => {
      const code = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${e.code ?? e.message}`);
      });
      const { translateSendPhoneMessage } = await import('../domain/migration/action-translator.js');
      const result = translateSendPhoneMessage(code);
      if (opts.json) printJson(result);
      else process.stdout.write(result.code.endsWith('\n') ? result.code : `${result.code}\n`);
      for (const w of result.warnings) process.stderr.write(`warning: ${file}:${w.line}: ${w.message} (${w.code})\n`);
      if (!opts.json && result.secrets.length > 0) process.stderr.write(`secrets to set on the new action: ${result.secrets.join(', ')}\n`);
    });
}
