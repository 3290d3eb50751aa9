import { AppError } from '../errors.js';

/** How many password hashes run at once, and how many may wait. */
export interface HashQueueOptions {
  /** Hashes in flight at once (each holds one of libuv's threads, default 4 in all, for ~50 ms). */
  concurrency: number;
  /** Hashes waiting, all tenants together; past it a request is refused (or a longer lane's newest is). */
  maxQueued: number;
  /** Milliseconds now (for the Retry-After estimate only; nothing is decided on time). */
  now?: () => number;
}

/** Default bound: two hashes in flight leave half of libuv's pool to DNS, file and zlib work. */
export const DEFAULT_HASH_QUEUE: Readonly<Pick<HashQueueOptions, 'concurrency' | 'maxQueued'>> = { concurrency: 2, maxQueued: 64 };

interface Job {
  start: () => void;
  reject: (e: Error) => void;
}

/** Jobs of one tenant, one FIFO lane per source (client IP), lanes in round-robin order. */
interface TenantLanes {
  lanes: Map<string, Job[]>;
  queued: number;
}

/** A hash first estimated at 60 ms (scrypt N=2^15 on a current core), then measured. */
const INITIAL_ESTIMATE_MS = 60;

/**
 * A bounded, fair queue for password hashing (scrypt on libuv's pool): logins, signups and password
 * changes of every tenant go through one of these, so a flood of password grants (even for unknown
 * users, whose dummy hash costs the same) cannot occupy the whole thread pool nor grow without bound.
 *
 * - At most `concurrency` hashes run at once; the rest wait.
 * - Waiting jobs are served round-robin between tenants, and within a tenant round-robin between
 *   sources (the caller's IP): one tenant's flood delays another tenant's login by at most one hash
 *   per flooding tenant, and one address's flood delays a real user of the same tenant the same way.
 * - At most `maxQueued` jobs wait. When full, the newcomer is refused unless its tenant (and, within
 *   its tenant, its source) has fewer waiting than the longest one; then the longest lane's newest job
 *   is refused instead. Either way the refusal is 429 `too_many_requests` with a `Retry-After`.
 *
 * In-process only: each node bounds its own thread pool. Cross-node rate limits are separate.
 */
export class HashQueue {
  private running = 0;
  private queued = 0;
  /** Tenants with waiting jobs, in round-robin order (Map keeps insertion order: served ones go last). */
  private readonly tenants = new Map<string, TenantLanes>();
  private avgMs = INITIAL_ESTIMATE_MS;
  private readonly now: () => number;

  constructor(private readonly opts: HashQueueOptions) {
    if (!(opts.concurrency >= 1) || !(opts.maxQueued >= 0)) throw new RangeError('HashQueue needs concurrency >= 1 and maxQueued >= 0');
    this.now = opts.now ?? Date.now;
  }

  /** Hashes running now and jobs waiting (for metrics and tests). */
  stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.queued };
  }

  /**
   * Runs `task` when a slot is free and it is this tenant's and this source's turn. Rejects with 429
   * `too_many_requests` (never running `task`) when the queue is full.
   */
  run<T>(tenantId: string, source: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        const began = this.now();
        let p: Promise<T>;
        try {
          p = task();
        } catch (e) {
          p = Promise.reject(e);
        }
        // The slot is freed (and the next job started) before the caller sees the outcome.
        const done = () => {
          // A moving average of what one hash costs here, for Retry-After.
          this.avgMs = this.avgMs * 0.8 + Math.max(1, this.now() - began) * 0.2;
          this.running--;
          this.pump();
        };
        p.then(
          (v) => (done(), resolve(v)),
          (e: unknown) => (done(), reject(e)),
        );
      };
      if (this.running < this.opts.concurrency && this.queued === 0) return start();
      if (this.queued >= this.opts.maxQueued && !this.shedFor(tenantId, source)) return reject(this.fullError());
      this.enqueue(tenantId, source, { start, reject });
    });
  }

  private enqueue(tenantId: string, source: string, job: Job): void {
    let t = this.tenants.get(tenantId);
    if (!t) this.tenants.set(tenantId, (t = { lanes: new Map(), queued: 0 }));
    let lane = t.lanes.get(source);
    if (!lane) t.lanes.set(source, (lane = []));
    lane.push(job);
    t.queued++;
    this.queued++;
  }

  /** Starts waiting jobs while slots are free: the next tenant in turn, its next source in turn. */
  private pump(): void {
    while (this.running < this.opts.concurrency && this.queued > 0) {
      const [tenantId, t] = this.tenants.entries().next().value as [string, TenantLanes];
      const [source, lane] = t.lanes.entries().next().value as [string, Job[]];
      const job = lane.shift()!;
      t.queued--;
      this.queued--;
      // Served lanes and tenants go to the back of their rotation (or leave it when empty).
      t.lanes.delete(source);
      if (lane.length) t.lanes.set(source, lane);
      this.tenants.delete(tenantId);
      if (t.queued) this.tenants.set(tenantId, t);
      job.start();
    }
  }

  /**
   * Makes room for a newcomer of (tenantId, source) in a full queue by refusing the newest job of the
   * longest lane, when the newcomer's tenant (then source) is not already the longest. False: refuse it.
   */
  private shedFor(tenantId: string, source: string): boolean {
    const mine = this.tenants.get(tenantId);
    let victimTenant: TenantLanes | undefined;
    let victimTenantId: string | undefined;
    for (const [id, t] of this.tenants) if (!victimTenant || t.queued > victimTenant.queued) [victimTenantId, victimTenant] = [id, t];
    if (!victimTenant) return false;
    if (victimTenantId === tenantId || (mine?.queued ?? 0) >= victimTenant.queued) {
      // The newcomer's tenant is (one of) the busiest: make room only for a quieter source within it.
      if (!mine) return false;
      const longest = longestLane(mine);
      if (!longest || longest[0] === source || (mine.lanes.get(source)?.length ?? 0) + 1 >= longest[1].length) return false;
      this.dropNewest(tenantId, mine, longest[0]);
      return true;
    }
    this.dropNewest(victimTenantId!, victimTenant, longestLane(victimTenant)![0]);
    return true;
  }

  private dropNewest(tenantId: string, t: TenantLanes, source: string): void {
    const lane = t.lanes.get(source)!;
    const job = lane.pop()!;
    if (!lane.length) t.lanes.delete(source);
    t.queued--;
    this.queued--;
    if (!t.queued) this.tenants.delete(tenantId);
    job.reject(this.fullError());
  }

  private fullError(): AppError {
    const e = new AppError('too_many_requests', 'Too many password checks in progress; try again later');
    const waitMs = ((this.queued + this.running) / this.opts.concurrency) * this.avgMs;
    e.headers = { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) };
    return e;
  }
}

function longestLane(t: TenantLanes): [string, Job[]] | undefined {
  let best: [string, Job[]] | undefined;
  for (const entry of t.lanes) if (!best || entry[1].length > best[1].length) best = entry;
  return best;
}
