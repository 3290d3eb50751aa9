import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { decodeProtectedHeader, exportJWK, importJWK, jwtVerify } from 'jose';
import { ThreadSigner, joseSigner, type SigningKey } from '../../src/adapters/crypto/jws-signer.js';

const newKey = (kid: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key: SigningKey = { kid, pem, privateKey: createPrivateKey(pem) };
  return { key, publicKey };
};

/** Runs `fn` with a thread signer of `threads` threads, closed afterwards whatever happens. */
async function withSigner(threads: number, fn: (signer: ThreadSigner) => Promise<void>): Promise<void> {
  const signer = new ThreadSigner(threads);
  try {
    await fn(signer);
  } finally {
    await signer.close();
  }
}

test('signing threads produce RS256 tokens that jose verifies, with the right key for each kid, under concurrency', async () => {
  const a = newKey('kid-a');
  const b = newKey('kid-b');
  await withSigner(2, async (signer) => {
    const jobs = Array.from({ length: 40 }, (_, i) => {
      const k = i % 2 ? b : a;
      return signer.sign(k.key, { sub: `user-${i}`, aud: 'x', iat: 1, exp: 4_000_000_000 }).then((token) => ({ token, k, i }));
    });
    for (const { token, k, i } of await Promise.all(jobs)) {
      assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', typ: 'JWT', kid: k.key.kid });
      const { payload } = await jwtVerify(token, k.publicKey, { algorithms: ['RS256'], audience: 'x' });
      assert.equal(payload.sub, `user-${i}`);
      const other = k === a ? b : a;
      await assert.rejects(jwtVerify(token, other.publicKey), 'a token never verifies with the other key');
    }
  });
});

test('a thread signer and jose produce the same token for the same key and claims (RS256 is deterministic)', async () => {
  const { key, publicKey } = newKey('same');
  await withSigner(1, async (signer) => {
    const claims = { iss: 'https://localhost/', sub: 'sms|1', aud: 'c', scope: 'openid', iat: 1_700_000_000, exp: 1_700_003_600 };
    assert.equal(await signer.sign(key, claims), await joseSigner.sign(key, claims));
    const jwk = await importJWK(await exportJWK(publicKey), 'RS256');
    await jwtVerify(await signer.sign(key, claims), jwk, { currentDate: new Date(1_700_000_100_000) });
  });
});

test('a signing thread that dies fails its pending tokens and is replaced by the next call', async () => {
  const { key, publicKey } = newKey('good');
  await withSigner(1, async (signer) => {
    assert.equal((await jwtVerify(await signer.sign(key, { sub: 'before' }), publicKey)).payload.sub, 'before');
    // A key the thread cannot load kills it (the key message is not answered): the token waiting behind it fails.
    await assert.rejects(signer.sign({ ...key, kid: 'broken', pem: 'not a key' }, { sub: 'lost' }), /signing thread (failed|exited)/);
    assert.equal((await jwtVerify(await signer.sign(key, { sub: 'after' }), publicKey)).payload.sub, 'after', 'a new thread, given the key again');
    await signer.close();
    assert.equal((await jwtVerify(await signer.sign(key, { sub: 'reopened' }), publicKey)).payload.sub, 'reopened');
  });
});
