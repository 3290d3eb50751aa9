import { Agent, request } from 'undici';
import { sendFailure, type OutgoingMessage, type SendResult } from '../../../domain/notifications/sender.js';
import { receiptUrl, type ProviderAccount } from '../../../domain/phone-provider/provider-kind.js';
import { retryAfterOf, transportFailure } from '../http-failures.js';
import { classifyTwilioError } from './twilio-errors.js';
import { twiml } from './twiml.js';

/** The kind's name: the provider `name` on the wire and the receipts' webhook path segment. */
export const TWILIO = 'twilio';

export interface TwilioSenderOptions {
  /** `https://api.twilio.com`, or a local server that speaks Twilio's wire format (tests, benchmarks). */
  baseUrl: string;
  /** The server's public base URL; when set, every send asks Twilio for status callbacks there. */
  publicUrl: string | undefined;
  timeoutMs: number;
}

/**
 * Sends SMS (Messages.json) and voice calls (Calls.json with inline TwiML) through Twilio's REST API,
 * with basic auth, a timeout, and Twilio's error codes mapped to retryable or final failures. One per
 * process: every account's sends share its connection pool; the credentials come with each send, opened.
 */
export class TwilioSender {
  /** Keep-alive connections to the Twilio API, shared by every send of this process. */
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });

  constructor(private readonly opts: TwilioSenderOptions) {}

  async send(message: OutgoingMessage, account: ProviderAccount): Promise<SendResult> {
    const sid = account.configuration['sid'];
    const authToken = account.credentials['auth_token'];
    if (typeof sid !== 'string' || !sid || !authToken) {
      return sendFailure(false, 'provider_misconfigured', 'The Twilio provider has no account SID or auth token');
    }
    const mssid = account.configuration['mssid'];

    const form = new URLSearchParams({ To: message.recipient });
    const voice = message.deliveryMethod === 'voice';
    if (voice) {
      // Calls need a caller id: a Messaging Service cannot place calls.
      if (!message.from) return sendFailure(false, 'no_caller_id', 'Voice calls need a default_from number (a Messaging Service cannot place calls)');
      form.set('From', message.from);
      form.set('Twiml', twiml(message));
    } else {
      if (typeof mssid === 'string' && mssid) form.set('MessagingServiceSid', mssid);
      else if (message.from) form.set('From', message.from);
      form.set('Body', message.asText);
    }
    if (this.opts.publicUrl) form.set('StatusCallback', receiptUrl(this.opts.publicUrl, TWILIO, message.notificationId, message.attempt));

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
      return transportFailure(e, 'Twilio', this.opts.timeoutMs);
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
      ...(c.retryable ? retryAfterOf(res.headers) : {}),
      detail: { http_status: status, ...(c.block ? { blocked: c.block } : {}), ...(body.more_info ? { more_info: body.more_info } : {}) },
    };
  }
}
