import { isRetryableStatus } from '../http-failures.js';

/**
 * How Twilio REST errors are treated by the pipeline. Codes: https://www.twilio.com/docs/api/errors.
 * Anything about the recipient, the sender or the account is final; rate limits and Twilio's own
 * failures are retried. Region-permission and fraud blocks are final and flagged in the log: they are
 * what SMS-pumping defence looks like from the provider's side.
 */
const FINAL: Readonly<Record<number, string>> = {
  20003: 'authentication failed: check the account SID and auth token',
  20404: 'resource not found: check the account SID',
  21211: 'invalid recipient phone number',
  21214: 'recipient phone number cannot be reached',
  21217: 'recipient phone number is not valid',
  21219: 'recipient is not a verified number of this trial account',
  21408: 'blocked: sending to this region is not enabled (geographic permissions)',
  21606: 'the sender number cannot send to this recipient',
  21610: 'the recipient has unsubscribed (STOP)',
  21612: 'the recipient cannot be reached from this sender',
  21614: 'the recipient is not a mobile number',
  21215: 'blocked: calling this region is not enabled (geographic permissions)',
  60410: 'blocked: Twilio detected fraud (SMS pumping) for this destination',
};

const RETRYABLE: ReadonlySet<number> = new Set([20429, 20500, 20503, 30001]);

export type TwilioBlock = 'region' | 'fraud';

export function classifyTwilioError(httpStatus: number, code: number | undefined): { retryable: boolean; reason: string | undefined; block?: TwilioBlock } {
  if (code !== undefined && FINAL[code]) {
    const block: TwilioBlock | undefined = code === 60410 ? 'fraud' : code === 21408 || code === 21215 ? 'region' : undefined;
    return { retryable: false, reason: FINAL[code], ...(block ? { block } : {}) };
  }
  if ((code !== undefined && RETRYABLE.has(code)) || isRetryableStatus(httpStatus)) return { retryable: true, reason: undefined };
  return { retryable: false, reason: undefined };
}
