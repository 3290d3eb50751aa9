import dns from 'node:dns';
import net from 'node:net';
import { Agent, request } from 'undici';
import type { SiteverifyRequest, SiteverifyResult, SiteVerifier } from '../../domain/abuse/phone-bot-check-ports.js';
import { isAddressAllowed } from '../actions/ip-policy.js';

export interface SiteverifyClientOptions {
  timeoutMs: number;
  /** Loopback and private addresses may be called (`BOT_CHECK_ALLOW_PRIVATE_NETWORK`); metadata endpoints never. */
  allowPrivateNetwork: boolean;
}

/** A refused address, told apart from a network failure. */
class EgressDenied extends Error {
  readonly code = 'EGRESS_DENIED';
  constructor(host: string) {
    super(`the verifier host ${host} is on a network this server does not call`);
  }
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase();
const isLoopbackHost = (hostname: string) => {
  const h = bare(hostname);
  return h === 'localhost' || (net.isIP(h) !== 0 && isAddressAllowed(h, true).cls === 'loopback');
};

/**
 * The DNS lookup of the verifier's connections, as for SMS gateways: every address a name resolves
 * to is checked before the socket connects, so a tenant's `siteverify_url` cannot reach the server's
 * own network (nor be re-pointed there between a check and the connection).
 */
function guardedLookup(allowPrivateNetwork: boolean): typeof dns.lookup {
  const lookup = (hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      if (addresses.length === 0 || addresses.some((a) => !isAddressAllowed(a.address, allowPrivateNetwork).allowed)) return callback(new EgressDenied(hostname));
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  return lookup as unknown as typeof dns.lookup;
}

const MAX_BODY = 64 * 1024;

/**
 * The vendors' `siteverify` (Turnstile, hCaptcha and reCAPTCHA speak the same wire format): a form
 * POST of `secret`, `response` and `remoteip`, answered `200 {"success": bool, "error-codes": [...],
 * "hostname", "challenge_ts"}`. One per process, with its keep-alive pool. Never throws: what is not
 * such an answer within the timeout is `unavailable`.
 */
export class SiteverifyClient implements SiteVerifier {
  private readonly agent: Agent;

  constructor(private readonly opts: SiteverifyClientOptions) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, connect: { lookup: guardedLookup(opts.allowPrivateNetwork) } });
  }

  urlProblem(url: URL): string | undefined {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) return 'must be an https URL (plain http only for a loopback host)';
    const literal = bare(url.hostname);
    if (net.isIP(literal) && !isAddressAllowed(literal, this.opts.allowPrivateNetwork).allowed) return 'points at an address this server does not call';
    if (!net.isIP(literal) && literal === 'localhost' && !this.opts.allowPrivateNetwork) return 'points at an address this server does not call';
    return undefined;
  }

  async verify(r: SiteverifyRequest): Promise<SiteverifyResult> {
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      return { kind: 'unavailable', detail: 'the siteverify URL is not a URL' };
    }
    const problem = this.urlProblem(url);
    if (problem) return { kind: 'unavailable', detail: `the siteverify URL ${problem}` };
    const form = new URLSearchParams({ secret: r.secret, response: r.response });
    if (r.remoteip) form.set('remoteip', r.remoteip);
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        // undici's request follows no redirect: a 3xx is an answer that is not the verifier's.
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      if (e instanceof EgressDenied || cause instanceof EgressDenied) return { kind: 'unavailable', detail: (e instanceof EgressDenied ? e : (cause as EgressDenied)).message };
      const name = (e as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'unavailable', detail: `no answer within ${this.opts.timeoutMs} ms` };
      return { kind: 'unavailable', detail: `the verifier could not be reached (${(e as { code?: string }).code ?? 'network error'})` };
    }
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      return { kind: 'unavailable', detail: `the verifier answered ${res.statusCode}` };
    }
    let body: unknown;
    try {
      const text = await res.body.text();
      if (text.length > MAX_BODY) return { kind: 'unavailable', detail: 'the verifier answered an oversized body' };
      body = JSON.parse(text);
    } catch {
      return { kind: 'unavailable', detail: 'the verifier answered something that is not JSON' };
    }
    if (typeof body !== 'object' || body === null || typeof (body as { success?: unknown }).success !== 'boolean') {
      return { kind: 'unavailable', detail: 'the verifier answered without a boolean success' };
    }
    const b = body as { success: boolean; 'error-codes'?: unknown; hostname?: unknown; score?: unknown; action?: unknown };
    const codes = Array.isArray(b['error-codes']) ? b['error-codes'].filter((c): c is string => typeof c === 'string') : [];
    return {
      kind: 'answered',
      success: b.success,
      errorCodes: codes,
      hostname: typeof b.hostname === 'string' ? b.hostname : undefined,
      ...(typeof b.score === 'number' && Number.isFinite(b.score) ? { score: b.score } : {}),
      ...(typeof b.action === 'string' ? { action: b.action } : {}),
    };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
