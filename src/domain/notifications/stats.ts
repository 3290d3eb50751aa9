import { AppError } from '../errors.js';

/** One hour of one delivery method: notifications created in that hour and how they ended so far. */
export interface HourlyStats {
  /** The hour's first instant, ISO-8601 UTC (`2025-01-01T13:00:00.000Z`). */
  hour: string;
  deliveryMethod: string;
  /** Notifications accepted into the outbox (every send, whatever became of it). */
  sends: number;
  delivered: number;
  /** Ended `failed` or `undelivered`. */
  failures: number;
}

export interface ErrorCount {
  errorCode: string;
  count: number;
  /** The provider's words of the most recent one. */
  lastError: string | null;
}

export interface StatusCounts {
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
}

export interface PhoneStats {
  from: string;
  to: string;
  hours: HourlyStats[];
  totals: StatusCounts & { sends: number };
  /** Delivered ÷ (delivered + undelivered + failed); null while none has ended. */
  deliveryRate: number | null;
  topErrors: ErrorCount[];
}

/** Aggregates computed by the database over `[from, to)`; never the notifications themselves. */
export interface NotificationStatsRepository {
  hourly(tenantId: string, from: string, to: string): Promise<HourlyStats[]>;
  statusCounts(tenantId: string, from: string, to: string): Promise<StatusCounts>;
  topErrors(tenantId: string, from: string, to: string, limit: number): Promise<ErrorCount[]>;
}

const HOUR = 3_600_000;
/** The widest window one call may ask for: 31 days of hours (744 buckets per method). */
export const MAX_STATS_WINDOW_MS = 31 * 24 * HOUR;
export const DEFAULT_STATS_WINDOW_MS = 24 * HOUR;

/**
 * The window of a stats request: `to` defaults to the end of the current hour, `from` to 24 hours
 * before `to`. Both are rounded to whole hours (from down, to up) so the buckets are whole.
 */
export function statsWindow(now: Date, from: string | undefined, to: string | undefined): { from: string; to: string } {
  const parse = (s: string, name: string) => {
    const t = Date.parse(s);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(s) || Number.isNaN(t)) {
      throw new AppError('invalid_query_string', `Query validation error: ${name} must be an ISO-8601 UTC date-time (2025-01-01T00:00:00Z)`);
    }
    return t;
  };
  const end = Math.ceil((to === undefined ? now.getTime() + 1 : parse(to, 'to')) / HOUR) * HOUR;
  const start = Math.floor((from === undefined ? end - DEFAULT_STATS_WINDOW_MS : parse(from, 'from')) / HOUR) * HOUR;
  if (start >= end) throw new AppError('invalid_query_string', 'Query validation error: from must be before to');
  if (end - start > MAX_STATS_WINDOW_MS) throw new AppError('invalid_query_string', 'Query validation error: the window is at most 31 days');
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

export function deliveryRate(c: StatusCounts): number | null {
  const ended = c.delivered + c.undelivered + c.failed;
  return ended === 0 ? null : c.delivered / ended;
}
