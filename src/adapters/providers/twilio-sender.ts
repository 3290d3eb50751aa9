import { Agent, request } from 'undici';
import type { PhoneProviderRecord, Sealer } from '../../domain/ports.js';
import { openProviderCredentials } from '../../domain/phone-provider/phone-provider-service.js';
import type { OutgoingMessage, PhoneSender, SendResult } from '../../domain/notifications/sender.js';
import { classifyTwilioError, retryAfterMs } from './twilio-errors.js';

export interface TwilioSenderOptions {
  /** `https://api.twilio.com`, or a local server that speaks Twilio's wire format (tests, benchmarks). */
  baseUrl: string;
  /** The server's public base URL; when set, every send asks Twilio for status callbacks there. */
  publicUrl: string | undefined;
  timeoutMs: number;
}

const VOICE_LANGUAGES: Readonly<Record<string, string>> = { en: 'en-US', fr: 'fr-FR', es: 'es-ES', de: 'de-DE', it: 'it-IT', pt: 'pt-BR', nl: 'nl-NL', ja: 'ja-JP' };

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** `<Response><Say>…</Say><Pause/>…</Response>` for a voice body, `{{ pause }}` becoming a pause. */
export function twiml(message: Pick<OutgoingMessage, 'voiceSegments' | 'asVoice' | 'locale' | 'bodyLocale'>): string {
  const locale = message.bodyLocale ?? message.locale;
  const base = locale.split('-')[0]!;
  // An own-property lookup: a locale such as `constructor` must not find Object.prototype's members.
  const lang = locale.includes('-') ? locale : Object.hasOwn(VOICE_LANGUAGES, base) ? VOICE_LANGUAGES[base]! : 'en-US';
  const segments = message.voiceSegments?.length ? message.voiceSegments : [message.asVoice];
  const says = segments.map((s) => `<Say language="${xml(lang)}">${xml(s)}</Say>`).join('<Pause length="1"/>');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${says}</Response>`;
}

const headerValue = (v: string | string[] | undefined): string | null => (Array.isArray(v) ? (v[0] ?? null) : (v ?? null));

/** The callback names the attempt, so a receipt for an earlier attempt's message cannot settle a later one. */
export function statusCallbackUrl(publicUrl: string, notificationId: string, attempt: number): string {
  return `${publicUrl}/webhooks/twilio/status/${notificationId}?attempt=${attempt}`;
}

/**
 * Sends SMS (Messages.json) and voice calls (Calls.json with inline TwiML) through Twilio's REST API,
 * with basic auth, a timeout, and Twilio's error codes mapped to retryable or final failures.
 */
export class TwilioSender implements PhoneSender {
  /** Keep-alive connections to the Twilio API, shared by every send of this process. */
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });

  constructor(
    private readonly sealer: Sealer,
    private readonly opts: TwilioSenderOptions,
  ) {}

  /** Opened credentials by their sealed text: a change of credentials is a new sealed value. */
  private readonly tokens = new Map<string, string | undefined>();

  private authToken(sealed: string): string | undefined {
    if (this.tokens.has(sealed)) return this.tokens.get(sealed);
    const { auth_token } = openProviderCredentials(this.sealer, sealed);
    if (this.tokens.size >= 1000) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(sealed, auth_token);
    return auth_token;
  }

  async send(message: OutgoingMessage, provider: PhoneProviderRecord): Promise<SendResult> {
    const sid = provider.configuration.sid;
    if (!sid || !provider.credentialsSealed) return { status: 'failed', retryable: false, errorCode: 'provider_misconfigured', reason: 'The Twilio provider has no account SID or auth token' };
    const authToken = this.authToken(provider.credentialsSealed);
    if (!authToken) return { status: 'failed', retryable: false, errorCode: 'provider_misconfigured', reason: 'The Twilio provider has no auth token' };

    const form = new URLSearchParams({ To: message.recipient });
    const voice = message.deliveryMethod === 'voice';
    if (voice) {
      // Calls need a caller id: a Messaging Service cannot place calls.
      if (!message.from) return { status: 'failed', retryable: false, errorCode: 'no_caller_id', reason: 'Voice calls need a default_from number (a Messaging Service cannot place calls)' };
      form.set('From', message.from);
      form.set('Twiml', twiml(message));
    } else {
      if (provider.configuration.mssid) form.set('MessagingServiceSid', provider.configuration.mssid);
      else if (message.from) form.set('From', message.from);
      form.set('Body', message.asText);
    }
    if (this.opts.publicUrl) form.set('StatusCallback', statusCallbackUrl(this.opts.publicUrl, message.notificationId, message.attempt));

    const url = `${this.opts.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(sid)}/${voice ? 'Calls' : 'Messages'}.json`;
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${sid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      const timeout = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
      return {
        status: 'failed',
        retryable: true,
        errorCode: timeout ? 'timeout' : 'network_error',
        reason: timeout ? `Twilio did not answer within ${this.opts.timeoutMs} ms` : `Could not reach Twilio: ${(e as Error).cause ? String((e as { cause: Error }).cause.message ?? (e as { cause: unknown }).cause) : (e as Error).message}`,
      };
    }
    const status = res.statusCode;
    let body: { sid?: string; status?: string; code?: number; message?: string; more_info?: string } = {};
    try {
      body = (await res.body.json()) as typeof body;
    } catch {
      // A non-JSON answer (a proxy's error page): classified by its HTTP status alone.
    }
    if (status >= 200 && status < 300 && body.sid) return { status: 'sent', providerMessageId: body.sid, detail: { provider_status: body.status ?? null, http_status: status } };
    const c = classifyTwilioError(status, body.code);
    return {
      status: 'failed',
      retryable: c.retryable,
      errorCode: body.code !== undefined ? String(body.code) : `http_${status}`,
      reason: c.reason ? `${c.reason} (Twilio ${body.code})` : `Twilio answered ${status}${body.message ? `: ${body.message}` : ''}`,
      ...(c.retryable ? { retryAfterMs: retryAfterMs(headerValue(res.headers['retry-after']), Date.now()) } : {}),
      detail: { http_status: status, ...(c.block ? { blocked: c.block } : {}), ...(body.more_info ? { more_info: body.more_info } : {}) },
    };
  }
}
