import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, printJson } from './context.js';

/**
 * `unifone phone-migration translate FILE [--json]`: the code of a send-phone-message Action
 * translated for custom-phone-provider, on stdout; the warnings on stderr. Needs no database.
 */
export function registerPhoneMigration(program: Command): void {
  const migration = program.command('phone-migration').description('tools to move phone messaging to the Unified Phone Experience');

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
