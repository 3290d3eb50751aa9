import type autocannon from 'autocannon';
import { load, sendingLoad, type Started } from './lib.js';

/** A phone number and the code its last message carried. */
export type Pair = { phone: string; code: string };

/** Past the end of a pool: a pair that cannot succeed (shows up as non-2xx instead of stopping the run). */
export const NO_PAIR: Pair = { phone: '+14150000000', code: '000000' };

/**
 * The codes the Twilio-speaking server holds: each number → the code in the last message it accepted
 * for it, among the requests after the first `from`.
 */
export function mockCodes(mock: Started, from = 0): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    mock.child.once('message', (m: { codes: Record<string, string> }) => resolve(m.codes));
    mock.child.send({ codes: from });
  });
}

/** How many requests the Twilio-speaking server has had so far. */
function requestCount(mock: Started): Promise<number> {
  return new Promise((resolve) => {
    mock.child.once('message', (m: { requests: number }) => resolve(m.requests));
    mock.child.send('count');
  });
}

/** Codes issued but not yet used, oldest first; each is handed out once. */
export class CodePool {
  private readonly pairs: Pair[] = [];
  private i = 0;
  private readonly seen = new Set<string>();
  /** The Twilio server's requests before this one hold no code of the pool's yet to collect. */
  private from = 0;
  /** Successful sends so far to this pool's numbers (what the Twilio server should end up holding). */
  accepted = 0;
  constructor(readonly prefix: string) {}
  /** A number whose code was already used outside the pool. */
  exclude(to: string): void {
    this.seen.add(to);
    this.accepted++;
  }
  get known(): number {
    return this.seen.size;
  }
  add(codes: Record<string, string>): number {
    const fresh = Object.keys(codes)
      .filter((to) => to.startsWith(this.prefix) && !this.seen.has(to))
      .sort();
    for (const to of fresh) {
      this.seen.add(to);
      this.pairs.push({ phone: to, code: codes[to]! });
    }
    return fresh.length;
  }
  get left(): number {
    return this.pairs.length - this.i;
  }
  next(): Pair | undefined {
    return this.pairs[this.i++];
  }

  /**
   * An issuing run; with `pid`, measuring its CPU until every accepted send has reached the Twilio
   * server (`sendingLoad`). What it got accepted is added to the pool's expectations.
   */
  async issue(mock: Started, name: string, opts: autocannon.Options, pid?: number) {
    // Every code issued before is collected: what comes now is in the requests from here on (another
    // pool may since have sent to the same numbers, and its codes must not be taken for these).
    if (this.known >= this.accepted) this.from = await requestCount(mock);
    const r = pid === undefined ? await load(name, opts) : await sendingLoad(name, opts, mock, pid);
    this.accepted += r.total - r.non2xx;
    return r;
  }

  /**
   * Reads codes from the Twilio server until every accepted send to the pool's numbers is there (or
   * none arrives for 2 s); returns how many never arrived.
   */
  async collect(mock: Started): Promise<number> {
    let quietSince = Date.now();
    const t0 = Date.now();
    while (this.known < this.accepted && Date.now() - quietSince < 2000 && Date.now() - t0 < 120_000) {
      if (this.add(await mockCodes(mock, this.from))) quietSince = Date.now();
      else await new Promise((r) => setTimeout(r, 200));
    }
    return this.accepted - this.known;
  }
}
