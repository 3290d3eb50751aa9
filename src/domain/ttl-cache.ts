interface Entry {
  at: number;
  value: Promise<unknown>;
}

/**
 * Promises of reads kept for `ttlMs` on a clock the caller gives (milliseconds): the first caller of
 * a key loads it, later callers within the time share its promise. A failed load is not kept. At
 * most 10,000 keys; past that the oldest go.
 *
 * A key may have two parts (`getPair`: a tenant's id and what is read of it), kept in a map per first
 * part: the parts are looked up as they are, with no key string built and hashed on every read (the
 * send path reads about ten per send).
 */
export class TtlCache {
  private readonly rows = new Map<unknown, Map<unknown, Entry>>();
  private size = 0;

  constructor(private readonly ttlMs: number) {}

  get<T>(key: string, now: number, load: () => Promise<T>): Promise<T> {
    return this.getPair(key, undefined, now, load);
  }

  getPair<T>(a: unknown, b: unknown, now: number, load: () => Promise<T>): Promise<T> {
    let row = this.rows.get(a);
    const hit = row?.get(b);
    if (hit && now - hit.at < this.ttlMs && now >= hit.at) return hit.value as Promise<T>;
    const value = load();
    // A row loaded again goes to the end: the oldest go first.
    if (row) this.rows.delete(a);
    else row = new Map();
    this.rows.set(a, row);
    if (hit) row.delete(b);
    else this.size++;
    row.set(b, { at: now, value });
    const kept = row;
    value.catch(() => {
      // Unless it was replaced, let go or cleared meanwhile.
      if (this.rows.get(a) !== kept || kept.get(b)?.value !== value) return;
      kept.delete(b);
      this.size--;
      if (kept.size === 0) this.rows.delete(a);
    });
    while (this.size > 10_000) {
      const [first, oldest] = this.rows.entries().next().value!;
      this.rows.delete(first);
      this.size -= oldest.size;
    }
    return value;
  }

  clear(): void {
    this.rows.clear();
    this.size = 0;
  }
}
