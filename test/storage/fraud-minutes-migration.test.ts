import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openStorage } from '../../src/adapters/storage/db.js';
import { migrationsFor } from '../../src/adapters/storage/migrations/index.js';

test('migration 0015 sums the sends an older install recorded into their minutes (sends, verified, distinct numbers); 0016 keeps only the indexes read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-0015-'));
  const storage = openStorage({ dataDir: dir });
  try {
    const migrator = new Migrator({ db: storage.db, provider: migrationsFor('sqlite') });
    const upTo = await migrator.migrateTo('0014-phone-bot-check');
    assert.equal(upTo.error, undefined);
    // The sums are what is tested, not the tenant: no tenant row is needed for them.
    await sql`pragma foreign_keys = off`.execute(storage.db);
    const send = (id: string, recipient: string, at: string, verified: boolean) =>
      sql`insert into phone_fraud_sends (id, tenant_id, otp_id, prefix, country, recipient, created_at, verified_at)
          values (${id}, 't1', ${`otp${id}`}, '+99890123', 'UZ', ${recipient}, ${at}, ${verified ? at : null})`.execute(storage.db);
    await send('a', '+998901230001', '2026-12-01T10:00:05.000Z', true);
    await send('b', '+998901230001', '2026-12-01T10:00:40.000Z', false);
    await send('c', '+998901230002', '2026-12-01T10:00:59.999Z', false);
    await send('d', '+998901230003', '2026-12-01T10:01:00.000Z', true);

    const rest = await migrator.migrateToLatest();
    assert.equal(rest.error, undefined);
    assert.ok(rest.results?.some((r) => r.migrationName === '0015-phone-fraud-minutes' && r.status === 'Success'));
    const rows = (await sql<{ minute: string; country: string; sends: number; verified: number; numbers: number }>`
      select minute, country, sends, verified, numbers from phone_fraud_minutes where tenant_id = 't1' order by minute`.execute(storage.db)).rows;
    assert.deepEqual(rows, [
      { minute: '2026-12-01T10:00', country: 'UZ', sends: 3, verified: 1, numbers: 2 },
      { minute: '2026-12-01T10:01', country: 'UZ', sends: 1, verified: 1, numbers: 1 },
    ]);
    // 0016: the sends keep the indexes something reads (a code's verification, pruning by age); those
    // by prefix and by country are gone. 0018: on SQLite, the one by recipient too (the memo answers).
    const indexes = (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'phone_fraud_sends' and sql is not null order by name`.execute(storage.db)).rows;
    assert.deepEqual(
      indexes.map((r) => r.name),
      ['phone_fraud_sends_age', 'phone_fraud_sends_otp'],
    );
  } finally {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
