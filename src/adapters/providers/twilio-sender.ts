import type { PhoneProviderRecord, Sealer } from '../../domain/ports.js';
import { PHONE_PROVIDER_CREDENTIALS_PURPOSE } from '../../domain/phone-provider/phone-provider-service.js';
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
export function twiml(message: Pick<OutgoingMessage, 'voiceSegments' | 'asVoice' | 'locale'>): string {
  const lang = message.locale.includes('-') ? message.locale : (VOICE_LANGUAGES[message.locale.split('-')[0]!] ?? 'en-US');
  const segments = message.voiceSegments?.length ? message.voiceSegments : [message.asVoice];
  const says = segments.map((s) => `<Say language="${xml(lang)}">${xml(s)}</Say>`).join('<Pause length="1"/>');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${says}</Response>`;
}

export function statusCallbackUrl(publicUrl: string, notificationId: string): string {
  return `${publicUrl}/webhooks/twilio/status/${notificationId}`;
}

/**
 * Sends SMS (Messages.json) and voice calls (Calls.json with inline TwiML) through Twilio's REST API,
 * with basic auth, a timeout, and Twilio's error codes mapped to retryable or final failures.
 */
export class TwilioSender implements PhoneSender {
  constructor(
    private readonly sealer: Sealer,
    private readonly opts: TwilioSenderOptions,
  ) {}

  async send(message: OutgoingMessage, provider: PhoneProviderRecord): Promise<SendResult> {
    const sid = provider.configuration.sid;
    if (!sid || !provider.credentialsSealed) return { status: 'failed', retryable: false, errorCode: 'provider_misconfigured', reason: 'The Twilio provider has no account SID or auth token' };
    const { auth_token: authToken } = JSON.parse(this.sealer.open(provider.credentialsSealed, PHONE_PROVIDER_CREDENTIALS_PURPOSE)) as { auth_token?: string };
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
    if (this.opts.publicUrl) form.set('StatusCallback', statusCallbackUrl(this.opts.publicUrl, message.notificationId));

    const url = `${this.opts.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(sid)}/${voice ? 'Calls' : 'Messages'}.json`;
    let res: Response;
    try {
      res = await fetch(url, {
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
    const body = (await res.json().catch(() => ({}))) as { sid?: string; status?: string; code?: number; message?: string; more_info?: string };
    if (res.ok && body.sid) return { status: 'sent', providerMessageId: body.sid, detail: { provider_status: body.status ?? null, http_status: res.status } };
    const c = classifyTwilioError(res.status, body.code);
    return {
      status: 'failed',
      retryable: c.retryable,
      errorCode: body.code !== undefined ? String(body.code) : `http_${res.status}`,
      reason: c.reason ? `${c.reason} (Twilio ${body.code})` : `Twilio answered ${res.status}${body.message ? `: ${body.message}` : ''}`,
      ...(c.retryable ? { retryAfterMs: retryAfterMs(res.headers.get('retry-after'), Date.now()) } : {}),
      detail: { http_status: res.status, ...(c.block ? { blocked: c.block } : {}), ...(body.more_info ? { more_info: body.more_info } : {}) },
    };
  }
}
