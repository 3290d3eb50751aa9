import { counterState, type CounterSpec, type CounterState } from '../../domain/abuse/rate-counters.js';

/** What a journal row says of its key: points added to its window, its whole state, or its end. */
export const ADD = 0;
export const SET = 1;
export const DELETE = 2;
export type JournalKind = typeof ADD | typeof SET | typeof DELETE;

/** One row of `rate_limit_journal`. `expire` is epoch ms, null for a window without end. */
export interface JournalRow {
  key: string;
  points: number;
  expire: number | null;
  kind: JournalKind;
}

/** The statements the journal runs, synchronously. */
export interface JournalStatements {
  /** The rows not expired at `now` (and those without expiry), oldest first. */
  live(now: number): Iterable<JournalRow>;
  append(row: JournalRow): void;
  /** Deletes the rows that expired before `before`. */
  sweep(before: number): void;
}

/**
 * Times in memory are milliseconds from when this module loaded (`BASE`): small whole numbers that V8
 * keeps in the object itself, where epoch milliseconds would each take a number object of their own
 * (two per counter, a million counters). Rows carry epoch milliseconds.
 */
const BASE = Date.now();
const clock = () => Date.now() - BASE;

/** A key's counter as this process holds it (its id is the map's key; the stored key is derived from it when written). */
interface Counter {
  points: number;
  /** When its window (or block) ends (from BASE); infinity for never. */
  expire: number;
  /** Points counted since its last journal row. */
  unwritten: number;
  /** Its whole state must be written (a block replaced it). */
  replaced: boolean;
  /** The latest expiry among the journal rows of this key: a row that cancels them must live as long. */
  horizon: number;
}

export interface CounterJournalOptions {
  /**
   * Counters held at most (default 1,000,000, about 240 MB). Past it, the counter created longest ago
   * is let go (`onEvicted`): its key counts from zero when next seen, until this process restarts
   * (the journal still holds it). Only a flood of distinct keys reaches it.
   */
  maxCounters?: number;
  /** Told, at most once a sweep, how many counters were let go since the last. */
  onEvicted?: (count: number) => void;
}

/** Expired journal rows go this long after their expiry, and memory is swept as often. */
export const SWEEP_MS = 60_000;

/**
 * The counters on the embedded database, where one process owns the file (docs/operations.md): this
 * process holds every live counter in memory and answers from there, at once; the database keeps a
 * journal of what changed, appended in the group commit of the send or login that asked, and read
 * back at start. rate-limiter-flexible's SQLite store keeps one row per key, so every new key (a
 * recipient, an address) was a read and a write at a random place of the key's index: about 30 µs
 * of CPU per send on a table of 100,000 keys, against about 5 µs for a row appended to the journal
 * (docs/performance.md). The journal has no index by key: nothing reads it by key.
 *
 * Answers are the ones rate-limiter-flexible's store gives (fixed windows from the first point; a
 * block is the limit plus one, for its duration; a point taken back may take a window below zero).
 * A change answered before its row is committed is forgotten by a crash at that moment; what it
 * admitted (a send, a login) is committed with it or after it. The rows of a group commit are taken
 * in one synchronous step; a retried group commit writes the same rows; one that fails twice loses
 * them (the counters in memory are unchanged: the loss shows only after a restart).
 */
export class CounterJournal {
  /** By counter id (the spec's name and the unhashed key). */
  private readonly counters = new Map<string, Counter>();
  /** The id of each counter with changes to write. */
  private readonly dirty = new Map<Counter, string>();
  /** The journal as read at start, by stored key, until a counter claims its key. */
  private readonly restored = new Map<string, { points: number; expire: number; horizon: number }>();
  private deleted: JournalRow[] = [];
  private scheduled = false;
  private evicted = 0;
  private everEvicted = false;
  private readonly maxCounters: number;
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly statements: JournalStatements,
    /** The key as stored (hashed) for a counter id; computed when a row is written, not kept. */
    private readonly storedOf: (id: string) => string,
    private readonly groupCommit: (fn: () => Promise<void>) => Promise<void>,
    private readonly options: CounterJournalOptions = {},
  ) {
    this.maxCounters = options.maxCounters ?? 1_000_000;
    this.restore(Date.now());
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_MS);
    this.sweeper.unref();
  }

  /** `id` names the counter: its spec's name and the unhashed key. */
  consume(spec: CounterSpec, id: string, points: number): CounterState {
    const now = clock();
    const c = this.current(spec, id, now);
    c.points += points;
    c.unwritten += points;
    this.mark(c, id);
    return counterState(spec, c.points, c.expire - now);
  }

  /** Takes points back (a window over starts anew below zero, as rate-limiter-flexible's does). */
  reward(spec: CounterSpec, id: string, points: number): void {
    this.consume(spec, id, -points);
  }

  /** Holds the key over its limit for `seconds` from now. */
  block(spec: CounterSpec, id: string, seconds: number): void {
    const now = clock();
    const c = this.current(spec, id, now);
    c.points = spec.limit + 1;
    c.expire = now + seconds * 1000;
    c.unwritten = 0;
    c.replaced = true;
    this.mark(c, id);
  }

  get(spec: CounterSpec, id: string): CounterState | undefined {
    const now = clock();
    const c = this.counters.get(id) ?? (this.restored.size > 0 ? this.claim(id, this.storedOf(id)) : undefined);
    if (!c || c.expire <= now) return undefined;
    return counterState(spec, c.points, c.expire - now);
  }

  delete(spec: CounterSpec, id: string): void {
    const c = this.counters.get(id);
    const key = this.storedOf(id);
    const r = this.restored.get(key);
    // A counter let go may still have rows: the delete then lives as long as a window would.
    let horizon = Math.max(c?.horizon ?? 0, r?.horizon ?? 0, this.everEvicted && !c && !r ? clock() + spec.windowSeconds * 1000 : 0);
    if (c) {
      this.counters.delete(id);
      this.dirty.delete(c);
      // Rows of it may be on their way (taken, not committed yet): the delete must outlive them.
      horizon = Math.max(horizon, c.expire);
    }
    this.restored.delete(key);
    if (horizon <= clock()) return;
    this.deleted.push({ key, points: 0, expire: epoch(horizon), kind: DELETE });
    this.schedule();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** The key's counter in its current window (a new one if it has none, or its window is over). */
  private current(spec: CounterSpec, id: string, now: number): Counter {
    let c = this.counters.get(id);
    if (!c) c = (this.restored.size > 0 ? this.claim(id, this.storedOf(id)) : undefined) ?? this.create(id, { points: 0, expire: 0, unwritten: 0, replaced: false, horizon: 0 });
    if (c.expire <= now) {
      c.points = 0;
      c.expire = now + spec.windowSeconds * 1000;
      c.unwritten = 0;
      c.replaced = false;
    }
    return c;
  }

  /** The counter the journal held for this key at start (its window may be over), if it held one. */
  private claim(id: string, key: string): Counter | undefined {
    const r = this.restored.get(key);
    if (!r) return undefined;
    this.restored.delete(key);
    return this.create(id, { points: r.points, expire: r.expire, unwritten: 0, replaced: false, horizon: r.horizon });
  }

  private create(id: string, c: Counter): Counter {
    if (this.counters.size >= this.maxCounters) {
      // The first in the map is the one created longest ago. Its unwritten points are still written.
      this.counters.delete(this.counters.keys().next().value!);
      this.evicted++;
      this.everEvicted = true;
    }
    this.counters.set(id, c);
    return c;
  }

  private mark(c: Counter, id: string): void {
    this.dirty.set(c, id);
    this.schedule();
  }

  /** The rows of every change since the last group commit; deletes first (a counter after them is a new one). */
  private take(): JournalRow[] {
    const rows = this.deleted;
    this.deleted = [];
    for (const [c, id] of this.dirty) {
      const expire = epoch(c.expire);
      if (c.replaced) {
        const key = this.storedOf(id);
        // The rows before it are cancelled first, by a row that lives as long as they do.
        if (c.horizon > clock()) rows.push({ key, points: 0, expire: epoch(c.horizon), kind: DELETE });
        rows.push({ key, points: c.points, expire, kind: SET });
      } else if (c.unwritten !== 0) rows.push({ key: this.storedOf(id), points: c.unwritten, expire, kind: ADD });
      c.horizon = Math.max(c.horizon, c.expire);
      c.unwritten = 0;
      c.replaced = false;
    }
    this.dirty.clear();
    return rows;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    let rows: JournalRow[] | undefined;
    void this.groupCommit(async () => {
      // Taken and written in one synchronous step; a retry writes the same rows.
      if (!rows) {
        rows = this.take();
        this.scheduled = false;
      }
      for (const row of rows) this.statements.append(row);
    }).catch(() => undefined);
  }

  /** Reads the live journal into `restored`, in order: an ADD adds to its window, a SET replaces, a DELETE ends. */
  private restore(now: number): void {
    for (const row of this.statements.live(now)) {
      const expire = row.expire === null ? Number.POSITIVE_INFINITY : row.expire - BASE;
      const r = this.restored.get(row.key);
      const horizon = Math.max(r?.horizon ?? 0, expire);
      if (row.kind === DELETE) this.restored.set(row.key, { points: 0, expire: 0, horizon });
      else if (row.kind === SET || !r || r.expire !== expire) this.restored.set(row.key, { points: row.points, expire, horizon });
      else {
        r.points += row.points;
        r.horizon = horizon;
      }
    }
  }

  /** Forgets what has expired, in memory and in the journal (every `SWEEP_MS`, by itself). */
  sweep(at: number): void {
    const now = at - BASE;
    for (const [id, c] of this.counters) if (c.expire <= now && c.horizon <= now && !this.dirty.has(c)) this.counters.delete(id);
    for (const [key, r] of this.restored) if (r.horizon <= now) this.restored.delete(key);
    void this.groupCommit(async () => this.statements.sweep(at - SWEEP_MS)).catch(() => undefined);
    if (this.evicted > 0) {
      this.options.onEvicted?.(this.evicted);
      this.evicted = 0;
    }
  }
}

/** A time from BASE as epoch ms; null for never. */
const epoch = (ms: number): number | null => (Number.isFinite(ms) ? ms + BASE : null);
