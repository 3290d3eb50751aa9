import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, openStorage, type Storage } from '../../src/adapters/storage/db.js';

/**
 * An embedded database of the test file's own, migrated, with foreign keys off (what such a test
 * checks is a table's rows, not the tenants they hang on); removed after the file's tests.
 */
export async function scratchStorage(name: string): Promise<Storage> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `unifone-${name}-`));
  const storage = openStorage({ dataDir: dir });
  await migrateToLatest(storage);
  await sql`pragma foreign_keys = off`.execute(storage.db);
  after(async () => {
    await storage.db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return storage;
}
