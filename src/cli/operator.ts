import type { Command } from 'commander';
import { isOperatorRole } from '../domain/operators/scopes.js';
import { CliError, collect, printJson, withContainer } from './context.js';

/** `unifone operator create|list`: dashboard operators (the password is printed once, never stored in clear). */
export function registerOperator(program: Command): void {
  const operator = program.command('operator').description('create and list dashboard operators');

  operator
    .command('create')
    .description('create a dashboard operator; prints a generated password once')
    .argument('<email>', 'the sign-in email')
    .option('--tenant <name>', 'a tenant the operator may manage (repeatable)', collect)
    .option('--all', 'the operator may manage every tenant, present and future')
    .option('--role <role>', 'admin (may change everything) or viewer (read-only)', 'admin')
    .action(async (email: string, opts: { tenant?: string[]; all?: boolean; role: string }) => {
      if (!isOperatorRole(opts.role)) throw new CliError('--role must be admin or viewer');
      if (opts.all && opts.tenant) throw new CliError('give either --tenant or --all, not both');
      if (!opts.all && !opts.tenant) throw new CliError('give --tenant NAME (repeatable) or --all');
      const role = opts.role;
      await withContainer(async (c) => {
        for (const t of opts.tenant ?? []) {
          if (!(await c.repos.tenants.findByName(t))) throw new CliError(`unknown tenant: ${t}`);
        }
        const { operator: op, password } = await c.dashboard.operators.create({ email, role, tenants: opts.all ? '*' : opts.tenant! });
        printJson({ email: op.email, role: op.role, tenants: op.tenants, password });
      });
    });

  operator
    .command('list')
    .description('list dashboard operators (never their passwords)')
    .action(async () => {
      await withContainer(async (c) => {
        printJson((await c.dashboard.operators.list()).map((o) => ({ email: o.email, role: o.role, tenants: o.tenants, created_at: o.createdAt })));
      });
    });
}
