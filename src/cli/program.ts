import { Command, CommanderError } from 'commander';
import { SecretBoxError } from '../adapters/crypto/secret-box.js';
import { ConfigError } from '../config.js';
import { isAppError } from '../domain/errors.js';
import { registerClient } from './client.js';
import { CliError } from './context.js';
import { registerKeys } from './keys.js';
import { registerMigrate } from './migrate.js';
import { registerOperator } from './operator.js';
import { registerPhoneMigration } from './phone-migration.js';
import { registerSendPolicy } from './send-policy.js';
import { registerFraudGuard } from './fraud-guard.js';
import { registerVelocityLimits } from './velocity-limits.js';
import { registerBotCheck } from './bot-check.js';
import { registerTenant } from './tenant.js';
import { registerToken } from './token.js';

/** Exit codes: 0 success, 1 unexpected failure (database down, bug), 2 bad input or configuration. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('unifone')
    .description('unifone operator CLI. Reads DATA_DIR, DATABASE_URL and UNIFONE_SECRET_KEY like the server.')
    // Commander exits the process itself by default; throwing lets run() choose the exit code and
    // close storage first. Subcommands inherit both settings because they are set before they exist.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerMigrate(program);
  registerTenant(program);
  registerClient(program);
  registerToken(program);
  registerKeys(program);
  registerPhoneMigration(program);
  registerOperator(program);
  registerSendPolicy(program);
  registerFraudGuard(program);
  registerVelocityLimits(program);
  registerBotCheck(program);
  return program;
}

/** One line for the operator: the message, never a stack trace. */
function describe(e: unknown): string {
  if (e instanceof AggregateError && !e.message) return e.errors.map(describe).join('; ');
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return (e.message || (typeof code === 'string' ? code : e.name)).split('\n')[0]!;
  }
  return String(e);
}

function isUsageError(e: unknown): boolean {
  return e instanceof CliError || e instanceof ConfigError || e instanceof SecretBoxError || isAppError(e);
}

/** Runs the CLI on `argv` (without the node and script paths); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    // Commander already printed its own message (unknown option, missing argument, help).
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    process.stderr.write(`error: ${describe(e)}\n`);
    return isUsageError(e) ? EXIT_USAGE : EXIT_FAILURE;
  }
}
