import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openStorage, type Storage } from '../../src/adapters/storage/db.js';
import { migrationsFor } from '../../src/adapters/storage/migrations/index.js';

/**
 * Runs `fn` on an embedded database of its own, migrated up to `migration`, with foreign keys off
 * (what these tests check is a table's rows, not the tenants they hang on); removed afterwards.
 */
async function migratedTo(migration: string, fn: (storage: Storage, migrator: Migrator) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-migration-'));
  const storage = openStorage({ dataDir: dir });
  try {
    const migrator = new Migrator({ db: storage.db, provider: migrationsFor('sqlite') });
    assert.equal((await migrator.migrateTo(migration)).error, undefined);
    await sql`pragma foreign_keys = off`.execute(storage.db);
    await fn(storage, migrator);
  } finally {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('migration 0015 sums the sends an older install recorded into their minutes (sends, verified, distinct numbers); 0016 keeps only the indexes read', () =>
  migratedTo('0014-phone-bot-check', async (storage, migrator) => {
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
    // 0016: the sends keep the indexes something reads; those by prefix and by country are gone.
    // 0018: on SQLite, the one by recipient too (the memo answers). 0019: the one by code too (a
    // verification is counted from the code's row). 0020: the one by age too (the table is in time
    // order), and the sends are all there.
    const indexes = (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'phone_fraud_sends' and sql is not null order by name`.execute(storage.db)).rows;
    assert.deepEqual(indexes, []);
    const kept = (await sql<{ id: string }>`select id from phone_fraud_sends order by created_at`.execute(storage.db)).rows;
    assert.deepEqual(
      kept.map((r) => r.id),
      ['a', 'b', 'c', 'd'],
    );
  }));

test('migration 0019 moves the fraud record of the codes that can still be verified onto their rows, and back', () =>
  migratedTo('0018-fraud-sends-recipient-index', async (storage, migrator) => {
    const at = '2026-12-01T10:00:05.000Z';
    const code = (id: string, consumed: boolean) =>
      sql`insert into otp_codes (id, tenant_id, purpose, subject, client_id, channel, enrollment_id, code_hash, attempts, max_attempts, expires_at, consumed_at, created_at)
          values (${id}, 't1', 'passwordless', 'sms|+998901230001', 'c1', 'sms', null, 'h', 0, 3, '2026-12-01T10:05:00.000Z', ${consumed ? at : null}, ${at})`.execute(storage.db);
    const send = (id: string, otpId: string, verified: boolean) =>
      sql`insert into phone_fraud_sends (id, tenant_id, otp_id, prefix, country, recipient, created_at, verified_at)
          values (${id}, 't1', ${otpId}, '+99890123', 'UZ', '+998901230001', ${at}, ${verified ? at : null})`.execute(storage.db);
    await code('open', false);
    await send('s1', 'open', false);
    await code('used', true);
    await send('s2', 'used', true);
    await code('unrecorded', false);

    assert.equal((await migrator.migrateTo('0019-otp-fraud-columns')).error, undefined);
    const rows = (await sql<{ id: string; fraud_prefix: string | null; fraud_country: string | null }>`select id, fraud_prefix, fraud_country from otp_codes order by id`.execute(storage.db)).rows;
    assert.deepEqual(rows, [
      { id: 'open', fraud_prefix: '+99890123', fraud_country: 'UZ' },
      { id: 'unrecorded', fraud_prefix: null, fraud_country: null },
      { id: 'used', fraud_prefix: null, fraud_country: null },
    ]);
    const columns = (await sql<{ name: string }>`select name from pragma_table_info('phone_fraud_sends')`.execute(storage.db)).rows.map((r) => r.name);
    assert.ok(!columns.includes('verified_at'));

    // Down puts the column and the index back (the record stays on the sends, unverified).
    assert.equal((await migrator.migrateTo('0018-fraud-sends-recipient-index')).error, undefined);
    const after = (await sql<{ name: string }>`select name from pragma_table_info('otp_codes')`.execute(storage.db)).rows.map((r) => r.name);
    assert.ok(!after.includes('fraud_prefix') && !after.includes('fraud_country'));
    const indexes = (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'phone_fraud_sends' and sql is not null order by name`.execute(storage.db)).rows;
    assert.deepEqual(indexes.map((r) => r.name), ['phone_fraud_sends_age', 'phone_fraud_sends_otp']);
  }));

test('migration 0020 keeps the sends in time order on the embedded database (one tree, read by time), and back', () =>
  migratedTo('0019-otp-fraud-columns', async (storage, migrator) => {
    const send = (id: string, at: string) =>
      sql`insert into phone_fraud_sends (id, tenant_id, otp_id, prefix, country, recipient, created_at) values (${id}, 't1', ${`otp${id}`}, '+99890123', 'UZ', '+998901230001', ${at})`.execute(storage.db);
    await send('late', '2026-12-01T10:00:09.000Z');
    await send('early', '2026-12-01T10:00:01.000Z');
    const withoutRowid = async () => (await sql<{ wr: number }>`select wr from pragma_table_list where name = 'phone_fraud_sends'`.execute(storage.db)).rows[0]?.wr;
    assert.equal(await withoutRowid(), 0);

    assert.equal((await migrator.migrateTo('0020-fraud-sends-by-time')).error, undefined);
    assert.equal(await withoutRowid(), 1);
    const rows = (await sql<{ id: string; otp_id: string }>`select id, otp_id from phone_fraud_sends`.execute(storage.db)).rows;
    assert.deepEqual(rows, [
      { id: 'early', otp_id: 'otpearly' },
      { id: 'late', otp_id: 'otplate' },
    ]);
    // The reads by time (the recipients since a moment, the pruning) search the table's own key.
    const plan = (await sql<{ detail: string }>`explain query plan select tenant_id, recipient, max(created_at) from phone_fraud_sends where created_at >= '2026-12-01T10:00:05' group by tenant_id, recipient`.execute(storage.db)).rows;
    assert.ok(plan.some((p) => /SEARCH phone_fraud_sends USING PRIMARY KEY \(created_at>\?\)/.test(p.detail)), JSON.stringify(plan));

    assert.equal((await migrator.migrateTo('0019-otp-fraud-columns')).error, undefined);
    assert.equal(await withoutRowid(), 0);
    assert.equal((await sql<{ n: number }>`select count(*) as n from phone_fraud_sends`.execute(storage.db)).rows[0]?.n, 2);
    const indexes = (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'phone_fraud_sends' and sql is not null`.execute(storage.db)).rows;
    assert.deepEqual(indexes.map((r) => r.name), ['phone_fraud_sends_age']);
  }));
