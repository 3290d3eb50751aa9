import type { Clock } from '../clock.js';
import type { ActionCacheRepository, CacheEntry } from './ports.js';
import type { CacheDeleteResult, CacheErrorCode, CacheRecord, CacheSetResult, HostCache } from './runner.js';

/** Auth0's documented `api.cache` limits; `maxWritesPerExecution` is this server's own (Auth0 does not publish its number). */
export const CACHE_LIMITS = {
  defaultTtlMs: 15 * 60 * 1000,
  maxLifetimeMs: 24 * 60 * 60 * 1000,
  maxEntries: 20,
  maxKeyBytes: 64,
  maxValueBytes: 4096,
  maxTotalBytes: 8192,
  maxWritesPerExecution: 20,
} as const;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const err = (code: CacheErrorCode) => ({ type: 'error', code }) as const;

/**
 * One execution's view of `api.cache` for (tenant, trigger). Reads come from a snapshot taken at the
 * first call (so an action that never touches the cache costs no query); writes go through to the
 * database at once, so other nodes see them. Concurrent writers on other nodes are last-write-wins
 * per key, and the total-size check sees this execution's snapshot only.
 */
export class ActionCacheSession implements HostCache {
  private entries: Map<string, CacheEntry> | undefined;
  private writes = 0;

  constructor(
    private readonly repo: ActionCacheRepository,
    private readonly tenantId: string,
    private readonly triggerId: string,
    private readonly clock: Clock,
  ) {}

  private async load(): Promise<Map<string, CacheEntry>> {
    if (!this.entries) {
      const list = await this.repo.list(this.tenantId, this.triggerId, this.now());
      this.entries = new Map(list.map((e) => [e.key, e]));
    }
    return this.entries;
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  async get(key: string): Promise<CacheRecord | undefined> {
    if (typeof key !== 'string') return undefined;
    const e = (await this.load()).get(key);
    if (!e || e.expires_at <= this.now()) return undefined;
    return { value: e.value, expires_at: e.expires_at };
  }

  async set(key: string, value: string, options: { ttl?: number; expires_at?: number } = {}): Promise<CacheSetResult> {
    if (typeof key !== 'string' || bytes(key) === 0 || bytes(key) > CACHE_LIMITS.maxKeyBytes) return err('CacheKeySizeExceeded');
    if (typeof value !== 'string' || bytes(value) > CACHE_LIMITS.maxValueBytes) return err('CacheValueSizeExceeded');
    const now = this.now();
    const expiresAt = expiryOf(options, now);
    if (typeof expiresAt === 'string') return err(expiresAt);
    if (++this.writes > CACHE_LIMITS.maxWritesPerExecution) return err('MaxSideEffectsExceeded');

    const entries = await this.load();
    const live = [...entries.values()].filter((e) => e.key !== key && e.expires_at > now);
    if (live.length + 1 > CACHE_LIMITS.maxEntries) return err('CacheSizeExceeded');
    const total = live.reduce((n, e) => n + bytes(e.key) + bytes(e.value), 0) + bytes(key) + bytes(value);
    if (total > CACHE_LIMITS.maxTotalBytes) return err('CacheSizeExceeded');

    const entry: CacheEntry = { key, value, expires_at: expiresAt };
    try {
      await this.repo.put(this.tenantId, this.triggerId, entry);
    } catch {
      return err('FailedToSetCacheRecord');
    }
    entries.set(key, entry);
    return { type: 'success', record: { value, expires_at: expiresAt } };
  }

  async delete(key: string): Promise<CacheDeleteResult> {
    if (typeof key !== 'string') return err('CacheKeyDoesNotExist');
    if (++this.writes > CACHE_LIMITS.maxWritesPerExecution) return err('MaxSideEffectsExceeded');
    const entries = await this.load();
    const e = entries.get(key);
    if (!e || e.expires_at <= this.now()) return err('CacheKeyDoesNotExist');
    try {
      await this.repo.delete(this.tenantId, this.triggerId, key);
    } catch {
      return err('FailedToDeleteCacheRecord');
    }
    entries.delete(key);
    return { type: 'success' };
  }
}

/** The absolute expiry of a write, or the error code of bad options. `ttl` is in ms, `expires_at` ms since the epoch. */
function expiryOf(options: { ttl?: unknown; expires_at?: unknown }, now: number): number | CacheErrorCode {
  const { ttl, expires_at } = options ?? {};
  if (ttl !== undefined && expires_at !== undefined) return 'InvalidExpiry';
  if (expires_at !== undefined) {
    if (typeof expires_at !== 'number' || !Number.isFinite(expires_at)) return 'InvalidExpiry';
    if (expires_at <= now) return 'ItemAlreadyExpired';
    if (expires_at - now > CACHE_LIMITS.maxLifetimeMs) return 'InvalidExpiry';
    return Math.floor(expires_at);
  }
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl > CACHE_LIMITS.maxLifetimeMs) return 'InvalidExpiry';
    return now + Math.floor(ttl);
  }
  return now + CACHE_LIMITS.defaultTtlMs;
}
