import { isIPv4, isIPv6 } from 'node:net';
import type { SendRequest } from '../notifications/send-policy.js';
import type { VelocityKey } from './velocity-policy.js';

/**
 * The value a send is counted under, per rule (undefined: the send has no such key, the rule does not
 * count it). The IP rule counts an IPv4 address alone and an IPv6 address by its /64: one subscriber
 * line or host gets a /64 and can rotate through its 2^64 addresses at will, so the address alone
 * would count nothing. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is its IPv4 address.
 */
export function velocityKeyOf(rule: VelocityKey, r: SendRequest): string | undefined {
  switch (rule) {
    case 'recipient':
      return r.recipient.e164;
    case 'user':
      return r.userId ?? undefined;
    case 'ip':
      return r.ip ? ipBucket(r.ip) : undefined;
    case 'client':
      return r.clientId ?? undefined;
    case 'tenant':
      return '*';
    case 'prefix':
      return destinationPrefix(r.recipient.e164);
    case 'country':
      return r.recipient.country ?? undefined;
  }
}

/**
 * The destination prefix: the number without its last three digits, a block of 1,000 numbers (the
 * ranges pumping traffic walks through: `+4479460001`, `+4479460002`…). E.164 numbers have at least
 * 8 digits, so a prefix keeps the country code and some of the national number.
 */
export function destinationPrefix(e164: string): string {
  return e164.slice(0, -3);
}

/** An IPv4 address as is, an IPv6 address as its /64 (`2001:db8:1:2::/64`); anything else as given. */
export function ipBucket(ip: string): string {
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4mapped && isIPv4(v4mapped[1]!)) return v4mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const groups = expandIPv6(ip.split('%')[0]!);
  return `${groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part becomes two groups). */
function expandIPv6(ip: string): string[] {
  let s = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    s = s.slice(0, -dotted[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  if (tail === undefined) return h;
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
}
