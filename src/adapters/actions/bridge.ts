import { createHash, createHmac, getHashes, randomBytes, randomInt, randomUUID } from 'node:crypto';
import ivm from 'isolated-vm';
import type { HostCache } from '../../domain/actions/runner.js';
import { EgressSession, type EgressLimits } from './egress.js';

/**
 * The host side of one execution: captured logs, outbound HTTP, timers and the cache, all bound to
 * the tenant chosen by the host. Nothing the sandbox passes can name another tenant.
 */
export class Execution {
  readonly logs: string[] = [];
  private logChars = 0;
  private truncated = false;
  readonly ended = new AbortController();
  readonly egress: EgressSession;
  private readonly timers = new Map<NodeJS.Timeout, (fired: boolean) => void>();

  constructor(
    readonly tenantId: string,
    readonly id: string,
    readonly cache: HostCache | undefined,
    readonly maxLogChars: number,
    egress: EgressLimits,
    onDenied: (host: string, reason: string) => void,
  ) {
    this.egress = new EgressSession(egress, this.ended.signal, (host, reason, detail) => {
      this.log('error', `[unifone] network request denied: ${reason}`);
      onDenied(host, detail ? `${reason} (${detail})` : reason);
    });
  }

  log(_level: string, text: string): void {
    if (this.truncated) return;
    const line = String(text);
    if (this.logChars + line.length + 1 > this.maxLogChars) {
      this.truncated = true;
      this.logs.push(line.slice(0, Math.max(0, this.maxLogChars - this.logChars)), '[logs truncated]');
      return;
    }
    this.logChars += line.length + 1;
    this.logs.push(line);
  }

  timer(ms: number, maxMs: number): Promise<boolean> {
    if (this.ended.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const h = setTimeout(() => {
        this.timers.delete(h);
        resolve(true);
      }, Math.min(Math.max(0, Number(ms) || 0), maxMs));
      this.timers.set(h, resolve);
    });
  }

  /** Cancels what the handler left running: timers never fire, requests are aborted. */
  finish(): void {
    this.ended.abort();
    for (const [h, resolve] of this.timers) {
      clearTimeout(h);
      resolve(false);
    }
    this.timers.clear();
  }

  text(): string {
    return this.logs.join('\n');
  }
}

/** The slot a context runs in; `exec` is the execution it currently serves (one at a time). */
export interface SlotState {
  exec: Execution | undefined;
}

const HASHES = new Set(getHashes().map((h) => h.toLowerCase()));
const URL_SETTABLE = new Set(['protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']);
const bytes = (v: unknown): Buffer => (v instanceof Uint8Array ? Buffer.from(v) : Buffer.alloc(0));

function hostCrypto(op: unknown, a: unknown, b: unknown, c: unknown): unknown {
  switch (op) {
    case 'check':
      if (typeof a !== 'string' || !HASHES.has(a.toLowerCase())) throw new Error('Digest method not supported');
      return true;
    case 'hash':
      return new Uint8Array(createHash(String(a)).update(bytes(b)).digest());
    case 'hmac':
      return new Uint8Array(createHmac(String(a), bytes(c)).update(bytes(b)).digest());
    case 'random': {
      const n = Number(a);
      if (!Number.isInteger(n) || n < 0 || n > 65536) throw new RangeError('The "size" argument must be an integer between 0 and 65536');
      return new Uint8Array(randomBytes(n));
    }
    case 'uuid':
      return randomUUID();
    case 'int':
      return randomInt(Number(a), Number(b));
    case 'hashes':
      return [...HASHES];
    default:
      throw new Error('unknown crypto operation');
  }
}

function urlFields(u: URL) {
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = u;
  return { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash };
}

function hostUrl(op: unknown, a: unknown, b: unknown, c: unknown): unknown {
  if (typeof a !== 'string' || a.length > 65536) return null;
  try {
    if (op === 'parse') return urlFields(typeof b === 'string' ? new URL(a, b) : new URL(a));
    if (op === 'set' && typeof b === 'string' && URL_SETTABLE.has(b)) {
      const u = new URL(a);
      (u as unknown as Record<string, string>)[b] = String(c);
      return urlFields(u);
    }
  } catch {
    return null;
  }
  return null;
}

async function hostCache(exec: Execution | undefined, op: unknown, key: unknown, value: unknown, options: unknown): Promise<string | null> {
  const cache = exec?.cache;
  if (!cache || typeof key !== 'string' || key.length > 1024) return null;
  let out: unknown;
  if (op === 'get') out = await cache.get(key);
  else if (op === 'delete') out = await cache.delete(key);
  else if (op === 'set' && typeof value === 'string') {
    let opts: { ttl?: number; expires_at?: number } = {};
    if (typeof options === 'string' && options.length < 1024) {
      try {
        const o = JSON.parse(options) as Record<string, unknown>;
        opts = { ...(o['ttl'] !== undefined ? { ttl: o['ttl'] as number } : {}), ...(o['expires_at'] !== undefined ? { expires_at: o['expires_at'] as number } : {}) };
      } catch {
        opts = {};
      }
    }
    out = await cache.set(key, value, opts);
  }
  return out === undefined ? null : JSON.stringify(out);
}

/** The host callbacks given to one context, in the order the bootstrap function takes them. */
export function bridgeFor(slot: SlotState, maxTimerMs: number): unknown[] {
  return [
    new ivm.Callback((level: unknown, text: unknown) => void slot.exec?.log(String(level), String(text))),
    new ivm.Reference(async (req: unknown) =>
      slot.exec ? slot.exec.egress.fetch(req) : { ok: false, code: 'ENDED', message: 'the execution has ended', denied: false },
    ),
    new ivm.Callback((id: unknown) => void slot.exec?.egress.abort(id)),
    new ivm.Reference((ms: unknown) => (slot.exec ? slot.exec.timer(Number(ms), maxTimerMs) : Promise.resolve(false))),
    new ivm.Callback(hostCrypto),
    new ivm.Callback(hostUrl),
    new ivm.Reference((op: unknown, key: unknown, value: unknown, options: unknown) => hostCache(slot.exec, op, key, value, options)),
  ];
}
