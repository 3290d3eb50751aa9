import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { isAddressAllowed } from './ip-policy.js';

/** Limits of outbound HTTP from actions. Enforced in the host: the sandbox only asks. */
export interface EgressLimits {
  /** Allow loopback and private addresses (local development, tests). Link-local and metadata stay blocked. */
  allowPrivateNetwork: boolean;
  maxRequestsPerExecution: number;
  maxRequestBodyBytes: number;
  maxResponseBytes: number;
  maxRedirects: number;
}

export const DEFAULT_EGRESS: Omit<EgressLimits, 'allowPrivateNetwork'> = {
  maxRequestsPerExecution: 20,
  maxRequestBodyBytes: 1024 * 1024,
  maxResponseBytes: 2 * 1024 * 1024,
  maxRedirects: 10,
};

export type SandboxResponse =
  | { ok: true; status: number; statusText: string; url: string; redirected: boolean; headers: Array<[string, string]>; body: Uint8Array }
  | { ok: false; code: string; message: string; denied: boolean };

interface Req {
  id: number;
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body: Uint8Array | null;
  redirect: 'follow' | 'manual' | 'error';
}

/** `message` goes back to the action; `detail` (what an address resolved to) only to the host's log. */
class Denied extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Checks the shape of what the sandbox sent; everything from the isolate is untrusted input. */
function parseRequest(raw: unknown, limits: EgressLimits): Req {
  const r = raw as Partial<Req> | null;
  if (!r || typeof r !== 'object' || typeof r.url !== 'string' || r.url.length > 8192) throw new Denied('INVALID_REQUEST', 'invalid fetch request');
  const method = typeof r.method === 'string' && TOKEN.test(r.method) ? r.method.toUpperCase() : undefined;
  if (!method) throw new Denied('INVALID_REQUEST', 'invalid HTTP method');
  const headers = Array.isArray(r.headers) ? r.headers : [];
  if (headers.length > 100 || !headers.every((h) => Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'string' && TOKEN.test(h[0]) && !/[\r\n\0]/.test(h[1]))) {
    throw new Denied('INVALID_REQUEST', 'invalid request headers');
  }
  const body = r.body instanceof Uint8Array ? r.body : null;
  if (body && body.byteLength > limits.maxRequestBodyBytes) throw new Denied('REQUEST_TOO_LARGE', `request body larger than ${limits.maxRequestBodyBytes} bytes`);
  const redirect = r.redirect === 'manual' || r.redirect === 'error' ? r.redirect : 'follow';
  return { id: Number(r.id) || 0, url: r.url, method, headers: headers as Array<[string, string]>, body, redirect };
}

/**
 * Outbound HTTP of one execution. Every hop (the first request and each redirect) is resolved here,
 * every resolved address is checked, and the connection is pinned to the checked address, so a DNS
 * answer that changes between check and connect (rebinding) cannot reach a forbidden address.
 */
export class EgressSession {
  private count = 0;
  private readonly inflight = new Map<number, AbortController>();

  constructor(
    private readonly limits: EgressLimits,
    private readonly signal: AbortSignal,
    private readonly onDenied: (host: string, reason: string, detail: string | undefined) => void,
  ) {}

  abort(id: unknown): void {
    this.inflight.get(Number(id))?.abort();
  }

  async fetch(raw: unknown): Promise<SandboxResponse> {
    let host = '';
    const ac = new AbortController();
    const onEnd = () => ac.abort();
    this.signal.addEventListener('abort', onEnd);
    let id = 0;
    try {
      const req = parseRequest(raw, this.limits);
      id = req.id;
      this.inflight.set(id, ac);
      let url = this.checkUrl(req.url);
      const headers = [...req.headers];
      let { method, body } = req;
      for (let hop = 0; ; hop++) {
        host = url.hostname;
        if (++this.count > this.limits.maxRequestsPerExecution) {
          throw new Denied('TOO_MANY_REQUESTS', `more than ${this.limits.maxRequestsPerExecution} HTTP requests in one execution`);
        }
        const res = await this.once(url, method, headers, body, ac.signal);
        const location = res.headers.find(([k]) => k === 'location')?.[1];
        if (![301, 302, 303, 307, 308].includes(res.status) || !location || req.redirect === 'manual') return { ...res, url: url.href, redirected: hop > 0 };
        if (req.redirect === 'error') throw new Denied('REDIRECT', 'redirect mode is set to error');
        if (hop >= this.limits.maxRedirects) throw new Denied('TOO_MANY_REDIRECTS', 'too many redirects');
        const next = this.checkUrl(new URL(location, url).href);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          body = null;
          for (let i = headers.length - 1; i >= 0; i--) if (/^content-/i.test(headers[i]![0])) headers.splice(i, 1);
        }
        // As fetch does: credentials are not forwarded to another origin.
        if (next.origin !== url.origin) for (let i = headers.length - 1; i >= 0; i--) if (/^(authorization|cookie|proxy-authorization)$/i.test(headers[i]![0])) headers.splice(i, 1);
        url = next;
      }
    } catch (e) {
      if (e instanceof Denied) {
        const denied = !['INVALID_REQUEST', 'REDIRECT'].includes(e.code);
        if (denied) this.onDenied(host, e.message, e.detail);
        return { ok: false, code: e.code, message: e.message, denied };
      }
      if (ac.signal.aborted) return { ok: false, code: 'ABORTED', message: 'the request was aborted', denied: false };
      const err = e as NodeJS.ErrnoException;
      return { ok: false, code: err.code ?? 'NETWORK_ERROR', message: err.message ?? 'network error', denied: false };
    } finally {
      this.inflight.delete(id);
      this.signal.removeEventListener('abort', onEnd);
    }
  }

  private checkUrl(href: string): URL {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      throw new Denied('INVALID_REQUEST', 'invalid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Denied('PROTOCOL_DENIED', `only http and https are allowed, not ${url.protocol}`);
    return url;
  }

  /** Resolves and checks the host; the address every connection of this hop must use. */
  private async resolve(hostname: string): Promise<{ address: string; family: number }> {
    const bare = hostname.replace(/^\[|\]$/g, '');
    const addrs = net.isIP(bare) ? [{ address: bare, family: net.isIP(bare) }] : await dns.promises.lookup(bare, { all: true, verbatim: true });
    if (addrs.length === 0) throw new Denied('DNS', `${bare} does not resolve`);
    for (const a of addrs) {
      const { allowed, cls } = isAddressAllowed(a.address, this.limits.allowPrivateNetwork);
      // The action learns that the host is refused, not what it resolved to (no map of internal names).
      if (!allowed) throw new Denied('EGRESS_DENIED', `egress to ${bare} is not allowed`, `${a.address}, ${cls} address`);
    }
    return addrs[0]!;
  }

  private async once(url: URL, method: string, pairs: Array<[string, string]>, body: Uint8Array | null, signal: AbortSignal) {
    const target = await this.resolve(url.hostname);
    const headers: Record<string, string> = { 'user-agent': 'unifone-actions', accept: '*/*', 'accept-encoding': 'identity' };
    for (const [k, v] of pairs) {
      const key = k.toLowerCase();
      headers[key] = key in headers && !['user-agent', 'accept', 'accept-encoding'].includes(key) ? `${headers[key]}, ${v}` : v;
    }
    if (body) headers['content-length'] = String(body.byteLength);
    const lookup = (_h: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      opts?.all ? cb(null, [target]) : cb(null, target.address, target.family);
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<{ ok: true; status: number; statusText: string; headers: Array<[string, string]>; body: Uint8Array }>((resolve, reject) => {
      const req = mod.request(
        {
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          lookup: lookup as unknown as typeof dns.lookup,
          agent: false,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > this.limits.maxResponseBytes) {
              res.destroy();
              reject(new Denied('RESPONSE_TOO_LARGE', `response body larger than ${this.limits.maxResponseBytes} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () => {
            const raw = res.rawHeaders;
            const out: Array<[string, string]> = [];
            for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
            resolve({ ok: true, status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: out, body: new Uint8Array(Buffer.concat(chunks)) });
          });
        },
      );
      req.on('error', reject);
      req.end(body ? Buffer.from(body) : undefined);
    });
  }
}
