import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { loginFailureRepository } from '../../src/adapters/storage/login-failure-repository.js';
import { scratchStorage } from '../helpers/scratch-storage.js';
import { groupWrite } from '../../src/adapters/storage/write-batcher.js';

/**
 * On the embedded database the login failures' repository knows which users may have rows
 * (FailedUsers): a login of any other user reads nothing. What it holds must cover every row there
 * is: those an earlier process wrote (loaded) and its own (held before they are written).
 */
const storage = await scratchStorage('login-memo');

/** Until the steps of the group commit queued so far have run (the memo's load among them), and their callbacks. */
const settled = async () => {
  await groupWrite(storage.db, async () => undefined);
  await new Promise((r) => setImmediate(r));
};
const now = () => new Date().toISOString();

test('rows of an earlier process are loaded, the process sees its own at once, and a user it holds none for is answered without a read', async () => {
  await loginFailureRepository(storage.db).increment('t1', 'earlier', '203.0.113.1', now());
  // A new process.
  const repo = loginFailureRepository(storage.db);
  assert.equal(await repo.get('t1', 'nobody', '203.0.113.1'), undefined);
  await settled();
  assert.equal((await repo.get('t1', 'earlier', '203.0.113.1'))?.count, 1, 'the earlier process row is loaded');

  // A row written behind the process's back (nothing does that; here it shows where the answer came
  // from): for a user the process holds no rows for, it is not read.
  await sql`insert into login_failures (tenant_id, user_id, ip, count, blocked_at, updated_at) values ('t1', 'unseen', '203.0.113.1', 5, null, ${now()})`.execute(storage.db);
  assert.equal(await repo.get('t1', 'unseen', '203.0.113.1'), undefined);
  // The reference, with no memo (a repository inside a transaction): the row is there.
  const reference = await storage.db.transaction().execute((trx) => loginFailureRepository(trx).get('t1', 'unseen', '203.0.113.1'));
  assert.equal(reference?.count, 5);

  // Its own writes, for a user it had never seen, concurrent with the reads.
  const writes = Array.from({ length: 20 }, (_, i) => repo.increment('t1', `u${i % 4}`, '198.51.100.7', now()));
  await Promise.all(writes);
  for (let u = 0; u < 4; u++) assert.equal((await repo.get('t1', `u${u}`, '198.51.100.7'))?.count, 5);
  // Another tenant's user of the same id has none.
  assert.equal(await repo.get('t2', 'u0', '198.51.100.7'), undefined);
  // A right password forgets them, and the user is read again (and found to have none).
  assert.equal(await repo.clearUnlessBlocked('t1', 'u0', '198.51.100.7'), false);
  assert.equal(await repo.get('t1', 'u0', '198.51.100.7'), undefined);
  // A block is seen by the gate and by the reset.
  assert.equal(await repo.markBlocked('t1', 'u1', '198.51.100.7', now()), true);
  assert.ok((await repo.get('t1', 'u1', '198.51.100.7'))?.blockedAt);
  assert.equal(await repo.clearUnlessBlocked('t1', 'u1', '198.51.100.7'), true);
});

test('a read before the load has finished goes to the database', async () => {
  await loginFailureRepository(storage.db).increment('t3', 'early', '203.0.113.9', now());
  const repo = loginFailureRepository(storage.db);
  // The first read starts the load and reads; the second comes before the load's step has run.
  const [a, b] = await Promise.all([repo.get('t3', 'early', '203.0.113.9'), repo.get('t3', 'early', '203.0.113.9')]);
  assert.equal(a?.count, 1);
  assert.equal(b?.count, 1);
});
