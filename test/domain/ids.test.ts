import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isId, newId, randomBase62, sortableId } from '../../src/domain/ids.js';

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
