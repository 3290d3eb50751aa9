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

/** A counter's flags: it has changes to write; its whole state must be written (a block replaced it). */
const DIRTY = 1;
const REPLACED = 2;

/**
 * The counters, one slot each, in columns of numbers: a million counters are then a handful of
 * arrays that the garbage collector does not walk, instead of a million objects it would. A slot
 * freed (deleted, swept, let go) is used again.
 */
class Slots {
  /** Points in the window. */
  points = new Float64Array(0);
  /** When the window (or block) ends (from BASE); infinity for never. */
  expire = new Float64Array(0);
  /** Points counted since the last journal row. */
  unwritten = new Float64Array(0);
  /** The latest expiry among the journal rows of this key: a row that cancels them must live as long. */
  horizon = new Float64Array(0);
  flags = new Uint8Array(0);
  /** The rule (spec name), scope and value of each slot in use (its key: `scope\0value`, or the value alone). */
  names: string[] = [];
  scopes: Array<string | undefined> = [];
  values: string[] = [];
  private readonly free: number[] = [];
  private used = 0;

  take(name: string, scope: string | undefined, value: string, points: number, expire: number, horizon: number): number {
    let s = this.free.pop();
    if (s === undefined) {
      if (this.used === this.points.length) this.grow();
      s = this.used++;
    }
    this.points[s] = points;
    this.expire[s] = expire;
    this.unwritten[s] = 0;
    this.horizon[s] = horizon;
    this.flags[s] = 0;
    this.names[s] = name;
    this.scopes[s] = scope;
    this.values[s] = value;
    return s;
  }

  release(s: number): void {
    this.flags[s] = 0;
    this.names[s] = '';
    this.scopes[s] = undefined;
    this.values[s] = '';
    this.free.push(s);
  }

  private grow(): void {
    const size = Math.max(1024, this.points.length * 2);
    const wider = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.points = wider(this.points, (n) => new Float64Array(n));
    this.expire = wider(this.expire, (n) => new Float64Array(n));
    this.unwritten = wider(this.unwritten, (n) => new Float64Array(n));
    this.horizon = wider(this.horizon, (n) => new Float64Array(n));
    this.flags = wider(this.flags, (n) => new Uint8Array(n));
  }
}

export interface CounterJournalOptions {
  /**
   * Counters held at most (default 1,000,000, about 130 MB). Past it, the counter created longest ago
   * by the rule that holds the most counters is let go (`onEvicted`): its key counts from zero when
   * next seen, until this process restarts (the journal still holds it). Only a flood of distinct keys
   * reaches it, and it is the flooded rule (recipients, addresses) that loses its oldest keys, not the
   * tenant's, the client's or the country's counter.
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
  /**
   * The slot of each counter, by rule (the spec's name), scope and value, oldest first. A key is
   * `scope\0value` (the velocity rules: the tenant's id, then the number, the address...) or a value
   * alone: the parts are looked up as they come, with no key string built and hashed per look-up,
   * and the counters a send always touches (its tenant's, its country's) are in small maps of their
   * own, not among a million recipients.
   */
  private readonly rules = new Map<string, Rule>();
  /** Counters held, in every rule. */
  private held = 0;
  private readonly c = new Slots();
  /** The slots with changes to write (a slot may appear twice: its DIRTY flag decides). */
  private dirty: number[] = [];
  /** The journal as read at start, by stored key, until a counter claims its key. */
  private readonly restored = new Map<string, { points: number; expire: number; horizon: number }>();
  /** Rows to write before those of the dirty counters: deletes, and the changes of counters let go. */
  private pending: JournalRow[] = [];
  private scheduled = false;
  private evicted = 0;
  private everEvicted = false;
  private readonly maxCounters: number;
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly statements: JournalStatements,
    /** The key as stored (hashed) for a rule, scope and value; computed when a row is written, not kept. */
    private readonly storedOf: (name: string, scope: string | undefined, value: string) => string,
    private readonly groupCommit: (fn: () => Promise<void>) => Promise<void>,
    private readonly options: CounterJournalOptions = {},
  ) {
    this.maxCounters = options.maxCounters ?? 1_000_000;
    this.restore(Date.now());
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_MS);
    this.sweeper.unref();
  }

  /** `key` names the counter within its rule (`spec.name`), unhashed. */
  consume(spec: CounterSpec, key: string, points: number): CounterState {
    const [scope, value] = partsOf(key);
    return this.consumeIn(spec, scope, value, points);
  }

  /** `consume` of the key `scope\0value`, given in its parts. */
  consumeIn(spec: CounterSpec, scope: string | undefined, value: string, points: number): CounterState {
    const now = clock();
    const s = this.current(spec, scope, value, now);
    const c = this.c;
    c.points[s] = c.points[s]! + points;
    c.unwritten[s] = c.unwritten[s]! + points;
    this.mark(s);
    return counterState(spec, c.points[s]!, c.expire[s]! - now);
  }

  /** Takes points back (a window over starts anew below zero, as rate-limiter-flexible's does). */
  reward(spec: CounterSpec, key: string, points: number): void {
    this.consume(spec, key, -points);
  }

  /** Holds the key over its limit for `seconds` from now. */
  block(spec: CounterSpec, key: string, seconds: number): void {
    const now = clock();
    const [scope, value] = partsOf(key);
    const s = this.current(spec, scope, value, now);
    const c = this.c;
    c.points[s] = spec.limit + 1;
    c.expire[s] = now + seconds * 1000;
    c.unwritten[s] = 0;
    c.flags[s] = c.flags[s]! | REPLACED;
    this.mark(s);
  }

  get(spec: CounterSpec, key: string): CounterState | undefined {
    const now = clock();
    const [scope, value] = partsOf(key);
    const s = this.find(spec.name, scope, value);
    if (s === undefined || this.c.expire[s]! <= now) return undefined;
    return counterState(spec, this.c.points[s]!, this.c.expire[s]! - now);
  }

  delete(spec: CounterSpec, key: string): void {
    const [scope, value] = partsOf(key);
    const rule = this.rules.get(spec.name);
    const map = rule?.scopes.get(scope);
    const s = map?.get(value);
    const stored = this.storedOf(spec.name, scope, value);
    const r = this.restored.get(stored);
    // A counter let go may still have rows: the delete then lives as long as a window would.
    let horizon = Math.max(s === undefined ? 0 : this.c.horizon[s]!, r?.horizon ?? 0, this.everEvicted && s === undefined && !r ? clock() + spec.windowSeconds * 1000 : 0);
    if (s !== undefined) {
      // Rows of it may be on their way (taken, not committed yet): the delete must outlive them.
      horizon = Math.max(horizon, this.c.expire[s]!);
      this.forget(rule!, map!, value, s);
    }
    this.restored.delete(stored);
    if (horizon <= clock()) return;
    this.pending.push({ key: stored, points: 0, expire: epoch(horizon), kind: DELETE });
    this.schedule();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** The key's counter in its current window (a new one if it has none, or its window is over). */
  private current(spec: CounterSpec, scope: string | undefined, value: string, now: number): number {
    const s = this.find(spec.name, scope, value) ?? this.create(spec.name, scope, value, 0, 0, 0);
    const c = this.c;
    if (c.expire[s]! <= now) {
      c.points[s] = 0;
      c.expire[s] = now + spec.windowSeconds * 1000;
      c.unwritten[s] = 0;
      c.flags[s] = c.flags[s]! & ~REPLACED;
    }
    return s;
  }

  /** The key's counter, held or (held by the journal at start, its window maybe over) claimed now; none if neither. */
  private find(name: string, scope: string | undefined, value: string): number | undefined {
    return this.rules.get(name)?.scopes.get(scope)?.get(value) ?? (this.restored.size > 0 ? this.claim(name, scope, value) : undefined);
  }

  /** The counter the journal held for this key at start (its window may be over), if it held one. */
  private claim(name: string, scope: string | undefined, value: string): number | undefined {
    const stored = this.storedOf(name, scope, value);
    const r = this.restored.get(stored);
    if (!r) return undefined;
    this.restored.delete(stored);
    return this.create(name, scope, value, r.points, r.expire, r.horizon);
  }

  private create(name: string, scope: string | undefined, value: string, points: number, expire: number, horizon: number): number {
    if (this.held >= this.maxCounters) this.evict();
    let rule = this.rules.get(name);
    if (!rule) this.rules.set(name, (rule = { held: 0, scopes: new Map() }));
    let map = rule.scopes.get(scope);
    if (!map) rule.scopes.set(scope, (map = new Map()));
    const s = this.c.take(name, scope, value, points, expire, horizon);
    map.set(value, s);
    rule.held++;
    this.held++;
    return s;
  }

  /**
   * Lets go of the rule that holds the most counters of its oldest (the first of its first scope:
   * of all when the rule is flooded under one tenant; a scope emptied is dropped, so its first map
   * has one). Its unwritten change is still written.
   */
  private evict(): void {
    let most: Rule | undefined;
    for (const rule of this.rules.values()) if (!most || rule.held > most.held) most = rule;
    const map = most!.scopes.values().next().value!;
    const [value, s] = map.entries().next().value!;
    if (this.c.flags[s]! & DIRTY) this.rowsOf(s, this.pending);
    this.forget(most!, map, value, s);
    this.evicted++;
    this.everEvicted = true;
  }

  private forget(rule: Rule, map: Map<string, number>, value: string, s: number): void {
    map.delete(value);
    if (map.size === 0) rule.scopes.delete(this.c.scopes[s]);
    this.c.release(s);
    rule.held--;
    this.held--;
  }

  private mark(s: number): void {
    if (!(this.c.flags[s]! & DIRTY)) {
      this.c.flags[s] = this.c.flags[s]! | DIRTY;
      this.dirty.push(s);
    }
    this.schedule();
  }

  /** The row (or rows) of a counter's changes since its last, appended to `rows`; the counter is then clean. */
  private rowsOf(s: number, rows: JournalRow[]): void {
    const c = this.c;
    const expire = epoch(c.expire[s]!);
    if (c.flags[s]! & REPLACED) {
      const key = this.storedOf(c.names[s]!, c.scopes[s], c.values[s]!);
      // The rows before it are cancelled first, by a row that lives as long as they do.
      if (c.horizon[s]! > clock()) rows.push({ key, points: 0, expire: epoch(c.horizon[s]!), kind: DELETE });
      rows.push({ key, points: c.points[s]!, expire, kind: SET });
    } else if (c.unwritten[s] !== 0) rows.push({ key: this.storedOf(c.names[s]!, c.scopes[s], c.values[s]!), points: c.unwritten[s]!, expire, kind: ADD });
    c.horizon[s] = Math.max(c.horizon[s]!, c.expire[s]!);
    c.unwritten[s] = 0;
    c.flags[s] = c.flags[s]! & ~(DIRTY | REPLACED);
  }

  /** The rows of every change since the last group commit; deletes first (a counter after them is a new one). */
  private take(): JournalRow[] {
    const rows = this.pending;
    this.pending = [];
    for (const s of this.dirty) if (this.c.flags[s]! & DIRTY) this.rowsOf(s, rows);
    this.dirty = [];
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
    const c = this.c;
    for (const rule of this.rules.values()) {
      for (const map of rule.scopes.values()) {
        for (const [value, s] of map) if (c.expire[s]! <= now && c.horizon[s]! <= now && !(c.flags[s]! & DIRTY)) this.forget(rule, map, value, s);
      }
    }
    for (const [key, r] of this.restored) if (r.horizon <= now) this.restored.delete(key);
    void this.groupCommit(async () => this.statements.sweep(at - SWEEP_MS)).catch(() => undefined);
    if (this.evicted > 0) {
      this.options.onEvicted?.(this.evicted);
      this.evicted = 0;
    }
  }
}

/** A rule's counters, by scope then value, and how many. */
interface Rule {
  held: number;
  scopes: Map<string | undefined, Map<string, number>>;
}

/** A key's scope (before its first NUL; none without one) and value: the inverse of `scopedKey`. */
function partsOf(key: string): [string | undefined, string] {
  const at = key.indexOf('\0');
  return at < 0 ? [undefined, key] : [key.slice(0, at), key.slice(at + 1)];
}

/** A time from BASE as epoch ms; null for never. */
const epoch = (ms: number): number | null => (Number.isFinite(ms) ? ms + BASE : null);
