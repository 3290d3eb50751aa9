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
