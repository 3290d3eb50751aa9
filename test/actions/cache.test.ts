import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionCacheRepository } from '../../src/adapters/storage/action-repository.js';
import { ActionCacheSession, CACHE_LIMITS } from '../../src/domain/actions/cache.js';
import { describeEachDialect } from '../helpers/harness.js';

describeEachDialect('api.cache limits and sharing', (env) => {
  test('sizes, expiry, entry count and per-execution writes follow the documented limits', async () => {
    const tenant = (await env().c.repos.tenants.findByName('default'))!;
    let now = Date.parse('2026-06-01T00:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const repo = actionCacheRepository(env().c.storage.db);
    const s = new ActionCacheSession(repo, tenant.id, 'custom-phone-provider', clock);

    const ok = await s.set('k', 'v');
    assert.deepEqual(ok, { type: 'success', record: { value: 'v', expires_at: now + CACHE_LIMITS.defaultTtlMs } });
    assert.deepEqual(await s.set('x'.repeat(65), 'v'), { type: 'error', code: 'CacheKeySizeExceeded' });
    assert.deepEqual(await s.set('big', 'v'.repeat(4097)), { type: 'error', code: 'CacheValueSizeExceeded' });
    assert.deepEqual(await s.set('t', 'v', { ttl: 25 * 3600 * 1000 }), { type: 'error', code: 'InvalidExpiry' });
    assert.deepEqual(await s.set('t', 'v', { expires_at: now - 1 }), { type: 'error', code: 'ItemAlreadyExpired' });
    assert.deepEqual(await s.delete('missing'), { type: 'error', code: 'CacheKeyDoesNotExist' });
    assert.deepEqual(await s.set('a', 'v'.repeat(4000)), { type: 'success', record: { value: 'v'.repeat(4000), expires_at: now + CACHE_LIMITS.defaultTtlMs } });
    assert.deepEqual(await s.set('b', 'v'.repeat(4000)), { type: 'success', record: { value: 'v'.repeat(4000), expires_at: now + CACHE_LIMITS.defaultTtlMs } });
    assert.deepEqual(await s.set('c', 'v'.repeat(500)), { type: 'error', code: 'CacheSizeExceeded' }, '8 KB in total');

    // A new execution (another node, say) reads what this one wrote from the database.
    const next = new ActionCacheSession(repo, tenant.id, 'custom-phone-provider', clock);
    assert.equal((await next.get('k'))?.value, 'v');
    assert.equal(await new ActionCacheSession(repo, tenant.id, 'send-phone-message', clock).get('k'), undefined, 'per trigger');
    assert.deepEqual(await next.delete('a'), { type: 'success' });
    assert.deepEqual(await next.delete('b'), { type: 'success' });

    const writes = new ActionCacheSession(repo, tenant.id, 'custom-phone-provider', clock);
    const results = [];
    for (let i = 0; i < 21; i++) results.push((await writes.set(`w${i % 3}`, 'v')).type === 'success' ? 'ok' : 'err');
    assert.equal(results.lastIndexOf('ok'), CACHE_LIMITS.maxWritesPerExecution - 1);
    assert.deepEqual(await writes.set('z', 'v'), { type: 'error', code: 'MaxSideEffectsExceeded' });

    const full = new ActionCacheSession(repo, tenant.id, 'send-phone-message', clock);
    for (let i = 0; i < 20; i++) assert.equal((await full.set(`e${i}`, 'v')).type, 'success');
    const more = new ActionCacheSession(repo, tenant.id, 'send-phone-message', clock);
    assert.deepEqual(await more.set('e20', 'v'), { type: 'error', code: 'CacheSizeExceeded' }, '20 entries per trigger');

    now += CACHE_LIMITS.defaultTtlMs + 1;
    assert.equal(await new ActionCacheSession(repo, tenant.id, 'custom-phone-provider', clock).get('k'), undefined, 'expired');
    assert.ok((await repo.purgeExpired(now)) >= 1);
  });
});
