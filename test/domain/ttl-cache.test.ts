import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TtlCache } from '../../src/domain/ttl-cache.js';

/** The cache of reads behind `ReadCache` and the fraud guard's slow counts. */
test('a key of two parts: each pair loaded once within the time, apart from every other pair', async () => {
  const c = new TtlCache(1000);
  let loads = 0;
  const load = (v: string) => () => (loads++, Promise.resolve(v));
  assert.equal(await c.getPair('ten_a', 'sms', 0, load('a/sms')), 'a/sms');
  assert.equal(await c.getPair('ten_a', 'voice', 0, load('a/voice')), 'a/voice');
  assert.equal(await c.getPair('ten_b', 'sms', 0, load('b/sms')), 'b/sms');
  assert.equal(await c.getPair('ten_a', 'sms', 999, load('again')), 'a/sms', 'kept within the time');
  assert.equal(loads, 3);
  assert.equal(await c.getPair('ten_a', 'sms', 1000, load('a/sms 2')), 'a/sms 2', 'loaded again once the time is over');
  assert.equal(await c.get('ten_a', 1000, load('one part')), 'one part', 'a one-part key is not a pair with any second part');
  c.clear();
  assert.equal(await c.getPair('ten_a', 'voice', 1001, load('after clear')), 'after clear');
});

test('a failed load is not kept; a newer load of the key is not dropped by an older failure', async () => {
  const c = new TtlCache(1000);
  await assert.rejects(c.get('k', 0, () => Promise.reject(new Error('down'))));
  assert.equal(await c.get('k', 1, () => Promise.resolve('up')), 'up');
  let fail!: (e: Error) => void;
  const slow = c.get('j', 0, () => new Promise<string>((_, reject) => (fail = reject)));
  c.clear();
  const fresh = c.get('j', 1, () => Promise.resolve('fresh'));
  fail(new Error('late'));
  await assert.rejects(slow);
  assert.equal(await c.get('j', 2, () => Promise.resolve('not asked')), 'fresh');
  assert.equal(await fresh, 'fresh');
});

test('at most 10,000 keys: past it the first part loaded longest ago goes, with its second parts', async () => {
  const c = new TtlCache(60_000);
  for (let i = 0; i < 5000; i++) await c.getPair('old', i, 0, () => Promise.resolve(i));
  for (let i = 0; i < 5000; i++) await c.getPair(`t${i}`, 0, 0, () => Promise.resolve(i));
  assert.equal(await c.getPair('old', 7, 1, () => Promise.resolve('reloaded')), 7, 'still held at 10,000');
  await c.getPair('new', 0, 1, () => Promise.resolve('new'));
  assert.equal(await c.getPair('old', 7, 2, () => Promise.resolve('reloaded')), 'reloaded', 'the oldest row went whole');
  assert.equal(await c.getPair('t1', 0, 2, () => Promise.resolve('reloaded')), 1, 'the others stay');
});
