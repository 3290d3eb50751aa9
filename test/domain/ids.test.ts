import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isId, newId, newNotificationId, newUserIdSuffix, randomBase62, randomBytesPooled, sortableId, timeOrderedBase62 } from '../../src/domain/ids.js';

test('randomBase62: the length asked for, base62 only, every symbol equally likely', () => {
  const counts = new Map<string, number>();
  const n = 3100;
  for (let i = 0; i < n; i++) {
    const s = randomBase62(100);
    assert.equal(s.length, 100);
    assert.match(s, /^[A-Za-z0-9]+$/);
    for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  assert.equal(counts.size, 62);
  // 310 000 symbols, 5 000 expected each. Taking byte % 62 without rejecting bytes ≥ 248 would give
  // the first eight symbols 5/4 of the others' share; random variation stays within a few per cent.
  const values = [...counts.values()];
  assert.ok(Math.max(...values) / Math.min(...values) < 1.12, `symbol counts from ${Math.min(...values)} to ${Math.max(...values)}`);
  assert.equal(new Set(Array.from({ length: 1000 }, () => randomBase62(22))).size, 1000);
});

test('ids: the Auth0 shape, and sortable ids sort by creation', () => {
  const id = newId('ntf');
  assert.ok(isId('ntf', id), id);
  assert.ok(!isId('pro', id));
  const a = sortableId(new Date(1000));
  const b = sortableId(new Date(1000));
  const c = sortableId(new Date(2000));
  assert.ok(a < b && b < c, `${a} ${b} ${c}`);
});

test('time-ordered ids: the Auth0 shapes, ordered by creation time, unique within one millisecond', () => {
  const id = newNotificationId();
  assert.ok(isId('ntf', id), id);
  // Byte order (SQLite's default collation of the primary key) follows the clock.
  const times = [0, 61, 62, 1_000, 1_764_000_000_000, 1_764_000_000_001, 1_764_000_000_062, 2_000_000_000_000, 62 ** 8 - 1];
  const ids = times.map((t) => timeOrderedBase62(22, t));
  const sorted = [...ids].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
  assert.deepEqual(sorted, ids);
  for (const s of ids) assert.match(s, /^[A-Za-z0-9]{22}$/);
  // The random part alone separates ids of the same millisecond.
  assert.equal(new Set(Array.from({ length: 1000 }, () => timeOrderedBase62(22, 5))).size, 1000);
  assert.throws(() => timeOrderedBase62(21), RangeError);
  assert.equal(timeOrderedBase62(32).length, 32);

  const user = newUserIdSuffix(1_764_000_000_999);
  assert.match(user, /^[0-9a-f]{24}$/);
  assert.equal(parseInt(user.slice(0, 8), 16), 1_764_000_000);
  assert.ok(newUserIdSuffix(1_764_000_001_000) > newUserIdSuffix(1_764_000_000_999));
});

test('randomBytesPooled: fresh bytes on every call, across refills of the pool', () => {
  const seen = new Set<string>();
  // 4 096 bytes a pool: 2 000 draws of 12 bytes cross several refills (and one that does not fit the rest).
  for (let i = 0; i < 2000; i++) {
    const b = randomBytesPooled(12);
    assert.equal(b.length, 12);
    seen.add(b.toString('hex'));
  }
  assert.equal(seen.size, 2000);
  // A copy, not a view: later draws do not change what was handed out.
  const first = randomBytesPooled(36);
  const copy = Buffer.from(first);
  for (let i = 0; i < 500; i++) randomBytesPooled(36);
  assert.deepEqual(first, copy);
});
