import type { Command } from 'commander';
import { cliConfig } from './context.js';

/** `unifone migrate`: the migrations alone, not the whole container (see composition/migrate.ts). */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (the server also applies them at start)')
    .action(async () => {
      const config = cliConfig();
      const { migrateDatabase } = await import('../composition/migrate.js');
      const { applied, dialect, location } = await migrateDatabase(config);
      const lines = applied.length ? applied.map((name) => `applied ${name}`) : ['up to date'];
      process.stdout.write(`${lines.join('\n')}\n`);
      process.stderr.write(`storage: ${dialect} at ${location}\n`);
    });
}
