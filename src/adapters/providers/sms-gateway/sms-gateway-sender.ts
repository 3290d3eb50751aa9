import dns from 'node:dns';
import net from 'node:net';
import { SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { sendFailure, type OutgoingMessage, type SendResult } from '../../../domain/notifications/sender.js';
import type { ProviderAccount } from '../../../domain/phone-provider/provider-kind.js';
import { isAddressAllowed } from '../../actions/ip-policy.js';
import { isRetryableStatus, retryAfterOf, transportFailure } from '../http-failures.js';

/** The kind's name: the provider `name` on the wire (Auth0's connection option `provider: "sms_gateway"`). */
export const SMS_GATEWAY = 'sms_gateway';

/** How each request proves it comes from us: `Authorization: Bearer <HS256 JWT>` (Auth0's `gateway_authentication`). */
export interface GatewayAuthentication {
  method: 'bearer';
  subject: string;
  audience: string;
  /** The secret (credentials.secret) is base64url text of the key bytes, not the key itself. */
  secret_base64_encoded?: boolean;
}

/** What the gateway receives: Auth0's documented body. */
export interface GatewayRequestBody {
  recipient: string;
  body: string;
  sender?: string;
  req?: { ip?: string; 'user-agent'?: string };
}

export interface SmsGatewaySenderOptions {
  timeoutMs: number;
  allowPrivateNetwork: boolean;
}

/** Lifetime of a request's token: long enough for clock skew, short enough that a captured one is soon useless. */
const TOKEN_TTL_S = 60;
const NAME = 'the SMS gateway';

/** The key HS256 signs with: the secret's UTF-8 bytes, or the bytes it encodes (base64url, plain base64 accepted too). */
export function gatewayKey(secret: string, base64Encoded: boolean | undefined): Uint8Array {
  return base64Encoded ? new Uint8Array(Buffer.from(secret, 'base64url')) : new TextEncoder().encode(secret);
}

/** A refused address, as a connection error the sender can tell from a network failure. */
class EgressDenied extends Error {
  readonly code = 'EGRESS_DENIED';
  constructor(host: string) {
    // The host only: the message reaches the notification's timeline, and the resolved address would map internal names.
    super(`the gateway host ${host} is on a network this server does not call`);
  }
}

/**
 * The DNS lookup of the gateway's connections: every address a name resolves to is checked before
 * the socket connects to it, so a name cannot point a tenant's gateway at the server's own network
 * (nor be re-pointed there between a check and the connection: the check is the lookup).
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

/** `gateway_url` as a URL, or null when it is missing or not one (the kind's check refuses both at configuration time). */
export function parseGatewayUrl(value: unknown): URL | null {
  if (typeof value !== 'string') return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** What a 2xx answer may name the message by: `id` of a JSON body (Auth0 reads only the status; a gateway may still say). */
function messageIdOf(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return (typeof id === 'string' && id.length > 0 && id.length <= 255) || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined; // an empty or non-JSON body is a plain success
  }
}

/**
 * Sends text messages to a tenant's own SMS gateway the way Auth0's `sms_gateway` connections do: a
 * JSON POST to `gateway_url`, optionally with a bearer JWT, judged by its HTTP status alone. One per
 * process: every tenant's sends share its keep-alive pool; the secret comes with each send, opened.
 */
export class SmsGatewaySender {
  private readonly agent: Agent;

  constructor(private readonly opts: SmsGatewaySenderOptions) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, connect: { lookup: guardedLookup(opts.allowPrivateNetwork) } });
  }

  async send(message: OutgoingMessage, account: ProviderAccount): Promise<SendResult> {
    const { configuration: cfg, credentials } = account;
    const url = parseGatewayUrl(cfg['gateway_url']);
    if (!url) return sendFailure(false, 'provider_misconfigured', 'The SMS gateway provider has no gateway_url');
    // An address in the URL connects without a lookup: checked here instead.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(literal) && !isAddressAllowed(literal, this.opts.allowPrivateNetwork).allowed) return sendFailure(false, 'egress_denied', new EgressDenied(literal).message);

    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    const auth = cfg['gateway_authentication'] as GatewayAuthentication | undefined;
    if (auth) {
      const secret = credentials['secret'];
      if (!secret) return sendFailure(false, 'provider_misconfigured', 'The SMS gateway provider has gateway_authentication but no credentials.secret');
      headers['authorization'] = `Bearer ${await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(auth.subject)
        .setAudience(auth.audience)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_TTL_S}s`)
        .sign(gatewayKey(secret, auth.secret_base64_encoded))}`;
    }

    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        dispatcher: this.agent,
        method: 'POST',
        headers,
        body: JSON.stringify(requestBody(message, cfg)),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      // A refused address is the configuration's fault: another attempt would be refused the same way.
      const denied = e instanceof EgressDenied ? e : (e as { cause?: unknown }).cause instanceof EgressDenied ? ((e as { cause: EgressDenied }).cause) : undefined;
      if (denied) return sendFailure(false, 'egress_denied', denied.message);
      return transportFailure(e, NAME, this.opts.timeoutMs);
    }
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      const id = messageIdOf(await res.body.text());
      return { status: 'sent', ...(id ? { providerMessageId: id } : {}), detail: { http_status: status } };
    }
    // Only the status counts (as on Auth0); the body is read away so the connection can be reused.
    await res.body.dump();
    const detail = { http_status: status };
    if (isRetryableStatus(status)) return { ...sendFailure(true, `http_${status}`, `The SMS gateway answered ${status}`, detail), ...retryAfterOf(res.headers) };
    if (status === 401 || status === 403) return sendFailure(false, `http_${status}`, `Authentication failed while calling the SMS gateway: ${status}`, detail);
    return sendFailure(false, `http_${status}`, `The SMS gateway answered ${status}`, detail);
  }
}

/** Auth0's body: `recipient`, `body`, `sender` when there is one, and `req` when the tenant forwards request info. */
export function requestBody(message: OutgoingMessage, cfg: ProviderAccount['configuration']): GatewayRequestBody {
  // The template's `from` or default_from (E.164, chosen by the kit), else the alphanumeric `sender`.
  const sender = message.from ?? (typeof cfg['sender'] === 'string' ? cfg['sender'] : undefined);
  const r = message.context.request;
  const forward = cfg['forward_req_info'] === true && r !== undefined && (r.ip !== undefined || r.user_agent !== undefined);
  return {
    recipient: message.recipient,
    body: message.asText,
    ...(sender ? { sender } : {}),
    ...(forward ? { req: { ...(r.ip !== undefined ? { ip: r.ip } : {}), ...(r.user_agent !== undefined ? { 'user-agent': r.user_agent } : {}) } } : {}),
  };
}
