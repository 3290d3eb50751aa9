/** The counts of one prefix's minute, as `phone_fraud_minutes` holds them. */
export interface MinuteCounts {
  sends: number;
  verified: number;
  numbers: number;
}

interface PrefixMinutes {
  /** The first minute held: every minute from it on is here (or had nothing). */
  from: string;
  minutes: Map<string, MinuteCounts>;
}

/** Prefixes held at most; past it the one loaded longest ago goes (it is loaded again when next read). */
const MAX_PREFIXES = 10_000;
/** Recipients held at most; past it they all go, and the look-ups read the database until the memo has a full window again. */
const MAX_RECIPIENTS = 1_000_000;
const PRUNE_MS = 60_000;
/** Later than any ISO timestamp. */
const MAX_ISO = '\uffff';

/**
 * The fraud guard's recent traffic on the embedded database, held in the process: one process owns the
 * file, and every write of the fraud tables passes its group commit, so what this process wrote is all
 * there is. Without it a code sent read the prefix's minutes of the last hour and looked the recipient
 * up among the sends of the burst window: two reads per code, about 20 µs each in the profile.
 *
 * - **A prefix's minutes** are loaded once (from the oldest minute a read needs), then kept up to date
 *   by the writes themselves, in the order the group commit applies them: the load runs as a step of
 *   the group commit too, so it sees exactly the writes before it, and the memo every write after it.
 * - **Recipients** (the last send to each number) are loaded once for the longest window asked (the
 *   sends since then, as a step of the group commit), then recorded as they are written; a look-up
 *   that reaches back before what was pruned goes to the database.
 * - A write that the group commit runs a second time (its shared transaction failed) cannot tell
 *   whether its first run was rolled back, so it drops the prefix (loaded again when next read).
 */
export class FraudTrafficMemo {
  /** By tenant, then prefix or number: looked up by the parts as they come, no key string built per send. */
  private readonly prefixes = new Map<string, Map<string, PrefixMinutes>>();
  private prefixCount = 0;
  private readonly recipients = new Map<string, Map<string, string>>();
  private recipientCount = 0;
  /** Recipients are known from this instant on (ISO). */
  private knownFrom: string;
  /** The oldest instant a look-up asked about since the last pruning: what the next pruning keeps. */
  private oldestAsked = MAX_ISO;
  private lastPrune = 0;

  constructor(now: Date) {
    this.knownFrom = now.toISOString();
  }

  /** Whether the recipients are known from `since` on (else `loadRecipients` first). */
  covers(since: string): boolean {
    return since >= this.knownFrom;
  }

  /** The last send to each recipient from `since` on, as the database holds them: known from `since` on. */
  loadRecipients(since: string, rows: ReadonlyArray<{ tenant_id: string; recipient: string; at: string }>): void {
    for (const r of rows) this.note(r.tenant_id, r.recipient, r.at);
    if (since < this.knownFrom) this.knownFrom = since;
  }

  /** Whether the recipient had a send at or after `since` (and at or before `at`); undefined when the memo cannot tell. */
  repeat(tenantId: string, recipient: string, since: string, at: string): boolean | undefined {
    if (since < this.knownFrom) return undefined;
    if (since < this.oldestAsked) this.oldestAsked = since;
    const last = this.recipients.get(tenantId)?.get(recipient);
    return last !== undefined && last >= since && last <= at;
  }

  sent(tenantId: string, recipient: string, at: string): void {
    this.note(tenantId, recipient, at);
    const now = Date.now();
    if (this.recipientCount > MAX_RECIPIENTS) {
      this.recipients.clear();
      this.recipientCount = 0;
      this.knownFrom = new Date(now).toISOString();
    } else if (now - this.lastPrune > PRUNE_MS) this.prune(now);
  }

  /** The prefix's minutes from `from` on, if held. */
  minutes(tenantId: string, prefix: string, from: string): Map<string, MinuteCounts> | undefined {
    const p = this.prefixes.get(tenantId)?.get(prefix);
    if (!p || from < p.from) return undefined;
    // What is older than the oldest minute asked for is not asked for again (windows only move on).
    for (const m of p.minutes.keys()) if (m < from) p.minutes.delete(m);
    p.from = from;
    return p.minutes;
  }

  load(tenantId: string, prefix: string, from: string, rows: ReadonlyArray<{ minute: string } & MinuteCounts>): void {
    const minutes = new Map<string, MinuteCounts>();
    for (const r of rows) minutes.set(r.minute, { sends: Number(r.sends), verified: Number(r.verified), numbers: Number(r.numbers) });
    this.dropPrefix(tenantId, prefix);
    if (this.prefixCount >= MAX_PREFIXES) {
      // The first tenant's first prefix: the one loaded longest ago of that tenant.
      const [firstTenant, first] = this.prefixes.entries().next().value!;
      this.dropPrefix(firstTenant, first.keys().next().value!);
    }
    let of = this.prefixes.get(tenantId);
    if (!of) this.prefixes.set(tenantId, (of = new Map()));
    of.set(prefix, { from, minutes });
    this.prefixCount++;
  }

  /** A write of a minute's counts, as the group commit applies it; `again` when it runs a second time. */
  add(tenantId: string, prefix: string, minute: string, c: MinuteCounts, again: boolean): void {
    if (again) {
      this.dropPrefix(tenantId, prefix);
      return;
    }
    const p = this.prefixes.get(tenantId)?.get(prefix);
    if (!p || minute < p.from) return;
    const m = p.minutes.get(minute);
    if (m) {
      m.sends += c.sends;
      m.verified += c.verified;
      m.numbers += c.numbers;
    } else p.minutes.set(minute, { ...c });
  }

  /** Records a send to a recipient, unless a later one is recorded already. */
  private note(tenantId: string, recipient: string, at: string): void {
    let of = this.recipients.get(tenantId);
    if (!of) this.recipients.set(tenantId, (of = new Map()));
    const last = of.get(recipient);
    if (last === undefined) this.recipientCount++;
    if (last === undefined || at > last) of.set(recipient, at);
  }

  private dropPrefix(tenantId: string, prefix: string): void {
    const of = this.prefixes.get(tenantId);
    if (!of?.delete(prefix)) return;
    this.prefixCount--;
    if (of.size === 0) this.prefixes.delete(tenantId);
  }

  /**
   * Keeps what the look-ups of the last minute asked about (their windows only move on); after a quiet
   * minute, the last minute. A look-up reaching back further then goes to the database.
   */
  private prune(now: number): void {
    this.lastPrune = now;
    const minute = new Date(now - PRUNE_MS).toISOString();
    const keep = this.oldestAsked < minute ? this.oldestAsked : minute;
    this.oldestAsked = MAX_ISO;
    for (const [tenantId, of] of this.recipients) {
      for (const [recipient, at] of of) {
        if (at >= keep) continue;
        of.delete(recipient);
        this.recipientCount--;
      }
      if (of.size === 0) this.recipients.delete(tenantId);
    }
    if (keep > this.knownFrom) this.knownFrom = keep;
  }
}
