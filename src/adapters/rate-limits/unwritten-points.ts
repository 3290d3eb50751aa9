import { counterState, type CounterSpec, type CounterState } from '../../domain/abuse/rate-counters.js';

/** The statements the SQLite counters use, on rate-limiter-flexible's table (`key`, `points`, `expire` in epoch ms). */
export interface CounterStatements {
  /** The stored row of a key, expired or not. */
  read(key: string): { points: number; expire: number | null } | undefined;
  /**
   * Adds `points` to the key's window, as rate-limiter-flexible's SQLite store does: an expired (or
   * absent) row starts a new window of `windowMs` from `now` with these points.
   */
  add(key: string, points: number, windowMs: number, now: number): void;
}

/** A stored row: points, and when its window ends (epoch ms; infinity for none). */
interface Row {
  points: number;
  expire: number;
}

/** Points counted but not written yet, for one stored key. */
interface Entry {
  /** The key as stored (hashed: computed once per entry, not per consume). */
  key: string;
  windowMs: number;
  points: number;
  /** The stored row as read or last written by this process (no one else writes it: one process). */
  base?: Row;
  /** Counted more than once in this batch, or known from an earlier one: worth remembering. */
  shared?: boolean;
}

/**
 * Rows this process wrote, of keys that many sends share (the tenant's, the client's, the country's),
 * so that they are not read again at every batch; a recipient's key, counted once, is not kept. The
 * map is emptied when it reaches this size (its keys are read again once).
 */
const KNOWN_MAX = 10_000;

/**
 * The counters on the embedded database, where one process owns the file (docs/operations.md): a
 * consume is answered at once from the stored row plus the points this process has counted and not
 * written yet, and those points are written, summed per key, in the next group commit, which is the
 * one that holds the send or the login that asked. rate-limiter-flexible's own SQLite store answers
 * after its write, and in the group commit that is a commit round of its own, before the request's
 * other writes can start theirs: a send waited for one commit more than it needed.
 *
 * Answers are the ones the store would give for the same consumes in the same order (each is told the
 * total as it stood after its own points). A consume answered before its points are committed is a
 * point that a crash at that moment forgets; what it admitted (a send, a login) is committed with or
 * after it. The taking of the points and their write run in one synchronous step, so no consume can
 * read the row between them; should the group transaction fail, the group commit runs the write again
 * alone, with the same points.
 */
export class UnwrittenPoints {
  /** By counter id (name and unhashed key). */
  private readonly entries = new Map<string, Entry>();
  private readonly known = new Map<string, Row>();
  private scheduled = false;

  constructor(
    private readonly statements: CounterStatements,
    private readonly groupCommit: (fn: () => Promise<void>) => Promise<void>,
  ) {}

  /** `id` names the counter (its spec's name and the unhashed key); `stored()` gives the key as stored. */
  consume(spec: CounterSpec, id: string, stored: () => string, points: number): CounterState {
    const now = Date.now();
    const e = this.entry(spec, id, stored);
    if (!e.base || e.base.expire <= now) {
      const known = this.known.get(id);
      if (known) e.shared = true;
      const row = known ?? this.read(e.key);
      e.base = row && row.expire > now ? row : { points: 0, expire: now + e.windowMs };
    } else e.shared = true;
    e.points += points;
    return counterState(spec, e.base.points + e.points, e.base.expire - now);
  }

  /** Takes points back (written with the next commit, like a consume). */
  reward(spec: CounterSpec, id: string, stored: () => string, points: number): void {
    this.entry(spec, id, stored).points -= points;
  }

  /** The stored row plus the points not written yet. */
  get(spec: CounterSpec, id: string, stored: () => string): CounterState | undefined {
    const now = Date.now();
    const e = this.entries.get(id);
    const row = e?.base ?? this.known.get(id) ?? this.read(e?.key ?? stored());
    const live = row !== undefined && row.expire > now;
    const pending = e?.points ?? 0;
    if (!live && pending === 0) return undefined;
    return counterState(spec, (live ? row.points : 0) + pending, live ? row.expire - now : spec.windowSeconds * 1000);
  }

  /** The row is about to change by other means (a block): it is read again when next counted. */
  forgetRow(id: string): void {
    this.known.delete(id);
    const e = this.entries.get(id);
    if (e) delete e.base;
  }

  /** The key is deleted: its points not written yet go with it. */
  drop(id: string): void {
    this.known.delete(id);
    this.entries.delete(id);
  }

  private read(key: string): Row | undefined {
    const row = this.statements.read(key);
    return row && { points: row.points, expire: row.expire ?? Number.POSITIVE_INFINITY };
  }

  private entry(spec: CounterSpec, id: string, stored: () => string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      this.entries.set(id, (e = { key: stored(), windowMs: spec.windowSeconds * 1000, points: 0 }));
      this.schedule();
    }
    return e;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    let batch: Array<[string, Entry]> | undefined;
    void this.groupCommit(async () => {
      // Taken and written in one synchronous step (see the class comment); a retry writes the same batch.
      if (!batch) {
        batch = [...this.entries];
        this.entries.clear();
        this.scheduled = false;
      }
      const now = Date.now();
      for (const [id, e] of batch) {
        if (e.points !== 0) this.statements.add(e.key, e.points, e.windowMs, now);
        if (!e.shared) {
          this.known.delete(id);
          continue;
        }
        // What the row holds now, by the same rule as the statement (a window over at `now` starts anew).
        if (this.known.size >= KNOWN_MAX) this.known.clear();
        const live = e.base !== undefined && e.base.expire > now;
        this.known.set(id, live ? { points: e.base!.points + e.points, expire: e.base!.expire } : { points: e.points, expire: now + e.windowMs });
      }
    }).catch(() => {
      // The store failed twice (shared, then alone): these points are lost, as a crash would lose them.
      // What this process knew of the rows is dropped; the next consume reads the store again.
      this.known.clear();
    });
  }
}
