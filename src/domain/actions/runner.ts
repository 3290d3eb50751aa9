/**
 * The port between the domain and whatever runs tenant code. The domain hands over a script, an
 * event and the host capabilities the trigger allows; the runner answers with a value, never a
 * thrown error: user code failing is an expected outcome, not an exception of the server.
 */

/** Why a run did not produce a value. */
export type RunFailureKind =
  /** Wall-clock or CPU-time limit reached; the runner recycled the tenant's isolate. */
  | 'timeout'
  /** Memory limit reached; the runner recycled the tenant's isolate. */
  | 'oom'
  /** The handler threw or its promise rejected (including stack overflow, ReferenceError, ...). */
  | 'runtime'
  /** The handler failed on something the sandbox refuses (a module outside the allowlist, a fetch the egress policy blocks). */
  | 'denied'
  /** The code cannot run at all: syntax error, too large, no handler of the trigger's name. */
  | 'invalid';

/** What a handler asked of `api.notification` (custom-phone-provider only); the last call wins. */
export interface NotificationCommand {
  action: 'drop' | 'retry';
  /** At most 1024 characters (longer reasons are truncated, as Auth0 does). */
  reason: string;
}

export interface RunValue {
  /** The handler's return value, as JSON (undefined when it returned nothing or something not JSON-like). */
  returned: unknown;
  notification?: NotificationCommand;
}

export type RunResult =
  | { ok: true; value: RunValue; logs: string }
  | { ok: false; kind: RunFailureKind; message: string; logs: string; notification?: NotificationCommand };

/** `api.cache` as the runner exposes it; every method is answered by the host (so the tenant is bound there). */
export interface CacheRecord {
  value: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
}
export type CacheErrorCode =
  | 'MaxSideEffectsExceeded'
  | 'CacheKeySizeExceeded'
  | 'CacheValueSizeExceeded'
  | 'CacheSizeExceeded'
  | 'ItemAlreadyExpired'
  | 'InvalidExpiry'
  | 'FailedToSetCacheRecord'
  | 'FailedToDeleteCacheRecord'
  | 'CacheKeyDoesNotExist';
export type CacheSetResult = { type: 'success'; record: CacheRecord } | { type: 'error'; code: CacheErrorCode };
export type CacheDeleteResult = { type: 'success' } | { type: 'error'; code: CacheErrorCode };

export interface HostCache {
  get(key: string): Promise<CacheRecord | undefined>;
  set(key: string, value: string, options: { ttl?: number; expires_at?: number }): Promise<CacheSetResult>;
  delete(key: string): Promise<CacheDeleteResult>;
}

export interface RunRequest {
  /** Internal tenant id: selects the tenant's own isolate; never shared with another tenant. */
  tenantId: string;
  /** For log lines of the host (egress denials); never shown to the action. */
  executionId: string;
  script: {
    /** Immutable cache key of the compiled code (an action version id, or a hash of a draft). */
    id: string;
    code: string;
  };
  /** The export to call, e.g. `onExecuteCustomPhoneProvider`. */
  handler: string;
  /** Plain JSON; copied into the sandbox, never shared with the host. */
  event: Record<string, unknown>;
  api: {
    /** Expose `api.notification.drop/retry`. */
    notification: boolean;
    cache?: HostCache;
  };
}

export interface ActionRunner {
  run(req: RunRequest): Promise<RunResult>;
  /** Compiles `code` without running it: `invalid` with the syntax error, or ok. */
  check(code: string): Promise<{ ok: true } | { ok: false; kind: 'invalid'; message: string }>;
  /** Disposes every isolate; runs in flight end as `timeout`. */
  close(): Promise<void>;
}

/** Largest accepted action source, as Auth0 (100 kB). */
export const MAX_ACTION_CODE_BYTES = 100 * 1024;
/** Longest notification reason kept (Auth0 truncates to 1024 characters). */
export const MAX_NOTIFICATION_REASON = 1024;
