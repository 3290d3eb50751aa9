import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStorage } from '../../src/adapters/storage/db.js';

test('the storage location printed at start carries no PostgreSQL password, in the userinfo or the query', async () => {
  // Nothing connects: the pool opens connections on first use.
  const storage = openStorage({ databaseUrl: 'postgres://app:s3cret-one@127.0.0.1:5432/unifone?password=s3cret-two&sslmode=disable', dataDir: '/nonexistent' });
  try {
    assert.doesNotMatch(storage.location, /s3cret/);
    assert.match(storage.location, /^postgres:\/\/app@127\.0\.0\.1:5432\/unifone/);
  } finally {
    await storage.close();
  }
});

test('the embedded database, its WAL and its folder are the owner\'s alone, and an older install is tightened', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { sql } = await import('kysely');
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-modes-'));
  try {
    const fresh = path.join(parent, 'fresh');
    const storage = openStorage({ dataDir: fresh });
    await sql`create table t (x integer)`.execute(storage.db);
    await sql`insert into t values (1)`.execute(storage.db);
    assert.equal(mode(fresh), 0o700);
    for (const f of ['unifone.db', 'unifone.db-wal', 'unifone.db-shm']) assert.equal(mode(path.join(fresh, f)), 0o600, f);
    await storage.close();

    // An install made before: a world-readable folder and database.
    const old = path.join(parent, 'old');
    fs.mkdirSync(old, { mode: 0o755 });
    fs.chmodSync(old, 0o755);
    fs.writeFileSync(path.join(old, 'unifone.db'), '', { mode: 0o644 });
    fs.chmodSync(path.join(old, 'unifone.db'), 0o644);
    const reopened = openStorage({ dataDir: old });
    await sql`create table t (x integer)`.execute(reopened.db);
    await reopened.close();
    assert.equal(mode(old), 0o700);
    assert.equal(mode(path.join(old, 'unifone.db')), 0o600);
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
