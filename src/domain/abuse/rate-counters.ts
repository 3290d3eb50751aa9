/**
 * Counters shared by every process of a deployment: the velocity limits of the send policy and the
 * brute-force gate count here. The adapter (`adapters/rate-limits/`) keeps them with
 * rate-limiter-flexible in PostgreSQL, in Redis when `REDIS_URL` is set, or in the embedded SQLite
 * database (one node). Windows are fixed: a key's window starts with its first point and lasts
 * `windowSeconds`; the store's clock (the process's wall clock) decides expiry, not the domain Clock.
 */

/** A counter family: what it counts and how long a window lasts. `limit` is what `allowed` compares to. */
export interface CounterSpec {
  /** Short stable name, part of every key (`v.recipient`, `bf.inflight`, ...). */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** A key's counter after a change, or as read. */
export interface CounterState {
  /** Points in the current window, this change included. */
  consumed: number;
  /** `limit - consumed`, at least 0. */
  remaining: number;
  /** Until the window (or a block) ends, ms. */
  msBeforeNext: number;
  /** `consumed <= limit`. */
  allowed: boolean;
}

/** A key's state from its points in the window and the time left (clamped to 0 … MAX_SAFE_INTEGER ms). */
export function counterState(spec: CounterSpec, consumed: number, msBeforeNext: number): CounterState {
  return {
    consumed,
    remaining: Math.max(0, spec.limit - consumed),
    msBeforeNext: Math.min(Math.max(0, msBeforeNext), Number.MAX_SAFE_INTEGER),
    allowed: consumed <= spec.limit,
  };
}

/** A key scoped to something (a tenant): `scope`, NUL, `value`. `consumeNow` takes it in these parts. */
export function scopedKey(scope: string, value: string): string {
  return `${scope}\0${value}`;
}

export interface RateCounters {
  /** Adds `points` to the key's window atomically (every process sees one total). Over the limit is a result, not an error. */
  consume(spec: CounterSpec, key: string, points?: number): Promise<CounterState>;
  /**
   * Present where the store answers at once (the embedded database, whose counters the process holds):
   * `consume` of the key `scopedKey(scope, value)`, given in its parts (no key string to build per
   * look-up), without a promise, for the send path's guards. Throws where `consume` would reject.
   */
  consumeNow?(spec: CounterSpec, scope: string, value: string, points?: number): CounterState;
  /** Takes points back (a check in flight that ended); the window's expiry is kept. */
  reward(spec: CounterSpec, key: string, points?: number): Promise<void>;
  /** Holds the key over its limit for `seconds` from now (its window becomes that block). */
  block(spec: CounterSpec, key: string, seconds: number): Promise<void>;
  get(spec: CounterSpec, key: string): Promise<CounterState | undefined>;
  delete(spec: CounterSpec, key: string): Promise<void>;
  /** Which store holds them, for operators and the tests: `postgres`, `sqlite` or `redis`. */
  readonly store: string;
  close(): Promise<void>;
}
