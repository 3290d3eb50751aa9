import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createRateCounters, journalStatements } from '../../src/adapters/rate-limits/rate-counters.js';
import { openStorage, migrateToLatest, type Storage } from '../../src/adapters/storage/db.js';
import { groupWrite } from '../../src/adapters/storage/write-batcher.js';
import { CounterJournal, type CounterJournalOptions } from '../../src/adapters/rate-limits/counter-journal.js';

/**
 * The embedded database's counters (`CounterJournal`): held in the process, journaled in the group
 * commit, read back at start. Each "restart" is a new adapter on the same file, as a new process is.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-journal-'));
const storage: Storage = openStorage({ dataDir: dir });
await migrateToLatest(storage);
after(async () => {
  await storage.db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});
const h = storage.handle;
if (h.dialect !== 'sqlite') throw new Error('the journal is the embedded database’s');
const db = h.database;
const commit = () => groupWrite(storage.db, async () => undefined);
const start = (journal?: CounterJournalOptions) => createRateCounters({ storage: h, groupCommit: (fn) => groupWrite(storage.db, () => fn()), ...(journal ? { journal } : {}) });
const rows = (name: string) => db.prepare(`SELECT points, expire, kind FROM rate_limit_journal WHERE key LIKE ? ORDER BY rowid`).all(`unifone:${name}:%`) as Array<{ points: number; expire: number | null; kind: number }>;

test('consumes are answered at once; one row per key and group commit, summed; nothing is read back until a restart', async () => {
  const held: Array<() => Promise<unknown>> = [];
  const c = createRateCounters({ storage: h, groupCommit: (fn) => new Promise((resolve, reject) => held.push(() => groupWrite(storage.db, () => fn()).then(resolve, reject))) });
  const spec = { name: 'j.held', limit: 3, windowSeconds: 60 };
  const states = await Promise.all(Array.from({ length: 5 }, () => c.consume(spec, 'k')));
  assert.deepEqual(
    states.map((s) => [s.consumed, s.allowed]),
    [
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, false],
    ],
  );
  assert.deepEqual(rows('j.held'), [], 'nothing written before the commit');
  await c.reward(spec, 'k');
  assert.equal((await c.get(spec, 'k'))?.consumed, 4);
  assert.equal(held.length, 1, 'one group write for the batch');
  await held.shift()!();
  assert.deepEqual(
    rows('j.held').map((r) => [r.points, r.kind]),
    [[4, 0]],
  );
  assert.equal((await c.consume(spec, 'k')).consumed, 5);
  await held.shift()!();
  assert.deepEqual(
    rows('j.held').map((r) => r.points),
    [4, 1],
  );
  // The key is stored hashed: the journal holds no key in clear.
  const keys = db.prepare(`SELECT key FROM rate_limit_journal`).all() as Array<{ key: string }>;
  assert.ok(keys.every((k) => !k.key.endsWith(':k')));
  await c.close();
  // A new process reads the journal back: the same total, the same window.
  const again = start();
  const s = await again.get(spec, 'k');
  assert.equal(s?.consumed, 5);
  assert.ok(s!.msBeforeNext > 55_000 && s!.msBeforeNext <= 60_000);
  assert.equal((await again.consume(spec, 'k')).consumed, 6);
  await again.close();
});

test('a block, a point taken back and a delete survive a restart; a block shorter than the window ends with it', async () => {
  const spec = { name: 'j.block', limit: 2, windowSeconds: 600 };
  const c = start();
  for (let i = 0; i < 3; i++) await c.consume(spec, 'b');
  // The window's points are journaled first; the block replaces them.
  await commit();
  await c.block(spec, 'b', 1);
  await c.consume(spec, 'other');
  await c.consume(spec, 'gone');
  await c.consume(spec, 'gone');
  await c.delete(spec, 'gone');
  await commit();
  await c.reward(spec, 'other');
  await commit();
  const blocked = await c.get(spec, 'b');
  assert.equal(blocked?.consumed, 3, 'a block is the limit plus one');
  assert.ok(blocked!.msBeforeNext <= 1000);
  await c.close();

  const second = start();
  assert.equal((await second.get(spec, 'b'))?.consumed, 3, 'the block is read back');
  assert.equal((await second.get(spec, 'other'))?.consumed, 0, 'the point taken back is read back');
  assert.equal(await second.get(spec, 'gone'), undefined, 'the deleted key stays deleted');
  await second.close();

  // Once the block is over, the window it replaced (600 s, three points) must not come back.
  await new Promise((r) => setTimeout(r, 1100));
  const third = start();
  assert.equal(await third.get(spec, 'b'), undefined);
  assert.equal((await third.consume(spec, 'b')).consumed, 1);
  await third.close();
});

/** The journal itself, for what the adapter does on a timer (the sweep). */
const journal = (o?: CounterJournalOptions) => new CounterJournal(journalStatements(db), (name, scope, value) => `unifone:${name}:${scope === undefined ? value : `${scope}:${value}`}`, (fn) => groupWrite(storage.db, () => fn()), o);
const id = (name: string, key: string) => ({ spec: { name, limit: 10, windowSeconds: 1 }, id: key });

test('expired rows are swept from the journal, and expired counters from memory; an expired window starts anew', async () => {
  const j = journal();
  const k = id('j.sweep', 's');
  j.consume(k.spec, k.id, 1);
  j.consume(k.spec, k.id, 1);
  await commit();
  assert.equal(rows('j.sweep').length, 1);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(j.consume(k.spec, k.id, 1).consumed, 1, 'a new window');
  await commit();
  assert.equal(rows('j.sweep').length, 2);
  // Rows are kept a minute past their expiry: swept as of two minutes from now, both go.
  j.sweep(Date.now() + 120_000);
  await commit();
  assert.equal(rows('j.sweep').length, 0);
  assert.equal(j.get(k.spec, k.id), undefined);
  j.close();
});

test('at most maxCounters are held: past it the oldest of the rule with the most is let go, and reported at the next sweep', async () => {
  const reports: number[] = [];
  const j = journal({ maxCounters: 4, onEvicted: (n) => reports.push(n) });
  // The oldest counter of all is the only one of its rule (a tenant's): the flooded rule pays, not it.
  const few = id('j.few', '*');
  j.consume(few.spec, few.id, 1);
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => id('j.cap', x));
  for (const k of [a, b, c, d]) j.consume(k!.spec, k!.id, 1);
  j.consume(d!.spec, d!.id, 1);
  assert.equal(j.get(a!.spec, a!.id), undefined, 'the oldest counter of the biggest rule was let go');
  assert.equal(j.get(few.spec, few.id)?.consumed, 1, 'the oldest of all stays');
  assert.equal(j.get(b!.spec, b!.id)?.consumed, 1);
  assert.equal(j.get(d!.spec, d!.id)?.consumed, 2);
  j.sweep(Date.now());
  assert.deepEqual(reports, [1]);
  j.sweep(Date.now());
  assert.deepEqual(reports, [1], 'reported once');
  await commit();
  // The counter let go before its row was taken still has its point written.
  assert.deepEqual(
    db.prepare(`SELECT key, points FROM rate_limit_journal WHERE key LIKE 'unifone:j.cap:%' ORDER BY key`).all(),
    ['a', 'b', 'c', 'd'].map((k) => ({ key: `unifone:j.cap:${k}`, points: k === 'd' ? 2 : 1 })),
  );
  // A place freed (a delete) is used by the next new counter, which starts from nothing.
  j.delete(b!.spec, b!.id);
  const e = id('j.cap', 'e');
  assert.equal(j.consume(e.spec, e.id, 1).consumed, 1);
  assert.equal(j.get(b!.spec, b!.id), undefined);
  assert.equal(j.get(c!.spec, c!.id)?.consumed, 1);
  await commit();
  j.close();
});

test('an upgrade moves the live rows of rate_limits into the journal', async () => {
  const now = Date.now();
  db.prepare('INSERT INTO rate_limits (key, points, expire) VALUES (?, ?, ?), (?, ?, ?)').run('unifone:j.up:live', 4, now + 60_000, 'unifone:j.up:dead', 9, now - 1);
  const c = start();
  assert.equal((db.prepare('SELECT count(*) AS n FROM rate_limits').get() as { n: number }).n, 0);
  assert.deepEqual(
    rows('j.up').map((r) => [r.points, r.kind]),
    [[4, 1]],
  );
  await c.close();
});

test('a key given in its parts (the send path) is the same counter as the key whole, before and after a restart', async () => {
  const spec = { name: 'j.parts', limit: 5, windowSeconds: 60 };
  const c = start();
  assert.equal(c.consumeNow!(spec, 'ten_a', '+14155550100').consumed, 1);
  assert.equal(c.consumeNow!(spec, 'ten_a', '+14155550100').consumed, 2);
  assert.equal((await c.consume(spec, 'ten_a\0+14155550100')).consumed, 3, 'the whole key finds the counter of the parts');
  assert.equal(c.consumeNow!(spec, 'ten_b', '+14155550100').consumed, 1, 'another scope is another counter');
  await commit();
  const stored = `unifone:j.parts:${createHash('sha256').update('ten_a\0+14155550100').digest('base64url')}`;
  assert.deepEqual(db.prepare(`SELECT sum(points) AS n FROM rate_limit_journal WHERE key = ?`).get(stored), { n: 3 }, 'stored under the hash of the whole key');
  await c.close();
  const again = start();
  assert.equal(again.consumeNow!(spec, 'ten_a', '+14155550100').consumed, 4);
  await again.close();
});
