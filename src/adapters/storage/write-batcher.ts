import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

interface Pending {
  fn: (trx: Kysely<Database>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for SQLite: writes that arrive while the event loop is busy are applied in one
 * transaction, so a burst of N notifications costs one WAL commit instead of N. Every caller still
 * gets its promise only after its write is committed (nothing is acknowledged before it is durable).
 * If the shared transaction fails, each write is retried alone, so one bad write cannot fail the others.
 */
export class WriteBatcher {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 256,
  ) {}

  run<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const item of batch) out.push(await item.fn(trx));
          return out;
        });
        batch.forEach((item, i) => item.resolve(results[i]));
      } catch {
        for (const item of batch) {
          try {
            item.resolve(await this.db.transaction().execute((trx) => item.fn(trx)));
          } catch (e) {
            item.reject(e);
          }
        }
      }
    }
    this.scheduled = false;
  }
}
