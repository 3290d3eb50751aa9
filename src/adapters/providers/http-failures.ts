import { sendFailure, type SendResult } from '../../domain/notifications/sender.js';

/**
 * What every HTTP provider sender shares about failures: which HTTP statuses are worth another
 * attempt, how long the provider asked us to wait, and how a request that got no answer at all
 * (refused, reset, timed out) is reported. A kind adds only its own reading of its error bodies.
 */

/** Rate limits and the provider's own failures may pass; any other status will answer the same again. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** The first value of a response header (undici gives repeated headers as an array). */
export const headerValue = (v: string | string[] | undefined): string | null => (Array.isArray(v) ? (v[0] ?? null) : (v ?? null));

/** `Retry-After` in milliseconds (seconds or an HTTP date), if present and sane. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `Retry-After` of a response, as the retry delay of a failed attempt (absent when the provider gave none). */
export const retryAfterOf = (headers: Readonly<Record<string, string | string[] | undefined>>): { retryAfterMs?: number } => {
  const ms = retryAfterMs(headerValue(headers['retry-after']), Date.now());
  return ms === undefined ? {} : { retryAfterMs: ms };
};

/**
 * A request that got no HTTP answer: a timeout or a network error, both retryable (the provider may
 * not have seen it, and a retry carries the same notification id). `provider` names it in the reason
 * ("Twilio", "the SMS gateway"); the reason holds the transport's message, never request headers.
 */
export function transportFailure(error: unknown, provider: string, timeoutMs: number): Extract<SendResult, { status: 'failed' }> {
  const e = error as Error & { cause?: unknown };
  const timeout = e.name === 'TimeoutError' || e.name === 'AbortError';
  const cause = e.cause instanceof Error ? e.cause.message : e.cause !== undefined ? String(e.cause) : e.message;
  const Provider = provider.charAt(0).toUpperCase() + provider.slice(1);
  return sendFailure(true, timeout ? 'timeout' : 'network_error', timeout ? `${Provider} did not answer within ${timeoutMs} ms` : `Could not reach ${provider}: ${cause}`);
}
