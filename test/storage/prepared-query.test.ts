import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kysely, SqliteDialect } from 'kysely';
import { fastInsert, preparedQuery, runInTransactionsDirectly } from '../../src/adapters/storage/compiled-queries.js';
import type { Database } from '../../src/adapters/storage/schema.js';
import { describeEachDialect } from '../helpers/harness.js';
import { scratchStorage } from '../helpers/scratch-storage.js';

describeEachDialect('prepared queries of the hot paths (built once, run with new values)', (env) => {
  const row = (id: string, subject: string, createdAt: string, tenantId: string) => ({
    id,
    tenant_id: tenantId,
    purpose: 'passwordless',
    subject,
    client_id: 'c',
    channel: 'sms',
    enrollment_id: null,
    code_hash: 'h',
    attempts: 0,
    max_attempts: 3,
    expires_at: '2999-01-01T00:00:00.000Z',
    consumed_at: null,
    created_at: createdAt,
  });
  const newest = (tenantId: string, subject: string) =>
    preparedQuery(env().c.storage.db, 'test.newest', { tenantId, subject }, (q, p) =>
      q.selectFrom('otp_codes').select(['id']).where('tenant_id', '=', p.tenantId).where('subject', '=', p.subject).orderBy('created_at', 'desc').limit(1),
    );

  test('each run gets its own values, literal parts stay, and the answer equals the query built anew', async () => {
    const { c } = env();
    const tenantId = (await c.storage.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
    const db = c.storage.db;
    await fastInsert(db, 'otp_codes', row('pq-1', 'sms|+1', '2026-01-01T00:00:00.000Z', tenantId));
    await fastInsert(db, 'otp_codes', row('pq-2', 'sms|+1', '2026-01-02T00:00:00.000Z', tenantId));
    await fastInsert(db, 'otp_codes', row('pq-3', 'sms|+2', '2026-01-01T00:00:00.000Z', tenantId));
    assert.deepEqual((await newest(tenantId, 'sms|+1')).rows, [{ id: 'pq-2' }], 'limit 1 kept, newest first');
    assert.deepEqual((await newest(tenantId, 'sms|+2')).rows, [{ id: 'pq-3' }], 'the second run used its own subject');
    assert.deepEqual((await newest('another-tenant', 'sms|+1')).rows, [], 'and its own tenant');
    const built = await db.selectFrom('otp_codes').select(['id']).where('tenant_id', '=', tenantId).where('subject', '=', 'sms|+1').orderBy('created_at', 'desc').limit(1).execute();
    assert.deepEqual((await newest(tenantId, 'sms|+1')).rows, built);
    const updated = await preparedQuery(db, 'test.consume', { now: '2026-02-01T00:00:00.000Z', id: 'pq-1' }, (q, p) =>
      q.updateTable('otp_codes').set({ consumed_at: p.now }).where('id', '=', p.id).where('consumed_at', 'is', null),
    );
    assert.equal(Number(updated.numAffectedRows), 1);
    const again = await preparedQuery(db, 'test.consume', { now: '2026-02-02T00:00:00.000Z', id: 'pq-1' }, () => {
      throw new Error('not built twice');
    });
    assert.equal(Number(again.numAffectedRows), 0, 'the conditional update does not match twice');
    const stored = await db.selectFrom('otp_codes').select('consumed_at').where('id', '=', 'pq-1').executeTakeFirstOrThrow();
    assert.equal(stored.consumed_at, '2026-02-01T00:00:00.000Z');
    await assert.rejects(
      preparedQuery(db, 'test.consume', { now: 'x' } as never, () => {
        throw new Error('not built twice');
      }),
      /no value for id/,
    );
    // Rows of one table in other shapes, in turn: each lands in its own columns.
    const { enrollment_id: _, ...fewer } = row('pq-4', 'sms|+4', '2026-01-04T00:00:00.000Z', tenantId);
    const reordered = Object.fromEntries(Object.entries(row('pq-5', 'sms|+5', '2026-01-05T00:00:00.000Z', tenantId)).reverse());
    await fastInsert(db, 'otp_codes', fewer);
    await fastInsert(db, 'otp_codes', reordered);
    await fastInsert(db, 'otp_codes', { ...row('pq-6', 'sms|+6', '2026-01-06T00:00:00.000Z', tenantId), subject: 'sms|+6b' });
    const stored3 = await db.selectFrom('otp_codes').select(['id', 'subject', 'created_at']).where('id', 'in', ['pq-4', 'pq-5', 'pq-6']).orderBy('id').execute();
    assert.deepEqual(stored3, [
      { id: 'pq-4', subject: 'sms|+4', created_at: '2026-01-04T00:00:00.000Z' },
      { id: 'pq-5', subject: 'sms|+5', created_at: '2026-01-05T00:00:00.000Z' },
      { id: 'pq-6', subject: 'sms|+6b', created_at: '2026-01-06T00:00:00.000Z' },
    ]);
  });
});

const codeRow = (id: string) => ({ id, tenant_id: 't', purpose: 'passwordless', subject: id, client_id: 'c', channel: 'sms', enrollment_id: null, code_hash: 'h', attempts: 0, max_attempts: 3, expires_at: '2999-01-01T00:00:00.000Z', consumed_at: null, created_at: '2026-01-01T00:00:00.000Z' });
const consume = (db: Kysely<Database>, id: string) =>
  preparedQuery(db, 'test.direct.consume', { id }, (q, p) => q.updateTable('otp_codes').set({ consumed_at: 'now' }).where('id', '=', p.id).where('consumed_at', 'is', null));

test('inside a transaction of the embedded database, the prepared statements run on the handle, not through Kysely', async () => {
  const storage = await scratchStorage('direct-lane');
  const raw = storage.handle.dialect === 'sqlite' ? storage.handle.database : assert.fail('embedded database expected');
  // A second Kysely on the same file, whose two ways to the statements are counted.
  const counted = () => {
    const seen: string[] = [];
    return { seen, prepare: (text: string) => (seen.push(text), raw.prepare(text)), close: () => undefined };
  };
  const viaKysely = counted();
  const viaHandle = counted();
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: viaKysely }) });
  runInTransactionsDirectly(db, viaHandle);
  await db.transaction().execute(async (trx) => {
    await fastInsert(trx, 'otp_codes', codeRow('c-1'));
    await consume(trx, 'c-1');
  });
  assert.deepEqual([viaHandle.seen.length, viaKysely.seen.filter((t) => !/^(begin|commit)$/i.test(t))], [2, []], 'both statements in the transaction ran on the handle');
  await consume(db, 'c-1');
  assert.equal(viaHandle.seen.length, 2, 'outside a transaction, Kysely runs it (it waits while another transaction holds the connection)');
  assert.equal(viaKysely.seen.length > 0 && /^update/.test(viaKysely.seen.at(-1)!), true);
});

test('a prepared statement run on the handle answers as Kysely does, and goes with its transaction', async () => {
  const storage = await scratchStorage('direct-lane-answers');
  const raw = storage.handle.dialect === 'sqlite' ? storage.handle.database : assert.fail('embedded database expected');
  const ids = () => (raw.prepare('select id from otp_codes order by id').all() as Array<{ id: string }>).map((r) => r.id);
  await storage.db.transaction().execute(async (trx) => {
    await fastInsert(trx, 'otp_codes', codeRow('d-1'));
    const first = await consume(trx, 'd-1');
    const second = await consume(trx, 'd-1');
    assert.deepEqual([first.numAffectedRows, second.numAffectedRows, first.rows], [1n, 0n, []], 'the answer Kysely gives');
    const read = await preparedQuery(trx, 'test.direct.read', { id: 'd-1' }, (q, p) => q.selectFrom('otp_codes').select(['id', 'consumed_at']).where('id', '=', p.id));
    assert.deepEqual(read.rows, [{ id: 'd-1', consumed_at: 'now' }]);
  });
  await assert.rejects(
    storage.db.transaction().execute(async (trx) => {
      await fastInsert(trx, 'otp_codes', codeRow('d-2'));
      await fastInsert(trx, 'otp_codes', codeRow('d-2'));
    }),
    /UNIQUE constraint failed/,
    'a failing statement rejects its promise',
  );
  await assert.rejects(
    storage.db.transaction().execute(async (trx) => {
      await fastInsert(trx, 'otp_codes', codeRow('d-3'));
      throw new Error('rolled back');
    }),
    /rolled back/,
  );
  assert.deepEqual(ids(), ['d-1'], 'what a transaction that failed wrote is gone with it');
});
