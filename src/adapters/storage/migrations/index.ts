import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-foundation.js';

/** Every migration, in order. Names sort; never rename or edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
