import type { Command } from 'commander';
import { cliConfig } from './context.js';

/**
 * `unifone migrate`. Opens storage directly rather than through the container: the container would
 * migrate on open and so hide which migrations this run applied, and migrating needs no secret key.
 */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (the server also applies them at start)')
    .action(async () => {
      const config = cliConfig();
      const { migrateToLatest, openStorage } = await import('../adapters/storage/db.js');
      const storage = openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrateToLatest(storage);
        const lines = applied.length ? applied.map((name) => `applied ${name}`) : ['up to date'];
        process.stdout.write(`${lines.join('\n')}\n`);
        process.stderr.write(`storage: ${storage.dialect} at ${storage.location}\n`);
      } finally {
        await storage.close();
      }
    });
}
