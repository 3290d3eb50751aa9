import { migrateToLatest, openStorage } from '../adapters/storage/db.js';
import type { Config } from '../config.js';

/**
 * Applies pending migrations on the configured database and says which, without building the rest
 * of the container: the container would migrate on open and so hide which migrations this run
 * applied, and migrating needs no secret key.
 */
export async function migrateDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<{ applied: string[]; dialect: string; location: string }> {
  const storage = openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return { applied: await migrateToLatest(storage), dialect: storage.dialect, location: storage.location };
  } finally {
    await storage.close();
  }
}
