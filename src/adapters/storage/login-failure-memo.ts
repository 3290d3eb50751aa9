import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { groupWrite } from './write-batcher.js';

/** Users held at most; past it the memo stops and every read goes to the database (until a restart). */
const MAX_USERS = 100_000;

/**
 * On the embedded database, the users (or passwordless numbers) that may have `login_failures` rows:
 * one process owns the file and writes every row through its repository, so a user it does not hold
 * has none, and the reads of a login (the gate before it, the reset after a right password or code)
 * need no query. Most logins are such users': a passwordless login read the table twice, about 19 µs
 * each in the profiled benchmark.
 *
 * - A user is added before any write that may create a row for them, and never removed: a user whose
 *   rows were cleared only reads again, as every user did before.
 * - The users with rows are loaded once, as a step of the group commit; until the load has finished,
 *   reads go to the database. Writes started before the load are already held.
 * - Past `MAX_USERS` (failures for that many users are an attack, or a long life) the memo stops.
 */
export class FailedUsers {
  /** By tenant, then user id: looked up by the parts as they come. */
  private readonly users = new Map<string, Set<string>>();
  private count = 0;
  private state: 'new' | 'loading' | 'ready' | 'off' = 'new';

  constructor(private readonly db: Kysely<Database>) {}

  /** Before a write that may create a row for the user. */
  mayHave(tenantId: string, userId: string): void {
    if (this.state === 'off') return;
    let set = this.users.get(tenantId);
    if (!set) this.users.set(tenantId, (set = new Set()));
    if (set.has(userId)) return;
    set.add(userId);
    if (++this.count > MAX_USERS) this.stop();
  }

  /** True when the user has no rows for certain; false when they may (or the memo cannot tell yet). */
  hasNone(tenantId: string, userId: string): boolean {
    if (this.state === 'ready') return this.users.get(tenantId)?.has(userId) !== true;
    if (this.state === 'new') this.load();
    return false;
  }

  private load(): void {
    this.state = 'loading';
    groupWrite(this.db, async (trx) => {
      const rows = await trx.selectFrom('login_failures').select(['tenant_id', 'user_id']).distinct().limit(MAX_USERS + 1).execute();
      for (const r of rows) this.mayHave(r.tenant_id, r.user_id);
    }).then(
      () => {
        if (this.state === 'loading') this.state = 'ready';
      },
      () => {
        // Tried again at the next read.
        if (this.state === 'loading') this.state = 'new';
      },
    );
  }

  private stop(): void {
    this.state = 'off';
    this.users.clear();
    this.count = 0;
  }
}
