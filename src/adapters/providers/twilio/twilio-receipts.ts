import type { ProviderReceipts, Receipt } from '../../../domain/phone-provider/provider-kind.js';
import { isValidTwilioSignature } from './twilio-signature.js';

/**
 * Maps Twilio's delivery status (messages and calls) to ours. Intermediate statuses (queued,
 * sending, sent, ringing, in-progress) carry no news for a notification that is already `sent`.
 */
export function statusFromTwilio(params: Readonly<Record<string, string>>): Receipt['status'] {
  const s = (params['MessageStatus'] ?? params['SmsStatus'] ?? params['CallStatus'] ?? '').toLowerCase();
  switch (s) {
    case 'delivered':
    case 'read':
    case 'completed':
      return 'delivered';
    case 'undelivered':
    case 'busy':
    case 'no-answer':
    case 'canceled':
      return 'undelivered';
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
}

/**
 * Twilio's status callbacks (`StatusCallback` of every send): form posts signed in
 * `X-Twilio-Signature` with the auth token the message was sent with, over the URL Twilio called.
 */
export const twilioReceipts: ProviderReceipts = {
  refusal: 'invalid_twilio_signature',
  verify(request, credentials) {
    const token = credentials['auth_token'];
    const signature = request.headers['x-twilio-signature'];
    return Boolean(token) && isValidTwilioSignature(token!, request.url, request.body, typeof signature === 'string' ? signature : undefined);
  },
  read(params) {
    return {
      status: statusFromTwilio(params),
      providerMessageId: params['MessageSid'] ?? params['SmsSid'] ?? params['CallSid'] ?? null,
      errorCode: params['ErrorCode'] || null,
      providerStatus: params['MessageStatus'] ?? params['SmsStatus'] ?? params['CallStatus'] ?? null,
    };
  },
};
